#pragma once

#include "retry/retrypolicy.h"
#include "scenario/scenario.h"
#include "session/queryrun.h"

#include <QObject>
#include <QPointer>

// A retry of one scenario call: which attempt failed, how, and the wait before the next one.
struct ScenarioRetry
{
    int attempt = 0;
    qint64 waitMs = 0;
    int httpStatus = 0;
    QString errorType;
    bool serverHint = false; // the wait came from retry-after, not from the backoff
    qint64 atMs = 0;         // when the attempt failed, on the client's clock, from the run's start
};

// One call of a scenario run, with its retries and its span on the client's clock.
struct ScenarioCall
{
    QueryOutcome outcome;
    QList<ScenarioRetry> retries;
    qint64 startedMs = 0;
    qint64 finishedMs = 0;
};

// Runs a Scenario against a session's in-process simulator: resets the simulator to the
// scenario's seed, faults and cache lifetime (emptying its cache), sends the scenario's queries
// through the session's client with the scenario's retry policy, whose jitter is drawn from a
// generator seeded by the scenario, so that a run replays: the same records every time apart
// from request ids, timestamps and measured latencies. Every call is logged by the session.
//
// The job shape: start(), one finished(), then error() or calls() and the totals. The session
// must outlive the runner and answer with its in-process simulator, else the run fails at once
// saying so. The session's retry policy and the simulator's faults are put back afterwards.
class ScenarioRunner : public QObject
{
    Q_OBJECT

public:
    explicit ScenarioRunner(CallSession *session, QObject *parent = nullptr);
    ~ScenarioRunner() override;

    void start(const Scenario &scenario);
    void cancel();

    bool isRunning() const { return m_run != nullptr; }
    const Scenario &scenario() const { return m_scenario; }
    // The run of queries in progress, for a view to follow; null outside a run.
    QueryRun *queryRun() const { return m_run; }

    const QString &error() const { return m_error; }
    const QList<ScenarioCall> &calls() const { return m_calls; }
    int failures() const;
    // USD of the calls as sent, and (compareAllSonnet) of the same tokens on the router's
    // Sonnet tier.
    double totalUsd() const;
    double allSonnetUsd() const { return m_allSonnetUsd; }

Q_SIGNALS:
    void callFinished(int index);
    void finished();

private:
    void takeCall(int index);
    void finish();
    void fail(const QString &message);
    qint64 clockMs() const;

    CallSession *m_session;
    Scenario m_scenario;
    QPointer<QueryRun> m_run;
    QList<ScenarioCall> m_calls;
    QString m_error;
    RetryPolicy m_savedRetry;
    SimFaults m_savedFaults;
    QString m_sonnetModel;
    double m_allSonnetUsd = 0;
    qint64 m_clockStartMs = 0;
};
