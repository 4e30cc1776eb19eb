#include "clirun.h"

#include "calllog/callrecord.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

using namespace CliTest;

class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void helpExitsZero();
    void routeDecidesLikeByHand_data();
    void routeDecidesLikeByHand();
    void routeRefusalHasNullModel();
    void cacheCalcDefaultCase();
    void cacheCalcPoisson();
    void planWithRoutingAndCaching();
    void statsAddsUpTheLog();
    void statsCountsMalformedLinesAndTheTail();
    void statsHumanOutput();
    void runLogsFiveCallsThatReadTheCache();
    void runRidesOutRateLimitsFromASimulatorProcess();
    void runReportsFailedCalls();
    void failuresExitWithOneLine_data();
    void failuresExitWithOneLine();
};

void tst_Cli::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("no command") << QStringList() << QString();
    QTest::newRow("unknown command")
        << QStringList{u"frobnicate"_s} << u"unknown command \"frobnicate\""_s;
}

void tst_Cli::usageErrorsExitTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expectedError);

    const CliRun run = runCli(arguments);

    QCOMPARE(run.exitCode, 2);
    QVERIFY2(QString::fromUtf8(run.err).contains(expectedError), run.err.constData());
}

void tst_Cli::helpExitsZero()
{
    const CliRun run = runCli({u"--help"_s});

    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains("Usage: opsbench-cli COMMAND"));
}

void tst_Cli::routeDecidesLikeByHand_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("tier");
    QTest::addColumn<int>("words");
    QTest::addColumn<double>("cost");

    // "What is 2+2?": 12 characters -> 3 tokens; 3 x $1 + 1024 x $5 = 5123 -> $0.005123
    QTest::newRow("short question")
        << u"What is 2+2?"_s << u"claude-haiku-4-5-20251001"_s << u"haiku"_s << 3 << 0.005123;
    // 50 characters -> 13 tokens; 13 x $3 + 1024 x $15 = 15399 -> $0.015399
    QTest::newRow("code keyword") << u"Debug this Python function: def foo(x): return x/0"_s
                                  << u"claude-sonnet-4-6"_s << u"sonnet"_s << 8 << 0.015399;
}

void tst_Cli::routeDecidesLikeByHand()
{
    QFETCH(QString, query);
    QFETCH(QString, model);
    QFETCH(QString, tier);
    QFETCH(int, words);
    QFETCH(double, cost);

    const CliRun run = runCli({u"route"_s, u"--json"_s, query});

    QCOMPARE(run.exitCode, 0);
    const QJsonObject json = parseJson(run);
    QCOMPARE(json.value("model"_L1).toString(), model);
    QCOMPARE(json.value("tier"_L1).toString(), tier);
    QCOMPARE(json.value("refused"_L1).toBool(), false);
    QCOMPARE(json.value("word_count"_L1).toInt(), words);
    QVERIFY(json.value("estimated_cost_usd"_L1).isDouble());
    QCOMPARE(json.value("estimated_cost_usd"_L1).toDouble(), cost);
    QVERIFY(json.value("matched"_L1).isArray());
    QVERIFY(!json.value("reason"_L1).toString().isEmpty());
}

void tst_Cli::routeRefusalHasNullModel()
{
    // The guard refuses once output alone is over $0.10: 5000 x $25 / 1e6 = $0.125.
    const CliRun run = runCli({u"route"_s, u"--json"_s, u"--max-tokens"_s, u"5000"_s,
                               u"Write a comprehensive report on churn"_s});

    QCOMPARE(run.exitCode, 0);
    const QJsonObject json = parseJson(run);
    QVERIFY(json.value("model"_L1).isNull());
    QCOMPARE(json.value("refused"_L1).toBool(), true);
    QCOMPARE(json.value("tier"_L1).toString(), u"opus"_s);
    QVERIFY(json.value("reason"_L1).toString().contains(u"exceeds"_s));
}

