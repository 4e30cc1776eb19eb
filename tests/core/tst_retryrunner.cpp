#include "client/apierror.h"
#include "retry/retryclock.h"
#include "retry/retryrunner.h"

#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

const QDateTime virtualStart(QDate(2026, 12, 1), QTime(12, 0), Qt::UTC);

ApiError apiError(int status, const QByteArray &type, const QByteArray &requestId,
                  const HttpHeaders &extraHeaders = {}, const QDateTime &now = virtualStart)
{
    const QByteArray body = R"({"type":"error","error":{"type":")" + type
                            + R"(","message":"simulated )" + type + R"("}})";
    HttpHeaders headers{{"request-id", requestId}};
    headers += extraHeaders;
    return ApiError::fromHttpResponse(status, body, headers, now);
}

// Stands in for a request: attempt n fails with the n-th scripted error, or succeeds once the
// script runs out. It answers from the event loop, as a network reply would.
class ScriptedOperation
{
public:
    ScriptedOperation(RetryRunner *runner, QList<ApiError> failures)
        : m_runner(runner)
        , m_failures(std::move(failures))
    {
        runner->setOperation([this](int attempt) { start(attempt); });
    }

    QList<int> startedAttempts;

private:
    void start(int attempt)
    {
        startedAttempts.append(attempt);
        RetryRunner *runner = m_runner;
        if (attempt > m_failures.size()) {
            QMetaObject::invokeMethod(runner, &RetryRunner::attemptSucceeded, Qt::QueuedConnection);
            return;
        }
        const ApiError error = m_failures.at(attempt - 1);
        QMetaObject::invokeMethod(
            runner, [runner, error] { runner->attemptFailed(error); }, Qt::QueuedConnection);
    }

    RetryRunner *m_runner;
    QList<ApiError> m_failures;
};

// A runner on a virtual clock that jumps straight to each deadline, so backoffs of seconds
// pass at once. The clock is declared first so that it outlives the runner's timer.
struct VirtualRun
{
    VirtualRun()
    {
        clock.setAutoAdvance(true);
        runner.setClock(&clock);
    }

    VirtualClock clock{virtualStart};
    RetryRunner runner;
};

RetryPolicy policyWithAttempts(int maxAttempts)
{
    RetryPolicy policy;
    policy.setMaxAttempts(maxAttempts);
    return policy;
}

} // namespace

class tst_RetryRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rateLimitsBackOffUntilSuccess();
    void errorThatIsNotRetriedComesBackUnchanged();
    void lastErrorComesBackUnchangedWhenAttemptsRunOut();
    void serverRetryHintIsHonoured();
    void cancelDuringWaitStopsTheTimer();
    void cancelDuringAttemptAsksTheOperationToAbort();
    void cancelBeforeStart();
    void defaultJitterIsRandom();
    void realClockPathWorks();
};

void tst_RetryRunner::initTestCase()
{
    // Retries are logged at debug level, quiet unless asked for, as a user would ask.
    QLoggingCategory::setFilterRules(u"opsbench.retry.debug=true"_s);
}

void tst_RetryRunner::rateLimitsBackOffUntilSuccess()
{
    VirtualRun run;
    auto &[clock, runner] = run;
    const ApiError limited = apiError(429, "rate_limit_error", "req_1");
    ScriptedOperation operation(&runner, {limited, limited, limited});
    QSignalSpy started(&runner, &RetryRunner::attemptStarted);
    QSignalSpy scheduled(&runner, &RetryRunner::retryScheduled);
    QSignalSpy finished(&runner, &RetryRunner::finished);

    QTest::ignoreMessage(
        QtDebugMsg,
        QRegularExpression(
            u"^attempt 1 of 5 failed with rate_limit_error; retrying in 10\\d\\d ms$"_s));
    QTest::ignoreMessage(
        QtDebugMsg,
        QRegularExpression(
            u"^attempt 2 of 5 failed with rate_limit_error; retrying in 2[01]\\d\\d ms$"_s));
    QTest::ignoreMessage(
        QtDebugMsg,
        QRegularExpression(
            u"^attempt 3 of 5 failed with rate_limit_error; retrying in 4[0-3]\\d\\d ms$"_s));
    runner.start();

    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.size(), 1);
    QVERIFY(runner.succeeded());
    QCOMPARE(runner.attempts(), 4);
    QCOMPARE(operation.startedAttempts, QList<int>({1, 2, 3, 4}));
    QCOMPARE(started.size(), 4);
    QCOMPARE(scheduled.size(), 3);

    // Retry n waits 1000 * 2^n ms plus jitter below 10%: [1000, 1100), [2000, 2200),
    // [4000, 4400); at least 1000 + 2000 + 4000 = 7000 ms of virtual time pass.
    const qint64 lowest[] = {1000, 2000, 4000};
    qint64 planned = 0;
    for (int i = 0; i < 3; ++i) {
        const QList<QVariant> row = scheduled.at(i);
        const qint64 waitMs = row.at(1).toLongLong();
        QCOMPARE(row.at(0).toInt(), i + 1);
        QVERIFY2(waitMs >= lowest[i] && waitMs < lowest[i] + lowest[i] / 10,
                 qPrintable(u"retry %1 waited %2 ms"_s.arg(i).arg(waitMs)));
        QCOMPARE(row.at(2).value<ApiError>(), limited);
        planned += waitMs;
    }
    QVERIFY(runner.totalWaitedMs() >= 7000);
    QCOMPARE(runner.totalWaitedMs(), planned);
    QCOMPARE(clock.elapsedMs(), planned);
    QCOMPARE(clock.activeTimers(), 0);
}

