#include "clirun.h"

#include "economics/calculationstep.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace CliTest;

class tst_CliCacheReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cacheReportHasEverySection();
    void cacheReportAgreesWithCacheCalc_data();
    void cacheReportAgreesWithCacheCalc();
    void cacheReportMeasuresTheLog();
    void cacheReportIsDeterministic();
    void usageErrorsAndFailures_data();
    void usageErrorsAndFailures();
};

void tst_CliCacheReport::cacheReportHasEverySection()
{
    const CliRun run = runCli({u"report"_s, u"cache"_s});

    QCOMPARE(run.exitCode, 0);
    const QString text = QString::fromUtf8(run.out);
    const QStringList headings = {
        u"# Prompt caching: what it costs and what it saves"_s,
        u"## The scenario"_s,
        u"## Part A: the theory"_s,
        u"### Uniform arrivals, step by step"_s,
        u"### Poisson arrivals, step by step"_s,
        u"### Break-even"_s,
        u"### Warnings"_s,
        u"## Part B: measured"_s,
    };
    qsizetype previous = -1;
    for (const QString &heading : headings) {
        const qsizetype at = text.indexOf(heading);
        QVERIFY2(at > previous, qPrintable(heading));
        previous = at;
    }
    QVERIFY(text.contains(u"opsbench-cli run --cache"_s));
}

void tst_CliCacheReport::cacheReportAgreesWithCacheCalc_data()
{
    QTest::addColumn<QStringList>("options");

    QTest::newRow("defaults") << QStringList();
    QTest::newRow("sparse calls, long ttl")
        << QStringList{u"--calls-per-day"_s, u"200"_s, u"--ttl-s"_s, u"600"_s};
    QTest::newRow("sonnet prices")
        << QStringList{u"--model"_s, u"claude-sonnet-4-5"_s, u"--prompt-tokens"_s, u"3000"_s};
    QTest::newRow("caching never pays")
        << QStringList{u"--cache-read-price"_s, u"0.5"_s, u"--interval-s"_s, u"600"_s};
}

void tst_CliCacheReport::cacheReportAgreesWithCacheCalc()
{
    QFETCH(QStringList, options);

    const CliRun report = runCli(QStringList{u"report"_s, u"cache"_s} + options);
    const CliRun uniform = runCli(QStringList{u"cache-calc"_s, u"--json"_s} + options);
    const CliRun poisson =
        runCli(QStringList{u"cache-calc"_s, u"--json"_s, u"--arrivals"_s, u"poisson"_s} + options);
    QCOMPARE(report.exitCode, 0);
    QCOMPARE(uniform.exitCode, 0);
    QCOMPARE(poisson.exitCode, 0);
    const QString text = QString::fromUtf8(report.out);
    const QJsonObject u = parseJson(uniform);
    const QJsonObject p = parseJson(poisson);

    const auto usd = [](const QJsonObject &json, QLatin1StringView key) {
        return formatUsd(json.value(key).toDouble());
    };
    const QString costRow = u"| Daily cost with caching | %1 | %2 |"_s.arg(
        usd(u, "daily_cost_with_cache_usd"_L1), usd(p, "daily_cost_with_cache_usd"_L1));
    QVERIFY2(text.contains(costRow), qPrintable(costRow));
    const QString savingRow =
        u"| Saving | %1% | %2% |"_s.arg(u.value("saving_pct"_L1).toDouble(), 0, 'f', 3)
            .arg(p.value("saving_pct"_L1).toDouble(), 0, 'f', 3);
    QVERIFY2(text.contains(savingRow), qPrintable(savingRow));

    // Every step of both workings, in the report's "label: formula = **result**" form.
    for (const QJsonObject &json : {u, p}) {
        const QJsonArray working = json.value("working"_L1).toArray();
        QVERIFY(!working.isEmpty());
        for (const QJsonValue &step : working) {
            const QStringList parts = step.toString().split(u" = "_s);
            QCOMPARE(parts.size(), 3);
            const QString line = u"%1: %2 = **%3**"_s.arg(parts.at(0), parts.at(1), parts.at(2));
            QVERIFY2(text.contains(line), qPrintable(line));
        }
    }
    // The Poisson column ignores --interval-s instead of warning that it does not apply.
    for (const QJsonValue &warning : u.value("warnings"_L1).toArray())
        QVERIFY2(text.contains(warning.toString()), qPrintable(warning.toString()));
}

void tst_CliCacheReport::cacheReportMeasuresTheLog()
{
    const QString log = QFINDTESTDATA("../core/data/calls_cache_run.jsonl");
    QVERIFY(!log.isEmpty());

    const CliRun run =
        runCli({u"report"_s, u"cache"_s, u"--log"_s, log, u"--feature"_s, u"support"_s});

    QCOMPARE(run.exitCode, 0);
    const QString text = QString::fromUtf8(run.out);
    // The three support calls of the fixture on Haiku 4.5, priced by hand in tst_cachereport:
    // $0.008850 against $0.016600 without caching.
    QVERIFY2(text.contains(u"3 calls to `claude-haiku-4-5-20251001`, feature `support`"_s),
             run.out.constData());
    QVERIFY(text.contains(u"a saving of **46.687%**"_s));
    QVERIFY(!text.contains(u"opsbench-cli run --cache"_s));
}

void tst_CliCacheReport::cacheReportIsDeterministic()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath(u"exercise_03_solution.md"_s);
    const QStringList arguments = {
        u"report"_s,     u"cache"_s,
        u"--log"_s,      QFINDTESTDATA("../core/data/calls_cache_run.jsonl"),
        u"--arrivals"_s, u"poisson"_s};

    const CliRun first = runCli(arguments);
    const CliRun second = runCli(arguments);
    const CliRun toFile = runCli(arguments + QStringList{u"--out"_s, out});

    QCOMPARE(first.exitCode, 0);
    QCOMPARE(first.out, second.out);
    QCOMPARE(toFile.exitCode, 0);
    QVERIFY(toFile.out.isEmpty());
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), first.out);
}

void tst_CliCacheReport::usageErrorsAndFailures_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");

    QTest::newRow("no report") << QStringList{u"report"_s} << 2 << u"Reports (markdown):"_s;
    QTest::newRow("unknown report")
        << QStringList{u"report"_s, u"weather"_s} << 2 << u"unknown report \"weather\""_s;
    QTest::newRow("feature without log")
        << QStringList{u"report"_s, u"cache"_s, u"--feature"_s, u"chat"_s} << 2
        << u"--feature needs --log"_s;
    QTest::newRow("missing log") << QStringList{u"report"_s, u"cache"_s, u"--log"_s,
                                                u"/nonexistent/calls.jsonl"_s}
                                 << 1 << u"/nonexistent/calls.jsonl"_s;
}

void tst_CliCacheReport::usageErrorsAndFailures()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);

    const CliRun run = runCli(arguments);

    QCOMPARE(run.exitCode, exitCode);
    const QString all = QString::fromUtf8(run.out + run.err);
    QVERIFY2(all.contains(message), qPrintable(all));
}

QTEST_GUILESS_MAIN(tst_CliCacheReport)
#include "tst_clicachereport.moc"