void tst_Cli::cacheCalcDefaultCase()
{
    const CliRun run = runCli({u"cache-calc"_s, u"--json"_s});

    QCOMPARE(run.exitCode, 0);
    const QJsonObject json = parseJson(run);
    // 1000 calls x 500 tokens x $0.30 / 1e6 = $0.15 a day without caching.
    QCOMPARE(json.value("daily_cost_no_cache_usd"_L1).toDouble(), 0.15);
    // 90 s apart is within the 300 s lifetime: only the first call writes.
    QCOMPARE(json.value("cache_writes_per_day"_L1).toDouble(), 1.0);
    // 500 x $0.375 / 1e6 = $0.0001875; 999 x 500 x $0.03 / 1e6 = $0.014985.
    QCOMPARE(json.value("daily_cache_write_cost_usd"_L1).toDouble(), 0.0001875);
    QCOMPARE(json.value("daily_cache_read_cost_usd"_L1).toDouble(), 0.014985);
    QVERIFY(qFuzzyCompare(json.value("daily_cost_with_cache_usd"_L1).toDouble(), 0.0151725));
    // (0.15 - 0.0151725) / 0.15 = 89.885%
    QVERIFY(qFuzzyCompare(json.value("saving_pct"_L1).toDouble(), 89.885));
    // (0.375 - 0.30) / (0.30 - 0.03) = 0.075 / 0.27 = 5/18
    QVERIFY(qFuzzyCompare(json.value("break_even_reads_per_write"_L1).toDouble(), 5.0 / 18.0));
    // 86400 s / 300 s = 288 calls a day
    QCOMPARE(json.value("break_even_calls_per_day"_L1).toDouble(), 288.0);
    const QJsonArray warnings = json.value("warnings"_L1).toArray();
    QCOMPARE(warnings.size(), 1);
    QVERIFY(warnings.first().toString().contains(u"25.0 hours"_s));
}

void tst_Cli::cacheCalcPoisson()
{
    const CliRun run = runCli({u"cache-calc"_s, u"--json"_s, u"--arrivals"_s, u"poisson"_s});

    QCOMPARE(run.exitCode, 0);
    const QJsonObject json = parseJson(run);
    // 1000 x e^(-300 x 1000 / 86400) = 1000 x e^(-3.4722) = 31.048 writes a day
    QVERIFY(qAbs(json.value("cache_writes_per_day"_L1).toDouble() - 31.048) < 0.001);
    QVERIFY(json.value("warnings"_L1).toArray().isEmpty());
}

void tst_Cli::planWithRoutingAndCaching()
{
    const CliRun run = runCli({u"plan"_s, u"--json"_s, u"--route-share"_s, u"0.7"_s,
                               u"--cached-prefix-tokens"_s, u"1000"_s});

    QCOMPARE(run.exitCode, 0);
    const QJsonObject json = parseJson(run);
    // 10000 / 86400 = 0.11574 RPS; x10 at peak = 1.1574 RPS = 69.44 RPM
    QVERIFY(qFuzzyCompare(json.value("peak_rpm"_L1).toDouble(), 10000.0 * 10 * 60 / 86400));
    QCOMPARE(json.value("daily_input_tokens"_L1).toDouble(), 15'000'000.0);
    // Sonnet 4.6: 10000 x (1500 x $3 + 300 x $15) / 1e6 = $90 a day, $2700 a month
    QCOMPARE(json.value("baseline_daily_cost_usd"_L1).toDouble(), 90.0);
    QCOMPARE(json.value("baseline_monthly_cost_usd"_L1).toDouble(), 2700.0);
    // 30% Sonnet ($9.00 per 1000) + 70% Haiku 4.5 (1500 x $1 + 300 x $5 = $3.00 per 1000)
    // = 3000 x 0.009 + 7000 x 0.003 = $27 + $21 = $48 a day
    const QJsonObject routed = json.value("after_routing"_L1).toObject();
    QCOMPARE(routed.value("daily_usd"_L1).toDouble(), 48.0);
    QCOMPARE(json.value("tier"_L1).toString(), u"Tier 2"_s);
    QCOMPARE(json.value("binding_limit"_L1).toObject().value("measure"_L1).toString(),
             u"output TPM"_s);
}