void tst_RetryRunner::errorThatIsNotRetriedComesBackUnchanged()
{
    VirtualRun run;
    auto &[clock, runner] = run;
    const ApiError invalid = apiError(400, "invalid_request_error", "req_bad");
    ScriptedOperation operation(&runner, {invalid});
    QSignalSpy scheduled(&runner, &RetryRunner::retryScheduled);
    QSignalSpy finished(&runner, &RetryRunner::finished);

    QTest::ignoreMessage(QtDebugMsg, "attempt 1 failed with invalid_request_error, which is not "
                                     "retried");
    runner.start();

    QVERIFY(finished.wait(5000));
    QCOMPARE(runner.attempts(), 1);
    QCOMPARE(scheduled.size(), 0);
    QVERIFY(!runner.succeeded());
    QVERIFY(runner.error().has_value());
    QCOMPARE(*runner.error(), invalid);
    QCOMPARE(runner.error()->httpStatus, 400);
    QCOMPARE(runner.error()->message, u"simulated invalid_request_error"_s);
    QCOMPARE(runner.totalWaitedMs(), 0);
}

void tst_RetryRunner::lastErrorComesBackUnchangedWhenAttemptsRunOut()
{
    VirtualRun run;
    auto &[clock, runner] = run;
    runner.setPolicy(policyWithAttempts(3));
    const ApiError last = apiError(529, "overloaded_error", "req_3");
    ScriptedOperation operation(&runner, {apiError(529, "overloaded_error", "req_1"),
                                          apiError(503, "api_error", "req_2"), last,
                                          apiError(529, "overloaded_error", "req_never")});
    QSignalSpy scheduled(&runner, &RetryRunner::retryScheduled);
    QSignalSpy finished(&runner, &RetryRunner::finished);

    runner.start();

    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(runner.attempts(), 3);
    QCOMPARE(scheduled.size(), 2);
    QVERIFY(runner.error().has_value());
    QCOMPARE(*runner.error(), last);
    QCOMPARE(runner.error()->kind, ApiError::Kind::Http);
    QCOMPARE(runner.error()->httpStatus, 529);
    QCOMPARE(runner.error()->type, u"overloaded_error"_s);
    QCOMPARE(runner.error()->message, u"simulated overloaded_error"_s);
    QCOMPARE(runner.error()->requestId, u"req_3"_s);
}

void tst_RetryRunner::serverRetryHintIsHonoured()
{
    VirtualRun run;
    auto &[clock, runner] = run;
    // The second failure arrives after the first wait, at 12:00:05; its date asks for 12:00:08.
    const QDateTime secondArrival = virtualStart.addSecs(5);
    ScriptedOperation operation(
        &runner, {apiError(429, "rate_limit_error", "req_1", {{"retry-after", "5"}}),
                  apiError(529, "overloaded_error", "req_2",
                           {{"retry-after", "Tue, 01 Dec 2026 12:00:08 GMT"}}, secondArrival),
                  apiError(429, "rate_limit_error", "req_3", {{"retry-after-ms", "120000"}})});
    QSignalSpy scheduled(&runner, &RetryRunner::retryScheduled);
    QSignalSpy finished(&runner, &RetryRunner::finished);

    runner.start();

    QVERIFY(finished.wait(5000));
    QVERIFY(runner.succeeded());
    QCOMPARE(scheduled.size(), 3);
    QCOMPARE(scheduled.at(0).at(1).toLongLong(), 5000);  // retry-after: 5
    QCOMPARE(scheduled.at(1).at(1).toLongLong(), 3000);  // 12:00:08 - 12:00:05
    QCOMPARE(scheduled.at(2).at(1).toLongLong(), 60000); // 120 s capped at the 60 s maximum
    QCOMPARE(runner.totalWaitedMs(), 68000);             // 5000 + 3000 + 60000
}

