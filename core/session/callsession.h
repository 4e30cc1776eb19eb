#pragma once

#include "calllog/calllogwriter.h"
#include "client/clientconfig.h"
#include "client/messagesclient.h"
#include "common/expected.h"
#include "pricing/pricebook.h"

#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;
class Simulator;

// Who answers a session's calls.
enum class Backend {
    Simulator,    // the built-in simulator, in this process, on a free loopback port
    AnthropicApi, // the real Messages API
    Custom,       // another base URL: a proxy, or a simulator in another process
};

// What a session starts from. Empty strings mean "not given here".
struct SessionOptions
{
    QString baseUrl; // wins over ANTHROPIC_BASE_URL
    QString apiKey;  // wins over ANTHROPIC_API_KEY
    ApiVersion version = ApiVersion::Version2023;
    QString logPath; // the call log to append to; required
    // When the log cannot be opened: true, start() fails; false, calls go ahead, logProblem()
    // says why, and each call that cannot be logged is reported by logWriteFailed(). The
    // workbench takes false, since an answer is worth seeing even when it cannot be logged.
    bool logRequired = true;
    QString pricesPath; // a price file over the built-in prices
    RetryPolicy retry;
    int transferTimeoutMs = 600'000;
    // Also write each call's prompt and answer into the log (see MessagesClient::setLogPrompts).
    bool logPrompts = false;
    // Use the in-process simulator whatever the key, base URL and environment say.
    bool forceSimulator = false;
    // For the in-process simulator only.
    quint64 simulatorSeed = 1;
    double simulatorLatencyScale = 1.0;
};

// Everything a stream of calls shares: the backend, one client, one log, one price list, and
// the running cost. The backend is chosen as the official SDKs choose: an explicit base URL, else
// ANTHROPIC_BASE_URL; the real API when a key is known; and with neither, the built-in simulator
// started in this process, so that nothing needs a key or a network.
//
// start() fails, naming what is wrong, when the log cannot be opened (unless the options say the
// log is not required), the price file is bad, the base URL is unusable, or the simulator
// cannot listen. A record that cannot be appended later (a full disk, a read-only log) never
// fails the call: logWriteFailed() names the file and the reason. The session owns its client,
// writer and simulator.
class CallSession : public QObject
{
    Q_OBJECT

public:
    explicit CallSession(QObject *parent = nullptr);
    ~CallSession() override;

    // May be called again to change the backend or the log; a running in-process simulator is
    // kept when the simulator still answers.
    Expected<void> start(const SessionOptions &options);

    Backend backend() const { return m_backend; }
    // "Simulator (no API key)", "Anthropic API", "http://127.0.0.1:8080 (ANTHROPIC_BASE_URL)"
    QString backendDescription() const { return m_backendDescription; }
    QUrl baseUrl() const { return m_client->config().baseUrl; }

    MessagesClient *client() const { return m_client.get(); }
    // The in-process simulator, or null when another backend answers.
    Simulator *simulator() const { return m_simulator.get(); }
    const PriceBook &prices() const { return m_client->prices(); }
    QString logPath() const { return m_writer.path(); }
    // Why the log could not be opened by the last start(); empty when it is open.
    QString logProblem() const { return m_logProblem; }

    double sessionCostUsd() const { return m_sessionCostUsd; }
    int callCount() const { return m_callCount; }

Q_SIGNALS:
    void backendChanged();
    void sessionCostChanged(double usd);
    // A record could not be appended to the log; the call itself is unaffected.
    void logWriteFailed(const QString &message);

private:
    void countCall(const CallRecord &record);

    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<MessagesClient> m_client;
    std::unique_ptr<Simulator> m_simulator;
    CallLogWriter m_writer;
    Backend m_backend = Backend::Simulator;
    QString m_backendDescription;
    QString m_logProblem;
    double m_sessionCostUsd = 0;
    int m_callCount = 0;
};
