#pragma once

#include "client/apierror.h"
#include "retry/retrypolicy.h"

#include <QObject>

#include <functional>
#include <optional>

class RetryClock;
class RetryTimer;

// Runs an asynchronous operation until it succeeds, fails in a way that retrying cannot fix,
// or runs out of attempts, waiting between attempts on a timer of the given clock (never a
// sleep or a nested event loop).
//
// The job shape: set the policy, the clock and the operation, call start(), wait for the one
// finished() signal, then read succeeded() or error(). The operation is a function that starts
// attempt n (1-based) and later reports back through attemptSucceeded() or attemptFailed();
// reports that arrive when no attempt is running (after cancel(), or twice for one attempt)
// are ignored. When the runner gives up, error() is the last attempt's error exactly as the
// operation reported it. cancel() ends the job at any point with a Cancelled error; a running
// attempt is told to stop through cancelRequested().
class RetryRunner : public QObject
{
    Q_OBJECT

public:
    using StartAttempt = std::function<void(int attempt)>;

    explicit RetryRunner(QObject *parent = nullptr);
    ~RetryRunner() override;

    void setPolicy(const RetryPolicy &policy);
    const RetryPolicy &policy() const { return m_policy; }

    // The clock to wait on; not owned. The default is RetryClock::system(). An operation that
    // reads retry-after dates should measure them from this clock's now(), so that virtual
    // time and the server's dates agree.
    void setClock(RetryClock *clock);
    RetryClock *clock() const { return m_clock; }

    void setOperation(StartAttempt startAttempt);

    // Starts attempt 1. Does nothing unless the runner is new. If the operation reports back
    // synchronously, finished() may be emitted before start() returns.
    void start();

    // Ends the job with a Cancelled error and one finished(). Does nothing once finished.
    void cancel();

    bool isRunning() const { return m_state == State::Attempting || m_state == State::Waiting; }
    bool isFinished() const { return m_state == State::Finished; }

    // The outcome, once finished.
    bool succeeded() const { return isFinished() && !m_error; }
    const std::optional<ApiError> &error() const { return m_error; }

    int attempts() const { return m_attempt; } // attempts started so far
    qint64 totalWaitedMs() const;              // time spent between attempts, on the clock

public Q_SLOTS:
    void attemptSucceeded();
    void attemptFailed(const ApiError &error);

Q_SIGNALS:
    void attemptStarted(int attempt);
    // Attempt `attempt` failed with `error`; attempt + 1 starts after `waitMs`.
    void retryScheduled(int attempt, qint64 waitMs, const ApiError &error);
    // cancel() was called while `attempt` was running: abort it. Its report is not needed.
    void cancelRequested(int attempt);
    void finished();

private:
    enum class State { Idle, Attempting, Waiting, Finished };

    void startNextAttempt();
    void stopWaiting();
    void finish(std::optional<ApiError> error);

    RetryPolicy m_policy;
    RetryClock *m_clock = nullptr;
    RetryTimer *m_timer = nullptr;
    StartAttempt m_startAttempt;
    State m_state = State::Idle;
    int m_attempt = 0;
    qint64 m_waitStartedMs = 0;
    qint64 m_waitedMs = 0;
    std::optional<ApiError> m_error;
};
