#include "mainwindow.h"
#include "retrylab/retrylabpanel.h"
#include "retrylab/thunderingherd.h"
#include "screenshots.h"
#include "simsession.h"

#include "session/callsession.h"
#include "sim/simulator.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

Q_DECLARE_METATYPE(TimelineSegment::Kind)

class tst_RetryLab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void forcedRateLimitsShowAsAttempts_data();
    void forcedRateLimitsShowAsAttempts();
    void herdWithoutJitterLandsInOneBin();
    void herdWithJitterSpreads();
    void networkPartNeedsTheSimulator();
    void rendersInBothPalettes();

private:
    QTemporaryDir m_dir;
    CallSession m_session;
};

void tst_RetryLab::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const Expected<void> started = startSimulatorSession(m_session, m_dir);
    QVERIFY2(started, qPrintable(started ? QString() : started.error()));
}

void tst_RetryLab::forcedRateLimitsShowAsAttempts_data()
{
    QTest::addColumn<bool>("retryAfter");
    QTest::addColumn<TimelineSegment::Kind>("waitKind");

    QTest::newRow("backoff") << false << TimelineSegment::Kind::Backoff;
    QTest::newRow("retry-after") << true << TimelineSegment::Kind::RetryAfter;
}

void tst_RetryLab::forcedRateLimitsShowAsAttempts()
{
    QFETCH(bool, retryAfter);
    QFETCH(TimelineSegment::Kind, waitKind);
    RetryLabPanel panel(&m_session);
    // Waits of a few milliseconds: the retry-after hint (1 s) is capped at the 20 ms maximum.
    panel.setPolicy(4, 5, 20);
    panel.setFaults(2, retryAfter, 0);
    panel.setCallCount(3);
    QSignalSpy finished(&panel, &RetryLabPanel::runFinished);

    panel.runCalls();

    QVERIFY(finished.wait(20'000));
    QCOMPARE(panel.timelines().size(), qsizetype(3));
    for (const CallTimeline &call : panel.timelines()) {
        // Two 429s, then the answer: attempt, wait, attempt, wait, attempt.
        QCOMPARE(call.attempts, 3);
        QVERIFY(call.succeeded);
        QCOMPARE(call.segments.size(), qsizetype(5));
        QCOMPARE(call.segments.at(1).kind, waitKind);
        QCOMPARE(call.segments.at(3).kind, waitKind);
        QCOMPARE(call.segments.at(4).kind, TimelineSegment::Kind::Attempt);
    }
    // The lab puts the simulator's faults back when it is done.
    QCOMPARE(m_session.simulator()->faults().failFirst, 0);
}

void tst_RetryLab::herdWithoutJitterLandsInOneBin()
{
    RetryPolicy policy;
    policy.setBaseDelayMs(1000);

    const QList<qint64> instants = ThunderingHerd::retryInstants(policy, 200, false, 1);
    const RetryHistogram histogram = ThunderingHerd::histogram(policy, instants, 10);

    // Every client waits exactly the base delay: 1000 ms, all in the first bin.
    QCOMPARE(instants.size(), qsizetype(200));
    QCOMPARE(instants.count(1000), qsizetype(200));
    QCOMPARE(histogram.nonEmptyBins(), 1);
    QCOMPARE(histogram.counts.first(), 200);
}

void tst_RetryLab::herdWithJitterSpreads()
{
    RetryPolicy policy;
    policy.setBaseDelayMs(1000);

    const QList<qint64> instants = ThunderingHerd::retryInstants(policy, 200, true, 1);
    const RetryHistogram histogram = ThunderingHerd::histogram(policy, instants, 10);

    // Jitter is below 10 % of the wait: every retry falls in [1000, 1100) ms, over 10 bins of
    // 10 ms, and 200 uniform draws leave no more than a few of them empty.
    int counted = 0;
    for (const int count : histogram.counts)
        counted += count;
    QCOMPARE(counted, 200);
    QCOMPARE(histogram.binMs, qint64(10));
    QVERIFY2(histogram.nonEmptyBins() >= 5, qPrintable(QString::number(histogram.nonEmptyBins())));
    QVERIFY(*std::max_element(histogram.counts.cbegin(), histogram.counts.cend()) < 200);

    RetryLabPanel panel(&m_session);
    panel.setPolicy(5, 1000, 60000);
    panel.setHerdClients(50);
    QCOMPARE(panel.herdWithoutJitter().nonEmptyBins(), 1);
    QVERIFY(panel.herdWithJitter().nonEmptyBins() > 1);
}

void tst_RetryLab::networkPartNeedsTheSimulator()
{
    QTemporaryDir dir;
    CallSession remote;
    SessionOptions options;
    options.logPath = dir.filePath(u"llm_calls.jsonl"_s);
    options.baseUrl = u"http://127.0.0.1:9"_s;
    QVERIFY(remote.start(options));
    RetryLabPanel panel(&remote);

    auto *run = panel.findChild<QPushButton *>();
    QVERIFY(run);
    QVERIFY(!run->isEnabled());
    panel.runCalls();
    QVERIFY(!panel.isRunning());
}

void tst_RetryLab::rendersInBothPalettes()
{
    const QString folder = qEnvironmentVariable("OPSBENCH_SHOT_DIR", m_dir.filePath(u"shots"_s));
    MainWindow window;
    auto *panel = new RetryLabPanel(&m_session);
    // Waits long enough that the herd's jitter (10 % of 200 ms) spans all ten 2 ms bins.
    panel->setPolicy(4, 200, 2000);
    panel->setFaults(2, false, 0);
    panel->setCallCount(3);
    window.addPanel(panel, u"retrylab"_s, u"Retry lab"_s);
    QSignalSpy finished(panel, &RetryLabPanel::runFinished);
    panel->runCalls();
    QVERIFY(finished.wait(20'000));

    const Expected<QStringList> written = renderScreenshots(window, folder, QSize(1440, 900));

    QVERIFY2(written, qPrintable(written ? QString() : written.error()));
    QCOMPARE(written->size(), qsizetype(2));
}

QTEST_MAIN(tst_RetryLab)
#include "tst_retrylab.moc"
