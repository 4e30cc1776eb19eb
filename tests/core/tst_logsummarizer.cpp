#include "calllog/calllogreader.h"
#include "calllog/logsummarizer.h"
#include "logstatschecks.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

QString fixture(const QString &name)
{
    return QFINDTESTDATA(u"data/"_s + name);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class tst_LogSummarizer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void splitsAtLineStarts_data();
    void splitsAtLineStarts();
    void partsMergeToOnePass_data();
    void partsMergeToOnePass();
    void malformedLineNumbersCountFromTheFileStart();
    void aLineLongerThanAPartIsNotCut();
    void largeLogOnSeveralThreads_data();
    void largeLogOnSeveralThreads();
    void unreadableInputsNameThePath_data();
    void unreadableInputsNameThePath();

private:
    QTemporaryDir m_dir;
};

// Every fixture cut into 1 to 4 parts.
static void addFixturePartRows()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("parts");

    for (const QString &name : {u"calls_valid.jsonl"_s, u"calls_mixed.jsonl"_s,
                                u"calls_bom.jsonl"_s, u"calls_empty.jsonl"_s}) {
        for (int parts = 1; parts <= 4; ++parts) {
            const QByteArray row = u"%1 in %2"_s.arg(name).arg(parts).toUtf8();
            QTest::newRow(row.constData()) << name << parts;
        }
    }
}

void tst_LogSummarizer::splitsAtLineStarts_data()
{
    addFixturePartRows();
}

void tst_LogSummarizer::splitsAtLineStarts()
{
    QFETCH(QString, name);
    QFETCH(int, parts);

    const QString path = fixture(name);
    const QByteArray bytes = readAll(path);
    const Expected<QList<LogRange>> ranges = LogSummarizer::splitAtLines(path, parts);
    QVERIFY2(ranges.hasValue(), qPrintable(ranges ? QString() : ranges.error()));

    // The ranges cover the file in order, none is empty unless the file is, and each starts
    // at a line start: the file's start or the byte after a newline.
    QVERIFY(!ranges->isEmpty());
    QVERIFY(ranges->size() <= parts);
    QCOMPARE(ranges->constFirst().begin, 0);
    QCOMPARE(ranges->constLast().end, bytes.size());
    for (qsizetype i = 0; i < ranges->size(); ++i) {
        const LogRange &range = ranges->at(i);
        QVERIFY(range.begin < range.end || bytes.isEmpty());
        if (i > 0) {
            QCOMPARE(range.begin, ranges->at(i - 1).end);
            QCOMPARE(bytes.at(range.begin - 1), '\n');
        }
    }
    // The fixtures other than the empty one have at least four lines of similar length, so
    // each part gets one.
    if (!bytes.isEmpty() && name != "calls_bom.jsonl"_L1)
        QCOMPARE(ranges->size(), parts);
}

void tst_LogSummarizer::partsMergeToOnePass_data()
{
    addFixturePartRows();
}

void tst_LogSummarizer::partsMergeToOnePass()
{
    QFETCH(QString, name);
    QFETCH(int, parts);

    const QString path = fixture(name);
    const Expected<LogStats> whole = CallLogReader::summarize(path, PriceBook::builtIn());
    const Expected<QList<LogRange>> ranges = LogSummarizer::splitAtLines(path, parts);
    QVERIFY(whole.hasValue() && ranges.hasValue());
    const Expected<LogStats> merged =
        LogSummarizer::summarizeRanges(path, PriceBook::builtIn(), *ranges);
    QVERIFY(merged.hasValue());

    QCOMPARE(logStatsText(*merged), logStatsText(*whole));
}

void tst_LogSummarizer::malformedLineNumbersCountFromTheFileStart()
{
    // calls_mixed.jsonl: lines 4 to 13, 15 and 16 are malformed (see tst_calllogreader), and
    // four parts put lines 15 and 16 in the last part, where they are its lines 1 and 2 or so.
    const QString path = fixture(u"calls_mixed.jsonl"_s);
    const Expected<QList<LogRange>> ranges = LogSummarizer::splitAtLines(path, 4);
    QVERIFY(ranges.hasValue());
    QCOMPARE(ranges->size(), 4);
    const Expected<LogStats> stats =
        LogSummarizer::summarizeRanges(path, PriceBook::builtIn(), *ranges);
    QVERIFY(stats.hasValue());

    QList<qint64> numbers;
    for (const MalformedLine &line : stats->malformedLines())
        numbers.append(line.number);
    QCOMPARE(numbers, (QList<qint64>{4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16}));
    QCOMPARE(stats->lineCount(), 17);
    QCOMPARE(stats->incompleteTailBytes(), 43);
}

