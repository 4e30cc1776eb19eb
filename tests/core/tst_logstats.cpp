#include "calllog/logline.h"
#include "calllog/logstats.h"
#include "logstatschecks.h"

#include <QTest>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace {

// The strings are literals: a LogLine only points at its text.
LogLine call(const char *model, const char *feature, double latencyMs, double costUsd = 0,
             TokenUsage usage = {}, const char *finishReason = "end_turn")
{
    LogLine line;
    line.kind = LogLine::Kind::Record;
    line.model = model;
    line.feature = feature;
    line.latencyMs = latencyMs;
    line.costUsd = costUsd;
    line.usage = usage;
    line.finishReason = finishReason;
    return line;
}

LogLine malformed(qint64 number, const QString &reason)
{
    LogLine line;
    line.kind = LogLine::Kind::Malformed;
    line.number = number;
    line.problem = reason;
    return line;
}

LogLine blank()
{
    LogLine line;
    line.kind = LogLine::Kind::Blank;
    return line;
}

LogLine tail(qint64 bytes)
{
    LogLine line;
    line.kind = LogLine::Kind::IncompleteTail;
    line.length = bytes;
    return line;
}

// A small log in file order, with every kind of line, numbered as a reader would number it.
QList<LogLine> sampleLog()
{
    QList<LogLine> lines{
        call("claude-haiku-4-5", "chat", 400, 0.002, {1000, 200, 0, 0}),
        call("claude-sonnet-4-5", "rag_answer", 1200, 0.0285, {2000, 500, 0, 4000}),
        blank(),
        malformed(0, u"not valid JSON"_s),
        call("claude-haiku-4-5", "rag_answer", 300, 0.00108, {500, 100, 800, 0}),
        malformed(0, u"\"model\" is missing"_s),
        call("claude-sonnet-4-5", "chat", 5000, 0.0003, {100, 0, 0, 0}, "error"),
        blank(),
        call("claude-haiku-4-5", "chat", 500, 0.002235, {1240, 183, 800, 0}),
        tail(43),
    };
    for (qsizetype i = 0; i < lines.size(); ++i)
        lines[i].number = i + 1;
    return lines;
}

} // namespace

class tst_LogStats : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void percentilesByNearestRank_data();
    void percentilesByNearestRank();
    void emptyStatsAreZero();
    void manyGroupsKeepTheirOwnCalls();
    void cacheHitRate_data();
    void cacheHitRate();
    void groupsOfASmallLog_data();
    void groupsOfASmallLog();
    void groupsAreSortedByName();
    void countsLinesThatAreNotCalls();
    void costSumLosesNoMicroDollar();
    void compensatedSumKeepsWhatNaiveAdditionLoses();
    void mergeEqualsOneWholePass_data();
    void mergeEqualsOneWholePass();
    void malformedDetailsStopAtTheLimit();
};

void tst_LogStats::percentilesByNearestRank_data()
{
    QTest::addColumn<QList<double>>("latencies");
    QTest::addColumn<double>("p50");
    QTest::addColumn<double>("p95");
    QTest::addColumn<double>("p99");
    QTest::addColumn<double>("mean");

    // n=1: every rank is ceil(p/100 * 1) = 1.
    QTest::newRow("one call") << QList<double>{700} << 700.0 << 700.0 << 700.0 << 700.0;
    // n=2: p50 rank ceil(1.0) = 1, p95 rank ceil(1.9) = 2, p99 rank ceil(1.98) = 2.
    QTest::newRow("two calls, unsorted")
        << QList<double>{900, 100} << 100.0 << 900.0 << 900.0 << 500.0;
    // n=100, the values 10, 20, ..., 1000 in reverse: ranks 50, 95, 99 are 500, 950, 990;
    // mean 10 * 50.5 = 505.
    QList<double> hundred;
    for (int i = 100; i >= 1; --i)
        hundred.append(10.0 * i);
    QTest::newRow("a hundred calls") << hundred << 500.0 << 950.0 << 990.0 << 505.0;
    // n=4 with ties: sorted 5, 5, 5, 7; ranks 2, ceil(3.8) = 4, ceil(3.96) = 4.
    QTest::newRow("ties") << QList<double>{5, 7, 5, 5} << 5.0 << 7.0 << 7.0 << 5.5;
    // n=20: ranks 10, 19, ceil(19.8) = 20 of 1..20, so p95 and p99 differ.
    QList<double> twenty;
    for (int i = 1; i <= 20; ++i)
        twenty.append(i);
    QTest::newRow("twenty calls") << twenty << 10.0 << 19.0 << 20.0 << 10.5;
    // n=3, all equal: every percentile is that value.
    QTest::newRow("all equal") << QList<double>{42, 42, 42} << 42.0 << 42.0 << 42.0 << 42.0;
    // Whole values below zero: sorted -6, 0, 3; ranks 2, 3, 3; mean -3 / 3.
    QTest::newRow("below zero") << QList<double>{3, -6, 0} << 0.0 << 3.0 << 3.0 << -1.0;
    // Values far apart for their count: sorted 1, 100000; ranks 1, 2, 2.
    QTest::newRow("far apart") << QList<double>{100000, 1} << 1.0 << 100000.0 << 100000.0
                               << 50000.5;
    // Fractions survive: sorted 0.25, 1.5, 2.75; ranks 2, 3, 3.
    QTest::newRow("fractional milliseconds")
        << QList<double>{2.75, 0.25, 1.5} << 1.5 << 2.75 << 2.75 << 1.5;
}

