#pragma once

#include "calllog/logstats.h"

#include <QFile>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace Qt::Literals::StringLiterals;

// The figures a test expects of one group, in the order GroupStats lists them.
struct GroupExpectation
{
    qint64 records = 0;
    double costUsd = 0;
    TokenUsage tokens; // input, output, cache read, cache write
    qint64 errors = 0;
    struct
    {
        double mean = 0;
        double p50 = 0;
        double p95 = 0;
        double p99 = 0;
    } latencyMs;
    double hitRate = 0;
};

// Writes `bytes` to a new file in `dir` and returns its path, or an empty path if it could
// not be written.
inline QString writeLogFile(const QTemporaryDir &dir, const QByteArray &bytes)
{
    static int count = 0;
    const QString path = dir.filePath(u"log%1.jsonl"_s.arg(++count));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return QString();
    return path;
}

// The columns "path" and "reason" and a row for each kind of path that is no readable log.
inline void addUnreadablePathRows(const QTemporaryDir &dir)
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("reason");

    QTest::newRow("missing file") << dir.filePath(u"nowhere/llm_calls.jsonl"_s)
                                  << u"no such file"_s;
    QTest::newRow("a directory") << dir.path() << u"is a directory"_s;
}

// "overall", "model <id>" or "feature <name>".
inline std::optional<GroupStats> findGroup(const LogStats &stats, const QString &group)
{
    if (group == "overall"_L1)
        return stats.overall();
    const QString name = group.section(u' ', 1);
    for (const GroupStats &g :
         group.startsWith(u"model "_s) ? stats.byModel() : stats.byFeature()) {
        if (g.name == name)
            return g;
    }
    return std::nullopt;
}

// Adds a row to a test with the columns "group" and "expected".
inline void addGroupRow(const char *rowName, const QString &group, const GroupExpectation &expected)
{
    QTest::newRow(rowName) << group << expected;
}

// Compares every figure; on a mismatch the test fails at the first figure that differs.
inline void compareGroup(const GroupStats &actual, const GroupExpectation &expected)
{
    QCOMPARE(actual.records, expected.records);
    QCOMPARE(actual.costUsd, expected.costUsd);
    QCOMPARE(actual.tokens.inputTokens, expected.tokens.inputTokens);
    QCOMPARE(actual.tokens.outputTokens, expected.tokens.outputTokens);
    QCOMPARE(actual.tokens.cacheReadInputTokens, expected.tokens.cacheReadInputTokens);
    QCOMPARE(actual.tokens.cacheCreationInputTokens, expected.tokens.cacheCreationInputTokens);
    QCOMPARE(actual.errors, expected.errors);
    QCOMPARE(actual.meanLatencyMs(), expected.latencyMs.mean);
    QCOMPARE(actual.p50LatencyMs, expected.latencyMs.p50);
    QCOMPARE(actual.p95LatencyMs, expected.latencyMs.p95);
    QCOMPARE(actual.p99LatencyMs, expected.latencyMs.p99);
    QCOMPARE(actual.cacheHitRate(), expected.hitRate);
}

// Every figure of a LogStats as text, to the printed precision, so that two stats can be
// compared in one QCOMPARE whose failure shows exactly which figure differs.
inline QString logStatsText(const LogStats &stats)
{
    const auto group = [](const GroupStats &g) {
        return u"%1: %2 calls, $%3, tokens %4/%5/%6/%7, %8 errors, mean %9 ms, p50/95/99 "
               u"%10/%11/%12 ms, hit %13"_s.arg(g.name)
                   .arg(g.records)
                   .arg(g.costUsd, 0, 'f', 9)
                   .arg(g.tokens.inputTokens)
                   .arg(g.tokens.outputTokens)
                   .arg(g.tokens.cacheReadInputTokens)
                   .arg(g.tokens.cacheCreationInputTokens)
                   .arg(g.errors)
                   .arg(g.meanLatencyMs(), 0, 'f', 6)
                   .arg(g.p50LatencyMs)
                   .arg(g.p95LatencyMs)
                   .arg(g.p99LatencyMs)
                   .arg(g.cacheHitRate(), 0, 'f', 9);
    };

    QStringList lines;
    lines << u"lines %1, blank %2, malformed %3, tail %4 bytes"_s.arg(stats.lineCount())
                 .arg(stats.blankLines())
                 .arg(stats.malformedCount())
                 .arg(stats.incompleteTailBytes());
    for (const MalformedLine &malformed : stats.malformedLines())
        lines << u"malformed line %1: %2"_s.arg(malformed.number).arg(malformed.reason);
    lines << group(stats.overall());
    for (const GroupStats &model : stats.byModel())
        lines << u"model "_s + group(model);
    for (const GroupStats &feature : stats.byFeature())
        lines << u"feature "_s + group(feature);
    return lines.join(u'\n');
}
