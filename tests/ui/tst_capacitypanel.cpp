#include "capacitypanel/capacitypanel.h"
#include "mainwindow.h"
#include "screenshots.h"
#include "simsession.h"

#include "calllog/callrecord.h"
#include "economics/calculationstep.h"
#include "session/callsession.h"

#include <QApplication>
#include <QDateTime>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

Q_DECLARE_METATYPE(CapacityScenario)

class tst_CapacityPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void showsThePlansFigures_data();
    void showsThePlansFigures();
    void fitsTheLatencyToTheLog();
    void exportsTheDesign();
    void rendersInBothPalettes();

private:
    QTemporaryDir m_dir;
    CallSession m_session;
};

void tst_CapacityPanel::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const Expected<void> started = startSimulatorSession(m_session, m_dir);
    QVERIFY2(started, qPrintable(started ? QString() : started.error()));
}

void tst_CapacityPanel::showsThePlansFigures_data()
{
    QTest::addColumn<CapacityScenario>("scenario");

    CapacityScenario plain;
    plain.requestsPerDay = 10000;
    plain.inputTokensPerRequest = 1500;
    plain.outputTokensPerRequest = 300;
    plain.modelId = u"claude-sonnet-4-6"_s;
    QTest::newRow("sonnet only") << plain;

    CapacityScenario optimised = plain;
    optimised.requestsPerDay = 250000;
    optimised.peakRatio = 6;
    optimised.routing = RoutingShare{0.7, u"claude-haiku-4-5"_s};
    optimised.caching = PrefixCaching{1000, 0.8};
    QTest::newRow("routed and cached") << optimised;
}

void tst_CapacityPanel::showsThePlansFigures()
{
    QFETCH(CapacityScenario, scenario);
    CapacityPanel panel(&m_session);

    panel.setScenario(scenario);

    const Expected<CapacityPlan> plan =
        CapacityPlan::compute(scenario, m_session.prices(), RateLimitTable::builtIn());
    QVERIFY(plan);
    QCOMPARE(panel.figureText(u"averageRps"_s), formatCount(plan->averageRps));
    QCOMPARE(panel.figureText(u"peakRps"_s), formatCount(plan->peakRps));
    QCOMPARE(panel.figureText(u"peakRpm"_s), formatCount(plan->peakRpm));
    QCOMPARE(panel.figureText(u"dailyInputTokens"_s), formatCount(plan->dailyInputTokens));
    QCOMPARE(panel.figureText(u"peakOutputTpm"_s), formatCount(plan->peakOutputTpm));
    QCOMPARE(panel.figureText(u"countedPeakInputTpm"_s), formatCount(plan->countedPeakInputTpm));
    QCOMPARE(panel.figureText(u"baselineDaily"_s), formatDollars(plan->baseline.daily));
    QCOMPARE(panel.figureText(u"routedDaily"_s), formatDollars(plan->afterRouting.daily));
    QCOMPARE(panel.figureText(u"cachedDaily"_s), formatDollars(plan->afterCaching.daily));
    QCOMPARE(panel.figureText(u"tier"_s), plan->tier.value_or(u"none listed fits"_s));
    QVERIFY(
        panel.figureText(u"binding"_s).startsWith(u"Binding limit: "_s + plan->binding.className));
}

void tst_CapacityPanel::fitsTheLatencyToTheLog()
{
    // Two calls of 1000 and 2000 ms: nearest-rank median 1000, P99 2000, so the spread is
    // ln 2 / 2.326 and the budget's P99 is twice its median.
    QFile log(m_session.logPath());
    QVERIFY(log.open(QIODevice::Append));
    for (const int latency : {1000, 2000}) {
        CallRecord record;
        record.requestId = u"00000000-0000-4000-8000-00000000000%1"_s.arg(latency / 1000);
        record.timestamp = QDateTime(QDate(2026, 1, 5), QTime(9, 0), Qt::UTC);
        record.model = u"claude-haiku-4-5"_s;
        record.latencyMs = latency;
        record.finishReason = u"end_turn"_s;
        log.write(record.toJsonLine());
    }
    log.close();
    CapacityPanel panel(&m_session);
    QSignalSpy fitted(&panel, &CapacityPanel::logFitFinished);

    panel.fitToLog();

    QVERIFY(fitted.wait());
    QCOMPARE(fitted.first().first().toBool(), true);
    QVERIFY(panel.report());
    const LatencyBudget &latency = panel.report()->latency;
    QVERIFY(latency.measured);
    QCOMPARE(latency.measured->calls, qint64(2));
    QVERIFY(qAbs(latency.p99Ms - 2 * latency.medianMs) < 1e-6);
}

void tst_CapacityPanel::exportsTheDesign()
{
    CapacityPanel panel(&m_session);
    const QString path = m_dir.filePath(u"exercise_05_design.md"_s);

    const Expected<void> written = panel.exportReport(path);

    QVERIFY2(written, qPrintable(written ? QString() : written.error()));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(file.readAll()), panel.report()->markdown());
}

void tst_CapacityPanel::rendersInBothPalettes()
{
    const QString folder = qEnvironmentVariable("OPSBENCH_SHOT_DIR", m_dir.filePath(u"shots"_s));
    MainWindow window;
    auto *panel = new CapacityPanel(&m_session);
    CapacityScenario scenario = panel->scenario();
    scenario.routing = RoutingShare{0.7, u"claude-haiku-4-5"_s};
    scenario.caching = PrefixCaching{1000, 0.8};
    panel->setScenario(scenario);
    window.addPanel(panel, u"capacity"_s, u"Capacity"_s);

    const Expected<QStringList> written = renderScreenshots(window, folder, QSize(1440, 900));

    QVERIFY2(written, qPrintable(written ? QString() : written.error()));
    QCOMPARE(written->size(), qsizetype(2));
}

QTEST_MAIN(tst_CapacityPanel)
#include "tst_capacitypanel.moc"
