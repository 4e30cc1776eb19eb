#include "scenariorunner.h"

#include "common/logging.h"
#include "retry/retryclock.h"
#include "session/callsession.h"
#include "sim/simulator.h"

#include <memory>
#include <random>

using namespace Qt::Literals::StringLiterals;

ScenarioRunner::ScenarioRunner(CallSession *session, QObject *parent)
    : QObject(parent)
    , m_session(session)
{}

ScenarioRunner::~ScenarioRunner()
{
    if (m_run)
        finish();
}

void ScenarioRunner::start(const Scenario &scenario)
{
    if (m_run)
        return;
    m_scenario = scenario;
    m_calls.clear();
    m_error.clear();
    m_allSonnetUsd = 0;

    Simulator *simulator = m_session->simulator();
    if (!simulator)
        return fail(u"scenario \"%1\" needs the built-in simulator, but calls go to %2"_s.arg(
            scenario.name, m_session->backendDescription()));

    auto run = std::make_unique<QueryRun>(m_session);
    QueryRunOptions options;
    options.model = scenario.model;
    options.systemPrompt = scenario.systemPrompt;
    options.cache = scenario.cache;
    options.maxTokens = scenario.maxTokens;
    options.feature = scenario.feature;
    run->setOptions(options);
    run->setQueries(scenario.queries);
    if (scenario.rag) {
        Expected<Retriever> retriever = Retriever::builtInCorpus();
        if (!retriever)
            return fail(retriever.error());
        run->setRetriever(std::make_shared<const Retriever>(std::move(retriever).value()));
    }
    if (scenario.router) {
        Expected<ModelRouter> router =
            ModelRouter::create(RouterRules::builtIn(), m_session->prices());
        if (!router)
            return fail(router.error());
        m_sonnetModel = router->rules().model(RouteTier::Sonnet);
        run->setRouter(std::make_shared<const ModelRouter>(std::move(router).value()));
    }

    // The jitter is the one random part on the client's side; a generator seeded by the
    // scenario makes it replay like the simulator does.
    auto generator = std::make_shared<std::mt19937_64>(scenario.seed);
    RetryPolicy policy;
    policy.setMaxAttempts(scenario.maxAttempts);
    policy.setBaseDelayMs(scenario.baseDelayMs);
    policy.setMaxDelayMs(scenario.maxDelayMs);
    policy.setRandomSource(
        [generator] { return std::uniform_real_distribution<double>(0.0, 1.0)(*generator); });
    ClientConfig config = m_session->client()->config();
    m_savedRetry = config.retry;
    config.retry = policy;
    m_session->client()->setConfig(config);

    m_savedFaults = simulator->faults();
    simulator->setSeed(scenario.seed);
    simulator->clearCache();
    simulator->setCacheTtlOverride(scenario.cacheTtlSeconds);
    simulator->setFaults(scenario.faults);

    m_run = run.release();
    m_run->setParent(this);
    m_clockStartMs = clockMs();
    connect(m_run, &QueryRun::queryStarted, this, [this](int index) {
        if (index != m_calls.size())
            return;
        ScenarioCall call;
        call.startedMs = clockMs() - m_clockStartMs;
        m_calls.append(call);
        if (m_scenario.faultsEachCall && index > 0) {
            if (Simulator *simulator = m_session->simulator())
                simulator->setFaults(m_scenario.faults);
        }
    });
    connect(m_run, &QueryRun::retryScheduled, this,
            [this](int index, int attempt, qint64 waitMs, const ApiError &error) {
                if (index < 0 || index >= m_calls.size())
                    return;
                m_calls[index].retries.append(
                    ScenarioRetry{attempt, waitMs, error.httpStatus, error.type,
                                  error.retryAfterMs.has_value(), clockMs() - m_clockStartMs});
            });
    connect(m_run, &QueryRun::queryFinished, this, &ScenarioRunner::takeCall);
    connect(m_run, &QueryRun::finished, this, &ScenarioRunner::finish);
    qCDebug(lcSim) << "scenario" << scenario.id << "starts with seed" << scenario.seed;
    m_run->start();
}

void ScenarioRunner::cancel()
{
    if (m_run)
        m_run->cancel();
}

int ScenarioRunner::failures() const
{
    return int(std::count_if(m_calls.begin(), m_calls.end(), [](const ScenarioCall &call) {
        return call.outcome.error.has_value();
    }));
}

double ScenarioRunner::totalUsd() const
{
    double total = 0;
    for (const ScenarioCall &call : m_calls) {
        if (call.outcome.record && call.outcome.record->costKnown)
            total += call.outcome.record->costUsd;
    }
    return total;
}

void ScenarioRunner::takeCall(int index)
{
    if (!m_run || index < 0 || index >= m_calls.size() || index >= m_run->outcomes().size())
        return;
    ScenarioCall &call = m_calls[index];
    call.outcome = m_run->outcomes().at(index);
    call.finishedMs = clockMs() - m_clockStartMs;
    if (m_scenario.compareAllSonnet && call.outcome.record) {
        const Expected<double> sonnet =
            m_session->prices().cost(m_sonnetModel, call.outcome.record->usage());
        if (sonnet)
            m_allSonnetUsd += *sonnet;
    }
    Q_EMIT callFinished(index);
}

void ScenarioRunner::finish()
{
    if (!m_run)
        return;
    ClientConfig config = m_session->client()->config();
    config.retry = m_savedRetry;
    m_session->client()->setConfig(config);
    if (Simulator *simulator = m_session->simulator())
        simulator->setFaults(m_savedFaults);
    m_run->deleteLater();
    m_run = nullptr;
    Q_EMIT finished();
}

void ScenarioRunner::fail(const QString &message)
{
    m_error = message;
    QMetaObject::invokeMethod(this, &ScenarioRunner::finished, Qt::QueuedConnection);
}

qint64 ScenarioRunner::clockMs() const
{
    RetryClock *clock = m_session->client()->clock();
    return clock ? clock->elapsedMs() : 0;
}