void tst_Cli::statsAddsUpTheLog()
{
    const QString log = QFINDTESTDATA("../core/data/calls_valid.jsonl");
    QVERIFY(!log.isEmpty());

    const CliRun run = runCli({u"stats"_s, u"--json"_s, log});

    QCOMPARE(run.exitCode, 0);
    const QJsonObject json = parseJson(run);
    // The six calls of the fixture, added up by hand in tst_calllogreader: $0.037515; 4940 in,
    // 993 out, 1600 read, 6000 written; latencies 300 400 500 700 1200 5000.
    QCOMPARE(json.value("records"_L1).toInt(), 6);
    QCOMPARE(json.value("malformed_lines"_L1).toInt(), 0);
    QCOMPARE(json.value("incomplete_tail"_L1).toBool(), false);
    QCOMPARE(json.value("total_cost_usd"_L1).toDouble(), 0.037515);
    QCOMPARE(json.value("input_tokens"_L1).toInt(), 4940);
    QCOMPARE(json.value("output_tokens"_L1).toInt(), 993);
    QCOMPARE(json.value("cache_read_input_tokens"_L1).toInt(), 1600);
    QCOMPARE(json.value("cache_creation_input_tokens"_L1).toInt(), 6000);
    QCOMPARE(json.value("avg_latency_ms"_L1).toDouble(), 1350.0);
    QCOMPARE(json.value("p50_latency_ms"_L1).toDouble(), 500.0);  // rank ceil(0.5 x 6) = 3
    QCOMPARE(json.value("p95_latency_ms"_L1).toDouble(), 5000.0); // rank ceil(5.7) = 6
    QCOMPARE(json.value("p99_latency_ms"_L1).toDouble(), 5000.0);
    QCOMPARE(json.value("cache_hit_rate"_L1).toDouble(), 1600.0 / (4940 + 1600 + 6000));

    const QJsonObject haiku =
        json.value("by_model"_L1).toObject().value("claude-haiku-4-5-20251001"_L1).toObject();
    QCOMPARE(haiku.value("records"_L1).toInt(), 4);
    QCOMPARE(haiku.value("cost_usd"_L1).toDouble(), 0.008715);
    QCOMPARE(haiku.value("avg_latency_ms"_L1).toDouble(), 475.0);
    const QJsonObject rag =
        json.value("by_feature"_L1).toObject().value("rag_answer"_L1).toObject();
    QCOMPARE(rag.value("records"_L1).toInt(), 2);
    QCOMPARE(rag.value("cost_usd"_L1).toDouble(), 0.00138);
}

void tst_Cli::statsCountsMalformedLinesAndTheTail()
{
    const QString log = QFINDTESTDATA("../core/data/calls_mixed.jsonl");
    QVERIFY(!log.isEmpty());

    const CliRun run = runCli({u"stats"_s, u"--json"_s, log});

    QCOMPARE(run.exitCode, 0);
    const QJsonObject json = parseJson(run);
    QCOMPARE(json.value("records"_L1).toInt(), 3);
    QCOMPARE(json.value("malformed_lines"_L1).toInt(), 12);
    QCOMPARE(json.value("incomplete_tail"_L1).toBool(), true);
    QCOMPARE(json.value("total_cost_usd"_L1).toDouble(), 0.0195);
    const QJsonArray malformed = json.value("malformed"_L1).toArray();
    QCOMPARE(malformed.first().toObject().value("line"_L1).toInt(), 4);
}