void tst_LogStats::percentilesByNearestRank()
{
    QFETCH(QList<double>, latencies);
    QFETCH(double, p50);
    QFETCH(double, p95);
    QFETCH(double, p99);
    QFETCH(double, mean);

    LogStats stats;
    for (double latency : latencies)
        stats.add(call("claude-haiku-4-5", "chat", latency));
    const GroupStats all = stats.overall();

    QCOMPARE(all.records, latencies.size());
    QCOMPARE(all.p50LatencyMs, p50);
    QCOMPARE(all.p95LatencyMs, p95);
    QCOMPARE(all.p99LatencyMs, p99);
    QCOMPARE(all.meanLatencyMs(), mean);
}

void tst_LogStats::manyGroupsKeepTheirOwnCalls()
{
    // 20 features, more than LogStats compares one by one before it hashes: calls go round
    // them three times, feature i taking 10*i, 10*i + 1 and 10*i + 2 ms (mean 10*i + 1).
    static const QList<QByteArray> features = [] {
        QList<QByteArray> names;
        for (int i = 0; i < 20; ++i)
            names.append("feature_" + QByteArray::number(i).rightJustified(2, '0'));
        return names;
    }();
    LogStats stats;
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 20; ++i)
            stats.add(call("claude-haiku-4-5", features[i].constData(), 10 * i + round));
    }

    const QList<GroupStats> byFeature = stats.byFeature();
    QCOMPARE(byFeature.size(), 20);
    for (int i = 0; i < 20; ++i) {
        QCOMPARE(byFeature[i].name, QString::fromLatin1(features[i]));
        QCOMPARE(byFeature[i].records, 3);
        QCOMPARE(byFeature[i].meanLatencyMs(), 10.0 * i + 1);
        QCOMPARE(byFeature[i].p99LatencyMs, 10.0 * i + 2);
    }
    QCOMPARE(stats.byModel().constFirst().records, 60);
}

void tst_LogStats::emptyStatsAreZero()
{
    const LogStats stats;
    const GroupStats all = stats.overall();

    QCOMPARE(all.records, 0);
    QCOMPARE(all.costUsd, 0.0);
    QCOMPARE(all.meanLatencyMs(), 0.0);
    QCOMPARE(all.p99LatencyMs, 0.0);
    QCOMPARE(all.cacheHitRate(), 0.0);
    QVERIFY(stats.byModel().isEmpty());
    QVERIFY(stats.byFeature().isEmpty());
    QCOMPARE(stats.lineCount(), 0);
    QVERIFY(!stats.hasIncompleteTail());
}

void tst_LogStats::cacheHitRate_data()
{
    QTest::addColumn<TokenUsage>("first");
    QTest::addColumn<TokenUsage>("second");
    QTest::addColumn<double>("rate");

    // 800 / (500 + 800 + 0 + 1000 + 0 + 0) = 800 / 2300
    QTest::newRow("reads over all prompt tokens")
        << TokenUsage{500, 10, 800, 0} << TokenUsage{1000, 10, 0, 0} << 800.0 / 2300;
    // 3000 / (100 + 3000 + 0 + 100 + 0 + 800) = 3000 / 4000
    QTest::newRow("writes count in the denominator")
        << TokenUsage{100, 1, 3000, 0} << TokenUsage{100, 1, 0, 800} << 0.75;
    QTest::newRow("no cache use") << TokenUsage{100, 1, 0, 0} << TokenUsage{50, 1, 0, 0} << 0.0;
    QTest::newRow("no prompt tokens at all")
        << TokenUsage{0, 5, 0, 0} << TokenUsage{0, 5, 0, 0} << 0.0;
    QTest::newRow("everything from the cache")
        << TokenUsage{0, 5, 900, 0} << TokenUsage{0, 5, 100, 0} << 1.0;
}