void tst_LogSummarizer::aLineLongerThanAPartIsNotCut()
{
    // One 3000-byte line between two lines of 120: cutting the file in four puts all three
    // cuts (at about 810, 1620 and 2430) inside the long line; each moves to the line's end,
    // so two parts are left and the long line stays whole in the first.
    const QByteArray call = R"({"model": "claude-haiku-4-5", "input_tokens": 10, )"
                            R"("output_tokens": 5, "cost_usd": 0.001, "latency_ms": 100})";
    const QByteArray longCall = R"({"model": "claude-haiku-4-5", "note": ")"
                                + QByteArray(3000 - call.size() - 4, 'x')
                                + R"(", "input_tokens": 10, "output_tokens": 5, )"
                                  R"("cost_usd": 0.001, "latency_ms": 100})";
    const QByteArray bytes = call + '\n' + longCall + '\n' + call + '\n';
    const QString path = writeLogFile(m_dir, bytes);
    const qint64 secondLine = call.size() + 1;
    const qint64 thirdLine = secondLine + longCall.size() + 1;

    const Expected<QList<LogRange>> ranges = LogSummarizer::splitAtLines(path, 4);
    QVERIFY(ranges.hasValue());
    QVERIFY(secondLine < bytes.size() / 4);
    QVERIFY(thirdLine > 3 * bytes.size() / 4);
    QCOMPARE(*ranges, (QList<LogRange>{{0, thirdLine}, {thirdLine, bytes.size()}}));
    const Expected<LogStats> stats =
        LogSummarizer::summarizeRanges(path, PriceBook::builtIn(), *ranges);
    QVERIFY(stats.hasValue());
    QCOMPARE(stats->records(), 3);
    QCOMPARE(stats->malformedCount(), 0);
}

void tst_LogSummarizer::largeLogOnSeveralThreads_data()
{
    QTest::addColumn<int>("threads");

    QTest::newRow("one thread") << 1;
    QTest::newRow("two threads") << 2;
    QTest::newRow("four threads") << 4;
}

void tst_LogSummarizer::largeLogOnSeveralThreads()
{
    QFETCH(int, threads);

    // 24,000 lines of about 110 bytes (2.6 MB, five minBytesPerThread) where every 1000th
    // line is cut short and the last has no newline: 23,976 calls, 24 malformed lines
    // (1000, 2000, ..., 24000), no tail. Line i costs $0.001 and takes i % 97 ms.
    QByteArray bytes;
    constexpr int lineCount = 24000;
    for (int i = 1; i <= lineCount; ++i) {
        QByteArray line = R"({"model": "claude-haiku-4-5", "feature": "f)"
                          + QByteArray::number(i % 3) + R"(", "input_tokens": 10, )"
                          + R"("output_tokens": 5, "cost_usd": 0.001, "latency_ms": )"
                          + QByteArray::number(i % 97) + "}";
        if (i % 1000 == 0)
            line.chop(20);
        bytes += line + '\n';
    }
    const QString path = writeLogFile(m_dir, bytes);
    QVERIFY(QFileInfo(path).size() > 4 * LogSummarizer::minBytesPerThread);

    const Expected<LogStats> stats = LogSummarizer::summarize(path, PriceBook::builtIn(), threads);
    QVERIFY(stats.hasValue());
    const Expected<LogStats> whole = CallLogReader::summarize(path, PriceBook::builtIn());
    QVERIFY(whole.hasValue());

    QCOMPARE(stats->records(), 23976);
    QCOMPARE(stats->malformedCount(), 24);
    QCOMPARE(stats->malformedLines().constFirst().number, 1000);
    QCOMPARE(stats->malformedLines().constLast().number, 24000);
    QCOMPARE(stats->byFeature().size(), 3);
    QCOMPARE(logStatsText(*stats), logStatsText(*whole));
}

void tst_LogSummarizer::unreadableInputsNameThePath_data()
{
    addUnreadablePathRows(m_dir);
}

void tst_LogSummarizer::unreadableInputsNameThePath()
{
    QFETCH(QString, path);
    QFETCH(QString, reason);

    const Expected<LogStats> stats = LogSummarizer::summarize(path, PriceBook::builtIn(), 2);

    QVERIFY(!stats.hasValue());
    QVERIFY2(stats.error().startsWith(path + u": "_s), qPrintable(stats.error()));
    QVERIFY2(stats.error().contains(reason), qPrintable(stats.error()));
}

QTEST_GUILESS_MAIN(tst_LogSummarizer)
#include "tst_logsummarizer.moc"