void tst_Cli::statsHumanOutput()
{
    const QString log = QFINDTESTDATA("../core/data/calls_mixed.jsonl");

    const CliRun run = runCli({u"stats"_s, log});

    QCOMPARE(run.exitCode, 0);
    const QString out = QString::fromUtf8(run.out);
    QVERIFY2(out.contains(u"3 calls"_s), run.out.constData());
    QVERIFY2(out.contains(u"Malformed lines  12 (lines 4, 5, 6, 7"_s), run.out.constData());
    QVERIFY2(out.contains(u"Total cost       $0.019500"_s), run.out.constData());
    QVERIFY2(out.contains(u"Incomplete tail"_s), run.out.constData());
}

void tst_Cli::runLogsFiveCallsThatReadTheCache()
{
    QTemporaryDir dir;
    const QString log = dir.filePath(u"llm_calls.jsonl"_s);

    const CliRun run = runCli({u"run"_s, u"--cache"_s, u"--rag"_s, u"--sim-latency-scale"_s, u"0"_s,
                               u"--log"_s, log, u"--json"_s});

    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.err.contains("built-in simulator"), run.err.constData());
    QFile file(log);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QList<CallRecord> records;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        for (QLatin1StringView key : CallRecord::requiredKeys()) {
            const QByteArray quoted = QByteArray("\"") + key.data() + "\":";
            QVERIFY2(line.contains(quoted), key.data());
        }
        const Expected<CallRecord> record = CallRecord::fromJsonLine(line);
        QVERIFY(record.hasValue());
        records.append(*record);
    }
    QCOMPARE(records.size(), 5);
    // The bundled system prompt is long enough to cache on Haiku 4.5: the first call writes it,
    // the next four read exactly what it wrote.
    QVERIFY(records.at(0).cacheCreationInputTokens >= 4096);
    QCOMPARE(records.at(0).cacheReadInputTokens, 0);
    double total = 0;
    for (qsizetype i = 0; i < records.size(); ++i) {
        if (i > 0)
            QCOMPARE(records.at(i).cacheReadInputTokens, records.at(0).cacheCreationInputTokens);
        QCOMPARE(records.at(i).feature, u"rag_answer"_s);
        QCOMPARE(records.at(i).numRetrievedDocs, 3);
        total += records.at(i).costUsd;
    }

    const QJsonObject summary = parseJson(run).value("summary"_L1).toObject();
    QCOMPARE(summary.value("records"_L1).toInt(), 5);
    QVERIFY(qFuzzyCompare(summary.value("total_cost_usd"_L1).toDouble(), total));
    QVERIFY(summary.value("cache_hit_rate"_L1).toDouble() > 0.5);
}

