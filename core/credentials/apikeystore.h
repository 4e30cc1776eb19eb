#pragma once

#include <QObject>
#include <QString>

// Where the Anthropic API key comes from, and where it is kept.
//
// A key the user enters is stored in the system keychain (Secret Service on Linux, through
// QtKeychain), never in a settings file. When no keychain service answers, the key can still be
// used for this session only, held in memory. The ANTHROPIC_API_KEY environment variable works
// as in the official SDKs (trimmed; empty counts as unset), with a key the user gave explicitly
// taking precedence. The key is never logged and never printed.
//
// Keychain access is asynchronous and follows the job shape: call load(), store() or erase(),
// wait for the one finished() that follows, then read key(), source() and errorString().
// One operation at a time; starting another while one runs is refused with an error.
class ApiKeyStore : public QObject
{
    Q_OBJECT

public:
    enum class Source {
        None,        // no key anywhere: the app falls back to the built-in simulator
        Keychain,    // read from, or stored in, the system keychain
        Session,     // given by the user for this session only, held in memory
        Environment, // ANTHROPIC_API_KEY
    };
    Q_ENUM(Source)

    // `service` names the keychain entry; tests pass their own so they never touch the user's.
    explicit ApiKeyStore(const QString &service = QStringLiteral("Opsbench"),
                         QObject *parent = nullptr);

    void load();
    void store(const QString &key);
    void erase();

    // Uses `key` for this session without storing it anywhere.
    void setSessionKey(const QString &key);

    QString key() const;
    Source source() const;
    bool hasKey() const { return source() != Source::None; }

    // Whether the last keychain operation reached a keychain service; when false,
    // errorString() says why in words a user can act on.
    bool keychainAvailable() const { return m_keychainAvailable; }
    QString errorString() const { return m_errorString; }
    bool isBusy() const { return m_busy; }

    // "sk-ant-…x7Qa": enough to recognise a key, not enough to use it; a key shorter than 24
    // characters is all bullets.
    static QString masked(const QString &key);
    // The trimmed ANTHROPIC_API_KEY, or an empty string.
    static QString environmentKey();

Q_SIGNALS:
    void finished();

private:
    enum class Operation { Load, Store, Erase };
    bool begin(Operation operation);
    void finish(Operation operation, bool succeeded, const QString &errorString);

    QString m_service;
    QString m_storedKey;
    QString m_sessionKey;
    QString m_errorString;
    bool m_keychainAvailable = true;
    bool m_busy = false;
};
