#include "callsession.h"

#include "common/logging.h"
#include "sim/simulator.h"

#include <QNetworkAccessManager>

using namespace Qt::Literals::StringLiterals;

namespace {

const QString officialHost = u"api.anthropic.com"_s;

// The simulator accepts any key; it is sent only so the request looks like a real one.
const QString simulatorKey = u"opsbench-simulator"_s;

} // namespace

CallSession::CallSession(QObject *parent)
    : QObject(parent)
    , m_network(std::make_unique<QNetworkAccessManager>())
    , m_client(std::make_unique<MessagesClient>(m_network.get()))
{
    connect(m_client.get(), &MessagesClient::callFinished, this, &CallSession::countCall);
    connect(m_client.get(), &MessagesClient::logWriteFailed, this, &CallSession::logWriteFailed);
}

CallSession::~CallSession() = default;

Expected<void> CallSession::start(const SessionOptions &options)
{
    Expected<PriceBook> prices = PriceBook::load(options.pricesPath);
    if (!prices)
        return Failure{prices.error()};
    if (options.logPath.isEmpty())
        return fail(u"no call log file given"_s);
    m_logProblem.clear();
    if (const Expected<void> opened = m_writer.open(options.logPath); !opened) {
        if (options.logRequired) {
            m_writer.close();
            return opened;
        }
        // The writer keeps the path and tries it again for every record.
        m_logProblem = opened.error();
        qCWarning(lcClient) << "calls go ahead without a log:" << m_logProblem;
    }

    const ClientConfig environment = ClientConfig::fromEnvironment();
    ClientConfig config;
    config.version = options.version;
    config.retry = options.retry;
    config.transferTimeoutMs = options.transferTimeoutMs;
    config.apiKey =
        options.apiKey.trimmed().isEmpty() ? environment.apiKey : options.apiKey.trimmed();

    const QString explicitUrl = options.baseUrl.trimmed();
    const QString environmentUrl = qEnvironmentVariable("ANTHROPIC_BASE_URL").trimmed();
    const QString url = explicitUrl.isEmpty() ? environmentUrl : explicitUrl;
    if (options.forceSimulator || (url.isEmpty() && config.apiKey.isEmpty())) {
        // A session started again keeps its simulator, with its cache and injected faults.
        if (!m_simulator) {
            m_simulator = std::make_unique<Simulator>();
            m_simulator->setSeed(options.simulatorSeed);
            m_simulator->setLatencyScale(options.simulatorLatencyScale);
            if (const Expected<void> listening = m_simulator->start(); !listening) {
                m_simulator.reset();
                return listening;
            }
        }
        config.baseUrl = m_simulator->baseUrl();
        config.apiKey = simulatorKey;
        m_backend = Backend::Simulator;
        m_backendDescription = u"Simulator (no API key)"_s;
    } else if (!url.isEmpty()) {
        config.baseUrl = QUrl(url);
        const bool official = config.baseUrl.host() == officialHost;
        m_backend = official ? Backend::AnthropicApi : Backend::Custom;
        const QString origin =
            explicitUrl.isEmpty() ? u"ANTHROPIC_BASE_URL"_s : u"base URL setting"_s;
        m_backendDescription = official ? u"Anthropic API"_s : u"%1 (%2)"_s.arg(url, origin);
        // A local simulator or proxy wants some key; without one, send a placeholder rather
        // than have every call refused.
        if (config.apiKey.isEmpty() && !official && config.pointsToThisMachine())
            config.apiKey = simulatorKey;
    } else {
        m_backend = Backend::AnthropicApi;
        m_backendDescription = u"Anthropic API"_s;
    }
    if (const Expected<void> safe = config.checkTransport(); !safe)
        return safe;
    if (m_backend != Backend::Simulator)
        m_simulator.reset();

    m_client->setConfig(config);
    m_client->setPrices(*prices);
    m_client->setLogWriter(&m_writer);
    m_client->setLogPrompts(options.logPrompts);
    Q_EMIT backendChanged();
    qCDebug(lcClient) << "calls go to" << m_backendDescription << "at" << config.baseUrl.toString()
                      << "and are logged to" << m_writer.path();
    return {};
}

void CallSession::countCall(const CallRecord &record)
{
    ++m_callCount;
    if (record.costKnown && record.costUsd > 0) {
        m_sessionCostUsd += record.costUsd;
        Q_EMIT sessionCostChanged(m_sessionCostUsd);
    }
}