void tst_LogStats::cacheHitRate()
{
    QFETCH(TokenUsage, first);
    QFETCH(TokenUsage, second);
    QFETCH(double, rate);

    LogStats stats;
    stats.add(call("claude-haiku-4-5", "chat", 100, 0, first));
    stats.add(call("claude-sonnet-4-5", "chat", 100, 0, second));

    QCOMPARE(stats.overall().cacheHitRate(), rate);
}

void tst_LogStats::groupsOfASmallLog_data()
{
    QTest::addColumn<QString>("group");
    QTest::addColumn<GroupExpectation>("expected");

    // sampleLog(), the calls only (tokens in/out/read/write):
    //   1 haiku  chat        1000/200/0/0     $0.002     400 ms
    //   2 sonnet rag_answer  2000/500/0/4000  $0.0285   1200 ms
    //   5 haiku  rag_answer   500/100/800/0   $0.00108   300 ms
    //   7 sonnet chat         100/0/0/0       $0.0003   5000 ms  error
    //   9 haiku  chat        1240/183/800/0   $0.002235  500 ms
    // All: $0.034115; sorted latencies 300 400 500 1200 5000, mean 7400 / 5 = 1480, p50 rank
    // ceil(2.5) = 3 = 500, p95 rank ceil(4.75) = 5 = 5000; hit 1600 / (4840 + 1600 + 4000).
    addGroupRow("overall", u"overall"_s,
                {5, 0.034115, {4840, 983, 1600, 4000}, 1, {1480, 500, 5000, 5000}, 1600.0 / 10440});
    // Haiku: $0.002 + 0.00108 + 0.002235 = $0.005315; latencies 300 400 500, p50 rank 2.
    addGroupRow("haiku", u"model claude-haiku-4-5"_s,
                {3, 0.005315, {2740, 483, 1600, 0}, 0, {400, 400, 500, 500}, 1600.0 / 4340});
    // Sonnet: $0.0285 + 0.0003 = $0.0288; latencies 1200 5000, p50 rank 1, p95 rank 2.
    addGroupRow("sonnet", u"model claude-sonnet-4-5"_s,
                {2, 0.0288, {2100, 500, 0, 4000}, 1, {3100, 1200, 5000, 5000}, 0});
    // chat: $0.002 + 0.0003 + 0.002235 = $0.004535; latencies 400 500 5000.
    addGroupRow("chat", u"feature chat"_s,
                {3, 0.004535, {2340, 383, 800, 0}, 1, {5900.0 / 3, 500, 5000, 5000}, 800.0 / 3140});
    // rag_answer: $0.0285 + 0.00108 = $0.02958; latencies 300 1200.
    addGroupRow("rag_answer", u"feature rag_answer"_s,
                {2, 0.02958, {2500, 600, 800, 4000}, 0, {750, 300, 1200, 1200}, 800.0 / 7300});
}

void tst_LogStats::groupsOfASmallLog()
{
    QFETCH(QString, group);
    QFETCH(GroupExpectation, expected);

    LogStats stats;
    for (const LogLine &line : sampleLog())
        stats.add(line);
    const std::optional<GroupStats> found = findGroup(stats, group);

    QVERIFY(found);
    compareGroup(*found, expected);
}

void tst_LogStats::groupsAreSortedByName()
{
    LogStats stats;
    for (const char *feature : {"summarize", "chat", "rag_answer", "chat"})
        stats.add(call("claude-haiku-4-5", feature, 100));
    stats.add(call("claude-3-haiku", "chat", 100));

    QList<QString> features;
    for (const GroupStats &group : stats.byFeature())
        features.append(group.name);
    QList<QString> models;
    for (const GroupStats &group : stats.byModel())
        models.append(group.name);

    QCOMPARE(features, (QList<QString>{u"chat"_s, u"rag_answer"_s, u"summarize"_s}));
    QCOMPARE(models, (QList<QString>{u"claude-3-haiku"_s, u"claude-haiku-4-5"_s}));
    QCOMPARE(stats.byFeature().first().records, 3);
}

void tst_LogStats::countsLinesThatAreNotCalls()
{
    LogStats stats;
    for (const LogLine &line : sampleLog())
        stats.add(line);

    QCOMPARE(stats.records(), 5);
    QCOMPARE(stats.blankLines(), 2);
    QCOMPARE(stats.malformedCount(), 2);
    QCOMPARE(stats.malformedLines().size(), 2);
    QCOMPARE(stats.malformedLines()[0].number, 4);
    QCOMPARE(stats.malformedLines()[0].reason, u"not valid JSON"_s);
    QCOMPARE(stats.malformedLines()[1].number, 6);
    QCOMPARE(stats.lineCount(), 9); // the tail is not a complete line
    QVERIFY(stats.hasIncompleteTail());
    QCOMPARE(stats.incompleteTailBytes(), 43);
}

