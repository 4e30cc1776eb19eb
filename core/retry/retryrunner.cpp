#include "retryrunner.h"

#include "common/logging.h"
#include "retry/retryclock.h"

using namespace Qt::Literals::StringLiterals;

namespace {

// What the log calls an error: the API's type when it sent one, the kind otherwise.
QString errorLabel(const ApiError &error)
{
    return error.type.isEmpty() ? ApiError::kindName(error.kind) : error.type;
}

} // namespace

RetryRunner::RetryRunner(QObject *parent)
    : QObject(parent)
    , m_clock(RetryClock::system())
{}

RetryRunner::~RetryRunner() = default;

void RetryRunner::setPolicy(const RetryPolicy &policy)
{
    m_policy = policy;
}

void RetryRunner::setClock(RetryClock *clock)
{
    if (m_state != State::Idle) {
        qCWarning(lcRetry) << "the clock cannot change once the runner has started";
        return;
    }
    m_clock = clock ? clock : RetryClock::system();
}

void RetryRunner::setOperation(StartAttempt startAttempt)
{
    m_startAttempt = std::move(startAttempt);
}

void RetryRunner::start()
{
    if (m_state != State::Idle) {
        qCWarning(lcRetry) << "a retry runner runs once; start() ignored";
        return;
    }
    if (!m_startAttempt) {
        qCWarning(lcRetry) << "a retry runner needs an operation before start()";
        return;
    }

    m_timer = m_clock->createTimer(this);
    connect(m_timer, &RetryTimer::timeout, this, &RetryRunner::startNextAttempt);
    startNextAttempt();
}

void RetryRunner::cancel()
{
    switch (m_state) {
    case State::Finished:
        return;
    case State::Idle:
        finish(ApiError::local(ApiError::Kind::Cancelled, u"cancelled before the first attempt"_s));
        return;
    case State::Waiting:
        stopWaiting();
        qCDebug(lcRetry, "cancelled while waiting to start attempt %d", m_attempt + 1);
        finish(
            ApiError::local(ApiError::Kind::Cancelled,
                            u"cancelled while waiting to retry after attempt %1"_s.arg(m_attempt)));
        return;
    case State::Attempting:
        break;
    }

    qCDebug(lcRetry, "cancelled during attempt %d", m_attempt);

    // The outcome is settled before the operation hears about it, so whatever it reports
    // while aborting arrives at a finished runner and is ignored.
    m_state = State::Finished;
    m_error =
        ApiError::local(ApiError::Kind::Cancelled, u"cancelled during attempt %1"_s.arg(m_attempt));
    Q_EMIT cancelRequested(m_attempt);
    Q_EMIT finished();
}

qint64 RetryRunner::totalWaitedMs() const
{
    if (m_state == State::Waiting)
        return m_waitedMs + (m_clock->elapsedMs() - m_waitStartedMs);
    return m_waitedMs;
}

void RetryRunner::attemptSucceeded()
{
    if (m_state != State::Attempting) {
        qCDebug(lcRetry, "a success reported outside an attempt was ignored");
        return;
    }

    qCDebug(lcRetry, "attempt %d succeeded", m_attempt);
    finish(std::nullopt);
}

void RetryRunner::attemptFailed(const ApiError &error)
{
    if (m_state != State::Attempting) {
        qCDebug(lcRetry, "a failure reported outside an attempt was ignored");
        return;
    }

    const QString label = errorLabel(error);
    if (!m_policy.shouldRetry(error)) {
        qCDebug(lcRetry, "attempt %d failed with %s, which is not retried", m_attempt,
                qUtf8Printable(label));
        finish(error);
        return;
    }
    if (m_attempt >= m_policy.maxAttempts()) {
        qCDebug(lcRetry, "attempt %d of %d failed with %s; giving up", m_attempt,
                m_policy.maxAttempts(), qUtf8Printable(label));
        finish(error);
        return;
    }

    // The policy counts retries from 0, so the wait after attempt n is retry n - 1.
    const qint64 waitMs = m_policy.delayMs(m_attempt - 1, error);
    qCDebug(lcRetry, "attempt %d of %d failed with %s; retrying in %lld ms%s", m_attempt,
            m_policy.maxAttempts(), qUtf8Printable(label), waitMs,
            error.retryAfterMs ? " (as the server asked)" : "");

    m_state = State::Waiting;
    m_waitStartedMs = m_clock->elapsedMs();
    m_timer->start(waitMs);
    Q_EMIT retryScheduled(m_attempt, waitMs, error);
}

void RetryRunner::startNextAttempt()
{
    if (m_state == State::Waiting)
        stopWaiting();

    ++m_attempt;
    m_state = State::Attempting;
    qCDebug(lcRetry, "starting attempt %d of %d", m_attempt, m_policy.maxAttempts());
    Q_EMIT attemptStarted(m_attempt);

    // A receiver of attemptStarted() may have cancelled already.
    if (m_state == State::Attempting)
        m_startAttempt(m_attempt);
}

void RetryRunner::stopWaiting()
{
    m_timer->stop();
    m_waitedMs += m_clock->elapsedMs() - m_waitStartedMs;
}

void RetryRunner::finish(std::optional<ApiError> error)
{
    m_state = State::Finished;
    m_error = std::move(error);
    Q_EMIT finished();
}
