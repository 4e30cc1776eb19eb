#include "cachingpanel/cachingpanel.h"
#include "session/callsession.h"
#include "session/queryrun.h"

#include "panelscreenshots.h"

#include <QApplication>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace Qt::Literals::StringLiterals;

namespace {

QStringList rowsOf(const QTreeWidget *tree)
{
    QStringList rows;
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = tree->topLevelItem(i);
        rows.append(item->text(0) + u" = "_s + item->text(1) + u" = "_s + item->text(2));
    }
    return rows;
}

QStringList stepsOf(const CacheScenario &scenario)
{
    const Expected<CacheEconomics> economics = CacheEconomics::compute(scenario);
    QStringList steps;
    for (const CalculationStep &step : economics->working)
        steps.append(step.toString());
    return steps;
}

} // namespace

class tst_CachingPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void figuresEqualCacheEconomics_data();
    void figuresEqualCacheEconomics();
    void measuresACachedRun();
    void exportsTheReport();
    void renders();

private:
    QTemporaryDir m_dir;
    CallSession m_session;
};

void tst_CachingPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    SessionOptions options;
    options.logPath = m_dir.filePath(u"llm_calls.jsonl"_s);
    options.forceSimulator = true;
    options.simulatorLatencyScale = 0;
    const Expected<void> started = m_session.start(options);
    QVERIFY2(started, qPrintable(started ? QString() : started.error()));
}

void tst_CachingPanel::figuresEqualCacheEconomics_data()
{
    QTest::addColumn<double>("calls");
    QTest::addColumn<int>("tokens");
    QTest::addColumn<double>("input");
    QTest::addColumn<double>("read");
    QTest::addColumn<double>("ttl");
    QTest::addColumn<double>("interval"); // 0: 86400 / calls

    QTest::newRow("support desk") << 1000.0 << 500 << 0.30 << 0.03 << 300.0 << 90.0;
    QTest::newRow("sparse, spread over the day") << 200.0 << 4000 << 3.0 << 0.30 << 300.0 << 0.0;
    QTest::newRow("reads cost as much as input") << 5000.0 << 2000 << 1.0 << 1.0 << 3600.0 << 0.0;
}

void tst_CachingPanel::figuresEqualCacheEconomics()
{
    QFETCH(double, calls);
    QFETCH(int, tokens);
    QFETCH(double, input);
    QFETCH(double, read);
    QFETCH(double, ttl);
    QFETCH(double, interval);
    CachingPanel panel(&m_session);

    // As a user types them, one box at a time.
    panel.findChild<QDoubleSpinBox *>(u"callsPerDay"_s)->setValue(calls);
    panel.findChild<QSpinBox *>(u"promptTokens"_s)->setValue(tokens);
    panel.findChild<QDoubleSpinBox *>(u"inputPrice"_s)->setValue(input);
    panel.findChild<QDoubleSpinBox *>(u"readPrice"_s)->setValue(read);
    panel.findChild<QDoubleSpinBox *>(u"ttl"_s)->setValue(ttl);
    panel.findChild<QDoubleSpinBox *>(u"interval"_s)->setValue(interval);

    CacheScenario uniform{
        calls, tokens, input, read, std::nullopt, ttl, ArrivalPattern::Uniform, std::nullopt};
    if (interval > 0)
        uniform.intervalSeconds = interval;
    CacheScenario poisson = uniform;
    poisson.arrivals = ArrivalPattern::Poisson;
    poisson.intervalSeconds.reset();
    QCOMPARE(rowsOf(panel.findChild<QTreeWidget *>(u"uniformWorking"_s)), stepsOf(uniform));
    QCOMPARE(rowsOf(panel.findChild<QTreeWidget *>(u"poissonWorking"_s)), stepsOf(poisson));
    const Expected<CacheEconomics> expected = CacheEconomics::compute(uniform);
    QCOMPARE(panel.uniform()->savingPercent, expected->savingPercent);
    const QString warnings = panel.findChild<QLabel *>(u"warnings"_s)->text();
    for (const QString &warning : expected->warnings)
        QVERIFY2(warnings.contains(warning), qPrintable(warnings));
}

void tst_CachingPanel::measuresACachedRun()
{
    CachingPanel panel(&m_session);
    QueryRun run(&m_session);
    QueryRunOptions options;
    options.systemPrompt = QueryRun::builtInSystemPrompt();
    options.cache = CacheTtl::FiveMinutes;
    options.maxTokens = 50;
    run.setOptions(options);
    run.setQueries(QueryRun::builtInQueries().mid(0, 3));
    QSignalSpy finished(&run, &QueryRun::finished);

    run.start();

    QVERIFY(finished.wait(20'000));
    QCOMPARE(run.failures(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(panel.measuredCalls().size() == 3, 10'000);
    const QList<MeasuredCall> &calls = panel.measuredCalls();
    // The bundled prompt caches on Haiku 4.5: the first call writes it, the others read it.
    const qint64 written = calls.at(0).usage.cacheCreationInputTokens;
    QVERIFY(written >= 4096);
    QCOMPARE(calls.at(1).usage.cacheReadInputTokens, written);
    QCOMPARE(calls.at(2).usage.cacheReadInputTokens, written);
    const QTreeWidget *table = panel.findChild<QTreeWidget *>(u"measuredCalls"_s);
    QCOMPARE(table->topLevelItemCount(), 3);
    const int why = table->columnCount() - 1;
    QCOMPARE(table->topLevelItem(0)->text(why), cacheVerdictText(CacheVerdict::FirstCall));
    QCOMPARE(table->topLevelItem(2)->text(why), cacheVerdictText(CacheVerdict::Read));
    const QString summary = panel.findChild<QLabel *>(u"measuredSummary"_s)->text();
    QVERIFY2(summary.contains(u"Call 1 wrote %1 tokens"_s.arg(written)), qPrintable(summary));
}

void tst_CachingPanel::exportsTheReport()
{
    CachingPanel panel(&m_session);
    QSignalSpy measured(&panel, &CachingPanel::measuredChanged);
    QVERIFY(measured.wait(10'000));
    const QString path = m_dir.filePath(u"exercise_03_solution.md"_s);

    const Expected<void> written = panel.exportReport(path);

    QVERIFY2(written, qPrintable(written ? QString() : written.error()));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QVERIFY(text.contains(u"| Daily cost without caching | $0.150000 |"_s));
    QVERIFY(text.contains(u"## Part B: measured"_s));
    QVERIFY(text.contains(u"Call 1 wrote"_s));
}

void tst_CachingPanel::renders()
{
    CachingPanel panel(&m_session);
    QSignalSpy measured(&panel, &CachingPanel::measuredChanged);
    QVERIFY(measured.wait(10'000));
    const QString problem = renderInBothPalettes(panel, u"caching"_s);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

QTEST_MAIN(tst_CachingPanel)
#include "tst_cachingpanel.moc"
