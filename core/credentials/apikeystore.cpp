#include "apikeystore.h"

#include "common/logging.h"

#include <qt6keychain/keychain.h>

using namespace Qt::Literals::StringLiterals;

namespace {

// The account under the service; one key per user of the machine.
const QString keychainAccount = u"anthropic-api-key"_s;

// Without a service to talk to, QtKeychain reports "no backend" or, when the D-Bus connection
// itself fails, a generic error; both mean the same to a user: there is no keychain here.
bool meansNoKeychain(QKeychain::Error error)
{
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented
           || error == QKeychain::OtherError;
}

QString describeKeychainFailure(QKeychain::Error error, const QString &detail)
{
    if (meansNoKeychain(error)) {
        return u"No system keychain is reachable (%1). The key can be used for this session "
               "only, or set ANTHROPIC_API_KEY."_s.arg(detail);
    }
    if (error == QKeychain::AccessDenied || error == QKeychain::AccessDeniedByUser)
        return u"The system keychain refused access (%1)."_s.arg(detail);
    return u"The system keychain reported an error: %1"_s.arg(detail);
}

} // namespace

ApiKeyStore::ApiKeyStore(const QString &service, QObject *parent)
    : QObject(parent)
    , m_service(service)
{}

void ApiKeyStore::load()
{
    if (!begin(Operation::Load))
        return;
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setKey(keychainAccount);
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [this, job] {
        if (job->error() == QKeychain::NoError) {
            m_storedKey = job->textData().trimmed();
            finish(Operation::Load, true, {});
        } else if (job->error() == QKeychain::EntryNotFound) {
            m_storedKey.clear();
            finish(Operation::Load, true, {});
        } else {
            m_keychainAvailable = !meansNoKeychain(job->error());
            finish(Operation::Load, false,
                   describeKeychainFailure(job->error(), job->errorString()));
        }
    });
    job->start();
}

void ApiKeyStore::store(const QString &key)
{
    const QString trimmed = key.trimmed();
    if (trimmed.isEmpty()) {
        if (begin(Operation::Store))
            finish(Operation::Store, false, u"The API key is empty; nothing was stored."_s);
        return;
    }
    if (!begin(Operation::Store))
        return;
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setKey(keychainAccount);
    job->setInsecureFallback(false);
    job->setTextData(trimmed);
    connect(job, &QKeychain::Job::finished, this, [this, job, trimmed] {
        if (job->error() == QKeychain::NoError) {
            m_storedKey = trimmed;
            m_sessionKey.clear();
            finish(Operation::Store, true, {});
        } else {
            m_keychainAvailable = !meansNoKeychain(job->error());
            finish(Operation::Store, false,
                   describeKeychainFailure(job->error(), job->errorString()));
        }
    });
    job->start();
}

void ApiKeyStore::erase()
{
    if (!begin(Operation::Erase))
        return;
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setKey(keychainAccount);
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [this, job] {
        const bool erased =
            job->error() == QKeychain::NoError || job->error() == QKeychain::EntryNotFound;
        if (erased) {
            m_storedKey.clear();
            m_sessionKey.clear();
            finish(Operation::Erase, true, {});
        } else {
            m_keychainAvailable = !meansNoKeychain(job->error());
            finish(Operation::Erase, false,
                   describeKeychainFailure(job->error(), job->errorString()));
        }
    });
    job->start();
}

void ApiKeyStore::setSessionKey(const QString &key)
{
    m_sessionKey = key.trimmed();
}

QString ApiKeyStore::key() const
{
    if (!m_sessionKey.isEmpty())
        return m_sessionKey;
    if (!m_storedKey.isEmpty())
        return m_storedKey;
    return environmentKey();
}

ApiKeyStore::Source ApiKeyStore::source() const
{
    if (!m_sessionKey.isEmpty())
        return Source::Session;
    if (!m_storedKey.isEmpty())
        return Source::Keychain;
    if (!environmentKey().isEmpty())
        return Source::Environment;
    return Source::None;
}

QString ApiKeyStore::masked(const QString &key)
{
    // The eleven characters shown must be a small part of the key: a short test or proxy key
    // would otherwise be mostly shown.
    if (key.size() < 24)
        return QString(key.size(), u'•');
    return key.first(7) + u"…"_s + key.last(4);
}

QString ApiKeyStore::environmentKey()
{
    return qEnvironmentVariable("ANTHROPIC_API_KEY").trimmed();
}

bool ApiKeyStore::begin(Operation operation)
{
    if (m_busy) {
        qCWarning(lcClient) << "keychain operation refused: another one is still running";
        // Not finished(): the running operation's finished() is still to come, and a second
        // one would be mistaken for it.
        return false;
    }
    Q_UNUSED(operation);
    m_busy = true;
    m_errorString.clear();
    return true;
}

void ApiKeyStore::finish(Operation operation, bool succeeded, const QString &errorString)
{
    if (succeeded)
        m_keychainAvailable = true;
    m_errorString = errorString;
    m_busy = false;
    qCDebug(lcClient) << "keychain" << int(operation) << (succeeded ? "succeeded" : "failed");
    Q_EMIT finished();
}