void tst_LogStats::costSumLosesNoMicroDollar()
{
    // $100,000,000 and then a million calls of $0.0000001: exactly $100,000,000.1. Added
    // naively each small cost is 6.7 units in the last place of the total and rounds, and the
    // sum drifts to 100000000.104308; the compensated sum must stay within a micro-dollar.
    constexpr int smallCalls = 1'000'000;
    LogStats whole;
    LogStats firstHalf;
    LogStats secondHalf;
    // One model and feature throughout, so that every term lands in the same running sum.
    whole.add(call("claude-haiku-4-5", "chat", 1, 1e8));
    firstHalf.add(call("claude-haiku-4-5", "chat", 1, 1e8));
    for (int i = 0; i < smallCalls; ++i) {
        const LogLine small = call("claude-haiku-4-5", "chat", 1, 1e-7);
        whole.add(small);
        (i < smallCalls / 2 ? firstHalf : secondHalf).add(small);
    }
    firstHalf.merge(secondHalf);

    QVERIFY2(qAbs(whole.overall().costUsd - 100000000.1) < 1e-6,
             qPrintable(QString::number(whole.overall().costUsd, 'f', 9)));
    QVERIFY2(qAbs(firstHalf.overall().costUsd - 100000000.1) < 1e-6,
             qPrintable(QString::number(firstHalf.overall().costUsd, 'f', 9)));
}

void tst_LogStats::compensatedSumKeepsWhatNaiveAdditionLoses()
{
    // Added naively, 1 + 1e100 + 1 - 1e100 is 0: both ones vanish next to 1e100.
    CompensatedSum sum;
    for (double term : {1.0, 1e100, 1.0, -1e100})
        sum.add(term);
    QCOMPARE(sum.value(), 2.0);

    // Split across two partial sums, the merge keeps what each one kept.
    CompensatedSum first;
    CompensatedSum second;
    first.add(1.0);
    first.add(1e100);
    second.add(1.0);
    second.add(-1e100);
    first.add(second);
    QCOMPARE(first.value(), 2.0);
}

void tst_LogStats::mergeEqualsOneWholePass_data()
{
    QTest::addColumn<QList<qsizetype>>("splits");

    // Indexes into sampleLog() where a new part starts.
    QTest::newRow("halves") << QList<qsizetype>{5};
    QTest::newRow("empty first part") << QList<qsizetype>{0};
    QTest::newRow("empty last part") << QList<qsizetype>{10};
    QTest::newRow("after a blank line") << QList<qsizetype>{3};
    QTest::newRow("tail alone in the last part") << QList<qsizetype>{9};
    QTest::newRow("every line its own part") << QList<qsizetype>{1, 2, 3, 4, 5, 6, 7, 8, 9};
}

void tst_LogStats::mergeEqualsOneWholePass()
{
    QFETCH(QList<qsizetype>, splits);

    const QList<LogLine> lines = sampleLog();
    LogStats whole;
    for (const LogLine &line : lines)
        whole.add(line);

    // Each part numbers its lines from 1, as a reader of a byte range does.
    LogStats merged;
    QList<qsizetype> starts = splits;
    starts.prepend(0);
    starts.append(lines.size());
    for (qsizetype part = 0; part + 1 < starts.size(); ++part) {
        LogStats partial;
        for (qsizetype i = starts[part]; i < starts[part + 1]; ++i) {
            LogLine line = lines[i];
            line.number = i - starts[part] + 1;
            partial.add(line);
        }
        merged.merge(partial);
    }

    QCOMPARE(logStatsText(merged), logStatsText(whole));
}

void tst_LogStats::malformedDetailsStopAtTheLimit()
{
    // 600 malformed lines in each of two parts: 1200 counted, the first 1000 kept in detail,
    // numbered 1..600 and then 601..1000 from the second part.
    LogStats first;
    LogStats second;
    for (qint64 number = 1; number <= 600; ++number) {
        first.add(malformed(number, u"not valid JSON"_s));
        second.add(malformed(number, u"not a JSON object"_s));
    }
    first.merge(second);

    QCOMPARE(first.malformedCount(), 1200);
    QCOMPARE(first.malformedLines().size(), LogStats::malformedDetailLimit);
    QCOMPARE(first.malformedLines()[599].number, 600);
    QCOMPARE(first.malformedLines()[600].number, 601);
    QCOMPARE(first.malformedLines()[600].reason, u"not a JSON object"_s);
    QCOMPARE(first.malformedLines().last().number, 1000);
}

QTEST_GUILESS_MAIN(tst_LogStats)
#include "tst_logstats.moc"