void tst_RetryRunner::cancelDuringWaitStopsTheTimer()
{
    VirtualClock clock(virtualStart);
    RetryRunner runner;
    runner.setClock(&clock);
    ScriptedOperation operation(&runner, {apiError(503, "api_error", "req_1")});
    QSignalSpy scheduled(&runner, &RetryRunner::retryScheduled);
    QSignalSpy cancelRequested(&runner, &RetryRunner::cancelRequested);
    QSignalSpy finished(&runner, &RetryRunner::finished);
    runner.start();
    QVERIFY(scheduled.wait(5000));

    clock.advance(400);
    runner.cancel();
    clock.advance(60000);
    runner.cancel();

    QCOMPARE(finished.size(), 1);
    QCOMPARE(cancelRequested.size(), 0); // nothing was running to abort
    QCOMPARE(operation.startedAttempts, QList<int>({1}));
    QCOMPARE(clock.activeTimers(), 0);
    QVERIFY(runner.error().has_value());
    QCOMPARE(runner.error()->kind, ApiError::Kind::Cancelled);
    QCOMPARE(runner.totalWaitedMs(), 400);
}

void tst_RetryRunner::cancelDuringAttemptAsksTheOperationToAbort()
{
    VirtualRun run;
    auto &[clock, runner] = run;
    int abortedAttempt = 0;
    runner.setOperation([](int) {}); // a request that never answers by itself
    connect(&runner, &RetryRunner::cancelRequested, &runner, [&, &runner = runner](int attempt) {
        abortedAttempt = attempt;
        // An aborted reply usually reports a failure of its own; it must not count.
        runner.attemptFailed(ApiError::local(ApiError::Kind::Connection, u"aborted"_s));
    });
    QSignalSpy finished(&runner, &RetryRunner::finished);
    runner.start();

    runner.cancel();
    runner.attemptSucceeded(); // too late: also ignored

    QCOMPARE(abortedAttempt, 1);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(runner.attempts(), 1);
    QVERIFY(!runner.succeeded());
    QCOMPARE(runner.error()->kind, ApiError::Kind::Cancelled);
    QCOMPARE(clock.activeTimers(), 0);
}

void tst_RetryRunner::cancelBeforeStart()
{
    RetryRunner runner;
    int started = 0;
    runner.setOperation([&started](int) { ++started; });
    QSignalSpy finished(&runner, &RetryRunner::finished);

    runner.cancel();
    QTest::ignoreMessage(QtWarningMsg, "a retry runner runs once; start() ignored");
    runner.start();

    QCOMPARE(finished.size(), 1);
    QCOMPARE(started, 0);
    QCOMPARE(runner.error()->kind, ApiError::Kind::Cancelled);
}

void tst_RetryRunner::defaultJitterIsRandom()
{
    VirtualClock clock(virtualStart);
    clock.setAutoAdvance(true);
    QSet<qint64> waits;

    // 100 possible whole-millisecond waits in [1000, 1100): twenty equal draws in a row would
    // happen once in 100^19 runs of a working generator.
    for (int run = 0; run < 20; ++run) {
        RetryRunner runner;
        runner.setClock(&clock);
        ScriptedOperation operation(&runner, {apiError(503, "api_error", "req_1")});
        QSignalSpy scheduled(&runner, &RetryRunner::retryScheduled);
        QSignalSpy finished(&runner, &RetryRunner::finished);
        QTest::ignoreMessage(QtDebugMsg, QRegularExpression(u"^attempt 1 of 5 failed"_s));
        runner.start();
        QVERIFY(finished.wait(5000));
        QCOMPARE(scheduled.size(), 1);
        const qint64 waitMs = scheduled.at(0).at(1).toLongLong();
        QVERIFY2(waitMs >= 1000 && waitMs < 1100, qPrintable(QString::number(waitMs)));
        waits.insert(waitMs);
    }

    QVERIFY2(waits.size() > 1, "twenty runs all drew the same jitter");
}

void tst_RetryRunner::realClockPathWorks()
{
    RetryPolicy policy;
    policy.setBaseDelayMs(1);
    policy.setMaxDelayMs(50);
    RetryRunner runner;
    runner.setPolicy(policy);
    ScriptedOperation operation(
        &runner, {ApiError::local(ApiError::Kind::Connection, u"Connection refused"_s),
                  ApiError::local(ApiError::Kind::Timeout, u"no answer"_s)});
    QSignalSpy scheduled(&runner, &RetryRunner::retryScheduled);
    QSignalSpy finished(&runner, &RetryRunner::finished);

    QTest::ignoreMessage(QtDebugMsg, "attempt 1 of 5 failed with connection error; retrying in "
                                     "1 ms");
    QTest::ignoreMessage(QtDebugMsg, "attempt 2 of 5 failed with timeout; retrying in 2 ms");
    runner.start();

    QVERIFY(finished.wait(5000));
    QVERIFY(runner.succeeded());
    QCOMPARE(runner.attempts(), 3);
    // [1, 1.1) and [2, 2.2) ms, rounded down to whole milliseconds.
    QCOMPARE(scheduled.at(0).at(1).toLongLong(), 1);
    QCOMPARE(scheduled.at(1).at(1).toLongLong(), 2);
    // A QTimer never fires before its interval on the monotonic clock the runner measures with.
    QVERIFY(runner.totalWaitedMs() >= 3);
}

QTEST_GUILESS_MAIN(tst_RetryRunner)
#include "tst_retryrunner.moc"