void tst_Cli::runRidesOutRateLimitsFromASimulatorProcess()
{
    QProcess simulator;
    simulator.setProcessEnvironment(withoutAnthropicVariables());
    simulator.start(QStringLiteral(OPSBENCH_CLI_PATH),
                    {u"sim"_s, u"--fail-first"_s, u"3"_s, u"--retry-after"_s, u"0.05"_s,
                     u"--latency-scale"_s, u"0"_s});
    QVERIFY(simulator.waitForReadyRead(20'000));
    const QString listening = QString::fromUtf8(simulator.readLine()).trimmed();
    QVERIFY2(listening.startsWith(u"listening on http://127.0.0.1:"_s), qPrintable(listening));
    QVERIFY2(listening.endsWith(u"(loopback only: other machines cannot connect)"_s),
             qPrintable(listening));
    const QString baseUrl = listening.section(u' ', 2, 2);
    QTemporaryDir dir;

    const CliRun run = runCli(
        {u"run"_s, u"--base-url"_s, baseUrl, u"--log"_s, dir.filePath(u"llm_calls.jsonl"_s)});

    QCOMPARE(run.exitCode, 0);
    const QString out = QString::fromUtf8(run.out);
    QCOMPARE(out.count(u"failed (rate_limit_error); retrying in 0.05 s"_s), 3);
    QVERIFY(out.contains(u"(4 attempts)"_s));
    QVERIFY(out.contains(u"5 calls: total cost"_s));

    simulator.terminate(); // SIGTERM: the simulator stops cleanly and says nothing more
    QVERIFY(simulator.waitForFinished(10'000));
    QCOMPARE(simulator.exitStatus(), QProcess::NormalExit);
    QCOMPARE(simulator.exitCode(), 0);
    const QString traffic = QString::fromUtf8(simulator.readAllStandardOutput());
    QCOMPARE(traffic.count(u"[fault: fail-first]"_s), 3);
    QCOMPARE(traffic.count(u" 200 "_s), 5);
}

void tst_Cli::runReportsFailedCalls()
{
    QTemporaryDir dir;
    const QString log = dir.filePath(u"llm_calls.jsonl"_s);

    // Not a real id: the simulator answers 404 like the API, and nothing is retried.
    const CliRun run = runCli({u"run"_s, u"--model"_s, u"claude-sonnet-4-5-20251001"_s,
                               u"--sim-latency-scale"_s, u"0"_s, u"--log"_s, log});

    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("5 of 5 calls failed"), run.err.constData());
    QVERIFY(run.out.contains("not_found_error"));
    QFile file(log);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray lines = file.readAll();
    QCOMPARE(lines.count('\n'), 5);
    QCOMPARE(lines.count("\"finish_reason\":\"error\""), 5);
}

void tst_Cli::failuresExitWithOneLine_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("unknown model")
        << QStringList{u"plan"_s, u"--model"_s, u"gpt-4o"_s} << 1 << u"unknown model \"gpt-4o\""_s;
    QTest::newRow("missing price file")
        << QStringList{u"route"_s, u"--prices"_s, u"/nonexistent/p.json"_s, u"hi"_s} << 1
        << u"/nonexistent/p.json: cannot read"_s;
    QTest::newRow("missing log") << QStringList{u"stats"_s, u"/nonexistent/llm_calls.jsonl"_s} << 1
                                 << u"/nonexistent/llm_calls.jsonl"_s;
    QTest::newRow("log is a folder") << QStringList{u"stats"_s, u"/tmp"_s} << 1 << u"/tmp: "_s;
    QTest::newRow("sim on a bad port")
        << QStringList{u"sim"_s, u"--port"_s, u"70000"_s} << 2 << u"--port"_s;
    QTest::newRow("run with a bad api version")
        << QStringList{u"run"_s, u"--api-version"_s, u"2024-01-01"_s} << 2 << u"--api-version"_s;
    QTest::newRow("run with a missing queries file")
        << QStringList{u"run"_s, u"--queries"_s, u"/nonexistent/q.txt"_s} << 1
        << u"/nonexistent/q.txt: cannot read"_s;
    QTest::newRow("stats without a file") << QStringList{u"stats"_s} << 2 << u"one log file"_s;
    QTest::newRow("no threads") << QStringList{u"stats"_s, u"--threads"_s, u"0"_s, u"/tmp"_s} << 2
                                << u"--threads: \"0\" is not a whole number"_s;
    QTest::newRow("bad number") << QStringList{u"cache-calc"_s, u"--ttl-s"_s, u"soon"_s} << 2
                                << u"--ttl-s: \"soon\" is not a number"_s;
    QTest::newRow("bad arrivals") << QStringList{u"cache-calc"_s, u"--arrivals"_s, u"bursty"_s} << 2
                                  << u"--arrivals"_s;
    QTest::newRow("unknown option")
        << QStringList{u"plan"_s, u"--frobnicate"_s} << 2 << u"frobnicate"_s;
    QTest::newRow("route without a query") << QStringList{u"route"_s} << 2 << u"query"_s;
}

void tst_Cli::failuresExitWithOneLine()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, expectedError);

    const CliRun run = runCli(arguments);

    QCOMPARE(run.exitCode, exitCode);
    QVERIFY(run.out.isEmpty());
    const QString error = QString::fromUtf8(run.err);
    QVERIFY2(error.startsWith(u"opsbench-cli: "_s), run.err.constData());
    QVERIFY2(error.contains(expectedError), run.err.constData());
    QCOMPARE(error.count(u'\n'), 1);
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
