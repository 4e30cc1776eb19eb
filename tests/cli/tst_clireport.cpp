#include "clirun.h"

#include "economics/calculationstep.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace CliTest;

namespace {

// A deployment with routing and caching, as both commands take it.
const QStringList scenario{
    u"--requests-per-day"_s, u"50000"_s, u"--peak-ratio"_s,           u"8"_s,
    u"--input-tokens"_s,     u"2000"_s,  u"--output-tokens"_s,        u"250"_s,
    u"--route-share"_s,      u"0.6"_s,   u"--cached-prefix-tokens"_s, u"1200"_s,
    u"--cache-hit-rate"_s,   u"0.9"_s};

// Rates are shown with four decimals, counts and tokens as formatCount() writes them.
QString rate(const QJsonObject &json, QLatin1StringView key)
{
    return QString::number(json.value(key).toDouble(), 'f', 4);
}

CliRun capacityReport(const QStringList &extra = {})
{
    return runCli(QStringList{u"report"_s, u"capacity"_s} + scenario + extra);
}

} // namespace

class tst_CliReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hasEverySection();
    void showsTheFiguresOfPlan();
    void twoRunsAreByteIdentical();
    void writesTheSameToAFile();
    void fitsTheLatencyToALog();
    void badUsageExitsTwo_data();
    void badUsageExitsTwo();
};

void tst_CliReport::hasEverySection()
{
    const CliRun run = capacityReport();

    QCOMPARE(run.exitCode, 0);
    const QString markdown = QString::fromUtf8(run.out);
    for (const QString &section :
         {u"# Design: an LLM API for 50000 requests/day with a P99 under 2000 ms"_s,
          u"## 1. Capacity planning"_s, u"## 2. Model and routing"_s, u"## 3. Prompt caching"_s,
          u"## 4. Infrastructure"_s, u"## 5. Latency budget"_s, u"## 6. Observability"_s,
          u"## 7. Rate limits"_s, u"## 8. Checklist"_s}) {
        QVERIFY2(markdown.contains(section), qPrintable(section));
    }
}

void tst_CliReport::showsTheFiguresOfPlan()
{
    const CliRun plan = runCli(QStringList{u"plan"_s, u"--json"_s} + scenario);
    QCOMPARE(plan.exitCode, 0);
    const QJsonObject json = parseJson(plan);
    const CliRun run = capacityReport();
    QCOMPARE(run.exitCode, 0);
    const QString markdown = QString::fromUtf8(run.out);

    const auto shows = [&](const QString &label, const QString &figure) {
        return markdown.contains(label + u" = "_s) && markdown.contains(u"**"_s + figure + u"**"_s);
    };
    QVERIFY(shows(u"Average RPS"_s, rate(json, "avg_rps"_L1)));
    QVERIFY(shows(u"Peak RPS"_s, rate(json, "peak_rps"_L1)));
    QVERIFY(shows(u"Peak RPM"_s, rate(json, "peak_rpm"_L1)));
    QVERIFY(shows(u"Daily input tokens"_s,
                  formatCount(json.value("daily_input_tokens"_L1).toDouble())));
    QVERIFY(shows(u"Peak output TPM"_s, formatCount(json.value("peak_output_tpm"_L1).toDouble())));
    QVERIFY(shows(u"Baseline daily cost"_s,
                  formatUsd(json.value("baseline_daily_cost_usd"_L1).toDouble())));
    const QJsonObject routed = json.value("after_routing"_L1).toObject();
    QVERIFY(
        shows(u"Daily cost after routing"_s, formatUsd(routed.value("daily_usd"_L1).toDouble())));
    const QJsonObject cached = json.value("after_caching"_L1).toObject();
    QVERIFY(
        shows(u"Daily cost after caching"_s, formatUsd(cached.value("daily_usd"_L1).toDouble())));
    QVERIFY(markdown.contains(u"**%1** carries the peak"_s.arg(json.value("tier"_L1).toString())));
}

void tst_CliReport::twoRunsAreByteIdentical()
{
    const CliRun first = capacityReport();
    const CliRun second = capacityReport();

    QCOMPARE(first.exitCode, 0);
    QVERIFY(!first.out.isEmpty());
    QCOMPARE(first.out, second.out);
}

void tst_CliReport::writesTheSameToAFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"exercise_05_design.md"_s);

    const CliRun toFile = capacityReport({u"--out"_s, path});
    const CliRun toStdout = capacityReport();

    QCOMPARE(toFile.exitCode, 0);
    QVERIFY(toFile.out.isEmpty());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), toStdout.out);
}

void tst_CliReport::fitsTheLatencyToALog()
{
    const QString log = QFINDTESTDATA("../core/data/calls_valid.jsonl");
    QVERIFY(!log.isEmpty());

    const CliRun run = capacityReport({u"--log"_s, log});

    QCOMPARE(run.exitCode, 0);
    // Latencies 300 400 500 700 1200 5000: nearest-rank median 500, P99 5000;
    // sigma = ln(10) / 2.326 = 0.98993.
    const QString markdown = QString::fromUtf8(run.out);
    QVERIFY2(markdown.contains(u"ln(P99 5000 ms / median 500 ms) / 2.326 over 6 calls"_s),
             run.out.constData());
    QVERIFY(markdown.contains(u"sigma 0.9899"_s));
}

void tst_CliReport::badUsageExitsTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("no report") << QStringList{u"report"_s} << u"Usage"_s;
    QTest::newRow("unknown report")
        << QStringList{u"report"_s, u"weather"_s} << u"unknown report \"weather\""_s;
    QTest::newRow("bad target") << QStringList{u"report"_s, u"capacity"_s, u"--p99-target-ms"_s,
                                               u"soon"_s}
                                << u"p99-target-ms"_s;
}

void tst_CliReport::badUsageExitsTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expectedError);

    const CliRun run = runCli(arguments);

    QCOMPARE(run.exitCode, 2);
    QVERIFY2(QString::fromUtf8(run.err).contains(expectedError), run.err.constData());
}

QTEST_GUILESS_MAIN(tst_CliReport)
#include "tst_clireport.moc"
