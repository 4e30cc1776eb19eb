#include "calllog/calllogreader.h"
#include "calllog/logindex.h"
#include "calllog/logindexloader.h"
#include "calllog/logline.h"
#include "calllog/logquery.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <numeric>

Q_DECLARE_METATYPE(LogFilter)
Q_DECLARE_METATYPE(LogColumn)
Q_DECLARE_METATYPE(std::vector<quint32>)

using namespace Qt::Literals::StringLiterals;

namespace {

QString fixture(const QString &name)
{
    return QFINDTESTDATA(u"data/"_s + name);
}

LogIndex indexOf(const QString &path)
{
    CallLogReader reader(PriceBook::builtIn());
    LogIndex index;
    const Expected<void> read = reader.scan(path, [&index](const LogLine &l) { index.add(l); });
    Q_ASSERT(read.hasValue());
    return index;
}

std::vector<quint32> run(const QString &path, const LogFilter &filter,
                         LogColumn column = LogColumn::Time,
                         Qt::SortOrder order = Qt::AscendingOrder)
{
    const LogIndex index = indexOf(path);
    const std::atomic_bool cancelled = false;
    return LogQuery(index, path, filter, column, order).run(cancelled)->rows;
}

bool writeFile(const QString &path, const QByteArray &bytes, QIODevice::OpenMode mode)
{
    QFile file(path);
    return file.open(mode) && file.write(bytes) == bytes.size();
}

const QByteArray call = R"({"request_id": "r%1", "model": "claude-haiku-4-5", )"
                        R"("input_tokens": 10, "output_tokens": 5, "latency_ms": 100})"
                        "\n";

QByteArray callLine(int n)
{
    return QByteArray(call).replace("%1", QByteArray::number(n));
}

} // namespace

class tst_LogIndex : public QObject
{
    Q_OBJECT

    QTemporaryDir m_scratch;

private Q_SLOTS:
    void agreesWithLogStats_data();
    void agreesWithLogStats();
    void keepsColumnsAndLineNumbers();
    void namesKeepTheirIdsAsTheTableGrows();
    void batchesAppendToTheSameIndex();
    void parsesTimestamps_data();
    void parsesTimestamps();
    void filters_data();
    void filters();
    void sorts_data();
    void sorts();
    void summarizesAFilteredView();
    void loaderIndexesGrowsAndRestarts();
    void loaderReadsALargeLogInPartsAsOnePassWould();
    void loaderPutsManyPartsTogether_data();
    void loaderPutsManyPartsTogether();
};

void tst_LogIndex::agreesWithLogStats_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("valid calls") << fixture(u"calls_valid.jsonl"_s);
    QTest::newRow("mixed with malformed and tail") << fixture(u"calls_mixed.jsonl"_s);
    QTest::newRow("byte order mark") << fixture(u"calls_bom.jsonl"_s);
    QTest::newRow("empty") << fixture(u"calls_empty.jsonl"_s);
    QTest::newRow("view fixture") << fixture(u"calls_view.jsonl"_s);

    // Enough calls to fill packed blocks of each kind: costs in millionths and whole latencies,
    // then costs as a double prints them in full, then fractional latencies.
    const QString packed = m_scratch.filePath(u"packed.jsonl"_s);
    QByteArray lines;
    for (int n = 0; n < 3 * int(LogRecords::blockSize) + 100; ++n) {
        const int block = n / int(LogRecords::blockSize);
        const double cost = block == 1 ? (n % 997) * 3.3e-6 : double(n % 997 + 1) / 1e6;
        const double latency = block == 2 ? 100 + (n % 13) / 4.0 : 100 + n % 5000;
        lines += R"({"request_id": "p)" + QByteArray::number(n) + R"(", "model": "claude-)"
                 + (n % 3 ? "haiku-4-5" : "sonnet-4-5") + R"(", "input_tokens": )"
                 + QByteArray::number(n % 70'000) + R"(, "output_tokens": )"
                 + QByteArray::number(n % 900) + R"(, "cache_read_input_tokens": )"
                 + QByteArray::number(n % 4 ? 0 : n % 9000) + R"(, "cost_usd": )"
                 + QByteArray::number(cost, 'g', 17) + R"(, "latency_ms": )"
                 + QByteArray::number(latency, 'g', 17) + R"(, "finish_reason": ")"
                 + (n % 50 ? "end_turn" : "error") + "\"}\n";
    }
    QVERIFY(writeFile(packed, lines, QIODevice::WriteOnly));
    QTest::newRow("packed blocks of every kind") << packed;
}

void tst_LogIndex::agreesWithLogStats()
{
    QFETCH(QString, path);
    const Expected<LogStats> stats = CallLogReader::summarize(path, PriceBook::builtIn());
    QVERIFY(stats.hasValue());
    const LogIndex index = indexOf(path);

    std::vector<quint32> all(std::size_t(index.size()));
    std::iota(all.begin(), all.end(), 0u);
    const LogViewSummary summary =
        LogQuery::summarize(index.records(), all, index.finishReasons().find(u"error"_s));
    const GroupStats overall = stats->overall();

    for (qsizetype n = 0; n + 1 < index.records().blockCount(); ++n)
        QVERIFY(index.records().blockAt(n).isPacked());
    QCOMPARE(summary.calls, overall.records);
    QCOMPARE(summary.costUsd, overall.costUsd);
    QCOMPARE(summary.meanLatencyMs, overall.meanLatencyMs());
    QCOMPARE(summary.p50LatencyMs, overall.p50LatencyMs);
    QCOMPARE(summary.p95LatencyMs, overall.p95LatencyMs);
    QCOMPARE(summary.p99LatencyMs, overall.p99LatencyMs);
    QCOMPARE(summary.cacheHitRate, overall.cacheHitRate());
    QCOMPARE(summary.errors, overall.errors);
    QCOMPARE(index.malformedCount(), stats->malformedCount());
    QCOMPARE(index.malformedLines().size(), stats->malformedLines().size());
    for (qsizetype i = 0; i < index.malformedLines().size(); ++i) {
        QCOMPARE(index.malformedLines()[i].number, stats->malformedLines()[i].number);
        QCOMPARE(index.malformedLines()[i].reason, stats->malformedLines()[i].reason);
    }
    QCOMPARE(index.blankLines(), stats->blankLines());
    QCOMPARE(index.lineCount(), stats->lineCount());
    QCOMPARE(index.incompleteTailBytes(), stats->incompleteTailBytes());
}

void tst_LogIndex::namesKeepTheirIdsAsTheTableGrows()
{
    NameTable names;
    QCOMPARE(names.find(u"user_0"_s), -1);

    // Enough names for the table to grow many times, met in an order that breaks runs of the
    // same name, and the same name several times running.
    constexpr quint32 count = 20000;
    const auto nameOf = [](quint32 n) { return "user_" + std::to_string(n); };
    for (quint32 n = 0; n < count; ++n) {
        QCOMPARE(names.intern(nameOf(n)), n);
        QCOMPARE(names.intern(nameOf(n)), n);
        QCOMPARE(names.intern(nameOf(n / 2)), n / 2);
    }
    QCOMPARE(names.size(), qsizetype(count));
    for (quint32 n = 0; n < count; n += 7) {
        QCOMPARE(names.intern(nameOf(n)), n);
        QCOMPARE(names.find(QString::fromStdString(nameOf(n))), qint64(n));
        QCOMPARE(names.name(n), QString::fromStdString(nameOf(n)));
        QCOMPARE(names.utf8Names()[n], nameOf(n));
    }
    QCOMPARE(names.find(u"user_20000"_s), -1);
    QCOMPARE(names.find(QString()), -1);

    // Names that differ only past the first bytes, or only in length, and non-ASCII ones.
    const quint32 empty = names.intern("");
    QCOMPARE(names.intern("user_1 "), count + 1);
    QCOMPARE(names.intern("user_"), count + 2);
    QCOMPARE(names.intern("\xc3\xa9quipe"), count + 3);
    QCOMPARE(empty, count);
    QCOMPARE(names.intern(""), empty);
    QCOMPARE(names.find(u"\u00e9quipe"_s), qint64(count + 3));
    QCOMPARE(names.name(count + 3), u"\u00e9quipe"_s);
    QCOMPARE(names.size(), qsizetype(count + 4));
}

void tst_LogIndex::keepsColumnsAndLineNumbers()
{
    const LogIndex index = indexOf(fixture(u"calls_view.jsonl"_s));

    QCOMPARE(index.size(), 6);
    // Line 3 is blank and line 5 is not JSON.
    const QList<qint64> lines{1, 2, 4, 6, 7, 8};
    for (qsizetype row = 0; row < index.size(); ++row)
        QCOMPARE(index.lineNumber(row), lines[row]);

    const IndexedCall second = index.at(1);
    QCOMPARE(index.models().name(second.model), u"claude-sonnet-4-6"_s);
    QCOMPARE(index.features().name(second.feature), u"rag_answer"_s);
    QCOMPARE(index.users().name(second.user), u"bo"_s);
    QCOMPARE(index.finishReasons().name(second.finishReason), u"end_turn"_s);
    QCOMPARE(second.inputTokens, 2000u);
    QCOMPARE(second.outputTokens, 400u);
    QCOMPARE(second.cacheReadTokens, 0u);
    QCOMPARE(second.cacheWriteTokens, 1000u);
    QCOMPARE(second.costUsd, 0.01575);
    QCOMPARE(second.latencyMs, 1500.0);
    QCOMPARE(second.retrievedDocs, quint16(4));
    // 2026-03-01T10:05:00Z: 20513 days after 1970-01-01, plus 10 h 5 min.
    QCOMPARE(second.timestampMs, (20513LL * 86400 + 10 * 3600 + 5 * 60) * 1000);

    // The offset leads back to the line.
    QFile file(fixture(u"calls_view.jsonl"_s));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.seek(second.offset));
    QVERIFY(file.readLine().startsWith(R"({"request_id": "b2e1-0002")"));
    // Names are shared: the three haiku calls have one id.
    QCOMPARE(index.at(0).model, index.at(2).model);
    QCOMPARE(index.models().size(), 3);
}

void tst_LogIndex::batchesAppendToTheSameIndex()
{
    const QString path = fixture(u"calls_mixed.jsonl"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    const LogIndex whole = indexOf(path);

    // Cut after the 5th newline, as the follower would hand it over.
    qsizetype cut = -1;
    for (int i = 0; i < 5; ++i)
        cut = bytes.indexOf('\n', cut + 1);
    ++cut;
    CallLogReader reader(PriceBook::builtIn());
    LogIndex first;
    LogIndex second;
    reader.scanBytes(bytes.first(cut), 0, 1, [&first](const LogLine &l) { first.add(l); });
    reader.scanBytes(bytes.sliced(cut), cut, 6, [&second](const LogLine &l) { second.add(l); });
    first.append(second);

    QCOMPARE(first.size(), whole.size());
    for (qsizetype row = 0; row < whole.size(); ++row) {
        QCOMPARE(first.at(row).offset, whole.at(row).offset);
        QCOMPARE(first.models().name(first.at(row).model),
                 whole.models().name(whole.at(row).model));
        QCOMPARE(first.lineNumber(row), whole.lineNumber(row));
    }
    QCOMPARE(first.malformedCount(), whole.malformedCount());
    QCOMPARE(first.lineCount(), whole.lineCount());
    QCOMPARE(first.incompleteTailBytes(), whole.incompleteTailBytes());
}

void tst_LogIndex::parsesTimestamps_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("expected");
    const qint64 none = IndexedCall::noTimestamp;
    QTest::newRow("epoch") << QByteArray("1970-01-01T00:00:00Z") << qint64(0);
    // 2026-01-15: 20468 days; 09:30:00.125 is 34200.125 s.
    QTest::newRow("milliseconds") << QByteArray("2026-01-15T09:30:00.125Z")
                                  << qint64(20468LL * 86400000 + 34200125);
    QTest::newRow("microseconds are cut")
        << QByteArray("2026-01-15T09:30:00.125999Z") << qint64(20468LL * 86400000 + 34200125);
    // 2024-02-29 is day 19782; +02:00 means two hours earlier in UTC.
    QTest::newRow("leap day with offset")
        << QByteArray("2024-02-29T12:00:00+02:00") << qint64(19782LL * 86400000 + 10 * 3600000);
    QTest::newRow("empty") << QByteArray() << none;
    QTest::newRow("date only") << QByteArray("2026-01-15") << none;
    QTest::newRow("no zone") << QByteArray("2026-01-15T09:30:00") << none;
    QTest::newRow("month 13") << QByteArray("2026-13-15T09:30:00Z") << none;
}

void tst_LogIndex::parsesTimestamps()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, expected);
    QCOMPARE(LogIndex::parseTimestamp(std::string_view(text.constData(), text.size())), expected);
}

void tst_LogIndex::filters_data()
{
    QTest::addColumn<LogFilter>("filter");
    QTest::addColumn<std::vector<quint32>>("rows");
    const auto with = [](auto member, const QString &value) {
        LogFilter filter;
        filter.*member = value;
        return filter;
    };
    QTest::newRow("none") << LogFilter() << std::vector<quint32>{0, 1, 2, 3, 4, 5};
    QTest::newRow("model") << with(&LogFilter::model, u"claude-haiku-4-5"_s)
                           << std::vector<quint32>{0, 2, 4};
    LogFilter chatOfAna = with(&LogFilter::feature, u"chat"_s);
    chatOfAna.user = u"ana"_s;
    QTest::newRow("feature and user") << chatOfAna << std::vector<quint32>{0, 5};
    QTest::newRow("finish reason")
        << with(&LogFilter::finishReason, u"error"_s) << std::vector<quint32>{2};
    QTest::newRow("unknown model")
        << with(&LogFilter::model, u"gpt-4o"_s) << std::vector<quint32>{};
    LogFilter range;
    range.fromMs = (20513LL * 86400 + 10 * 3600 + 5 * 60) * 1000; // 10:05
    range.toMs = (20513LL * 86400 + 11 * 3600) * 1000;            // 11:00, inclusive
    QTest::newRow("time range") << range << std::vector<quint32>{1, 2, 3};
    QTest::newRow("request id, any case")
        << with(&LogFilter::text, u"B2E1"_s) << std::vector<quint32>{1};
    QTest::newRow("text in user") << with(&LogFilter::text, u"bo"_s) << std::vector<quint32>{1, 4};
    QTest::newRow("text in model") << with(&LogFilter::text, u"opus"_s) << std::vector<quint32>{3};
    QTest::newRow("text in feature")
        << with(&LogFilter::text, u"rag"_s) << std::vector<quint32>{1, 2};
}

void tst_LogIndex::filters()
{
    QFETCH(LogFilter, filter);
    QFETCH(std::vector<quint32>, rows);
    QCOMPARE(run(fixture(u"calls_view.jsonl"_s), filter), rows);
}

void tst_LogIndex::sorts_data()
{
    QTest::addColumn<LogColumn>("column");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<std::vector<quint32>>("rows");
    // Costs: .0005 .01575 .0004 .01075 .00058 .0126
    QTest::newRow("cost, highest first")
        << LogColumn::Cost << Qt::DescendingOrder << std::vector<quint32>{1, 5, 3, 4, 0, 2};
    // Latencies: 200 1500 9000 3000 350 2500
    QTest::newRow("latency") << LogColumn::Latency << Qt::AscendingOrder
                             << std::vector<quint32>{0, 4, 1, 5, 3, 2};
    // haiku < opus < sonnet, ties in file order.
    QTest::newRow("model") << LogColumn::Model << Qt::AscendingOrder
                           << std::vector<quint32>{0, 2, 4, 3, 1, 5};
    QTest::newRow("time, latest first")
        << LogColumn::Time << Qt::DescendingOrder << std::vector<quint32>{5, 4, 3, 2, 1, 0};
    // Cache read: 300 0 0 1500 300 0; ties keep file order.
    QTest::newRow("cache read, ties stable") << LogColumn::CacheReadTokens << Qt::DescendingOrder
                                             << std::vector<quint32>{3, 0, 4, 1, 2, 5};
}

void tst_LogIndex::sorts()
{
    QFETCH(LogColumn, column);
    QFETCH(Qt::SortOrder, order);
    QFETCH(std::vector<quint32>, rows);
    QCOMPARE(run(fixture(u"calls_view.jsonl"_s), LogFilter(), column, order), rows);
}

void tst_LogIndex::summarizesAFilteredView()
{
    const QString path = fixture(u"calls_view.jsonl"_s);
    const LogIndex index = indexOf(path);
    LogFilter haiku;
    haiku.model = u"claude-haiku-4-5"_s;
    const std::atomic_bool cancelled = false;
    const LogViewSummary s =
        LogQuery(index, path, haiku, LogColumn::Time, Qt::AscendingOrder).run(cancelled)->summary;

    // Rows 0, 2, 4: costs .0005 + .0004 + .00058; latencies 200, 9000, 350.
    QCOMPARE(s.calls, 3);
    QCOMPARE(s.costUsd, 0.00148);
    QCOMPARE(s.meanLatencyMs, 9550.0 / 3);
    QCOMPARE(s.p50LatencyMs, 350.0);  // rank ceil(1.5) = 2 of 200, 350, 9000
    QCOMPARE(s.p95LatencyMs, 9000.0); // rank ceil(2.85) = 3
    QCOMPARE(s.p99LatencyMs, 9000.0);
    // Cache read 300 + 0 + 300 of prompts (100+300) + 400 + (150+300) = 1250.
    QCOMPARE(s.cacheHitRate, 600.0 / 1250);
    QCOMPARE(s.errors, 1);
    QCOMPARE(s.errorRate(), 1.0 / 3);
}

void tst_LogIndex::loaderIndexesGrowsAndRestarts()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    QVERIFY(writeFile(path, callLine(1) + callLine(2), QIODevice::WriteOnly));

    LogIndexLoader loader(PriceBook::builtIn());
    LogIndex index;
    connect(&loader, &LogIndexLoader::indexedSoFar, this,
            [&index](const std::shared_ptr<const LogIndex> &soFar) { index = *soFar; });
    connect(&loader, &LogIndexLoader::batchReady, this,
            [&index](const std::shared_ptr<const LogIndex> &batch) { index.append(*batch); });
    connect(&loader, &LogIndexLoader::restarted, this, [&index] { index = LogIndex(); });
    QSignalSpy caughtUp(&loader, &LogIndexLoader::caughtUp);
    QSignalSpy restarted(&loader, &LogIndexLoader::restarted);
    loader.start(path);

    QTRY_COMPARE(caughtUp.size(), 1);
    QCOMPARE(index.size(), 2);

    // Half a line waits; its newline completes it.
    QVERIFY(writeFile(path, callLine(3).first(20), QIODevice::Append));
    QTRY_VERIFY(index.hasIncompleteTail());
    QVERIFY(writeFile(path, callLine(3).sliced(20), QIODevice::Append));
    QTRY_COMPARE(index.size(), 3);
    QVERIFY(!index.hasIncompleteTail());
    QCOMPARE(index.lineNumber(2), 3);

    QVERIFY(writeFile(path, callLine(9), QIODevice::WriteOnly | QIODevice::Truncate));
    QTRY_COMPARE(restarted.size(), 1);
    QTRY_COMPARE(index.size(), 1);
    QCOMPARE(restarted.first().first().toString(), u"the file was truncated"_s);
    QTRY_COMPARE(caughtUp.size(), 2);

    // Another file: nothing of the first arrives any more.
    const QString other = dir.filePath(u"other.jsonl"_s);
    QVERIFY(writeFile(other, callLine(1) + callLine(2) + callLine(3) + callLine(4),
                      QIODevice::WriteOnly));
    index = LogIndex();
    loader.start(other);
    QTRY_COMPARE(caughtUp.size(), 3);
    QTRY_COMPARE(index.size(), 4);
}

void tst_LogIndex::loaderReadsALargeLogInPartsAsOnePassWould()
{
    // About 5.5 MB: a small first part, one full part of LogIndexLoader::blockBytes and the
    // rest, read on separate threads. Blank, malformed and CRLF lines are spread over every
    // part so that their numbers must be carried from one part to the next, and the file ends
    // in half a line.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    QByteArray bytes;
    for (int n = 1; bytes.size() < 5'500'000; ++n) {
        if (n % 997 == 0)
            bytes += "{\"model\": \"claude-haiku-4-5\", \"input_tokens\": \"many\"}\n";
        else if (n % 1009 == 0)
            bytes += "\n";
        else if (n % 11 == 0)
            bytes += callLine(n).chopped(1) + "\r\n";
        else
            bytes += callLine(n);
    }
    bytes += callLine(0).first(30);
    QVERIFY(bytes.size() > LogIndexLoader::firstBlockBytes + LogIndexLoader::blockBytes);
    QVERIFY(writeFile(path, bytes, QIODevice::WriteOnly));
    const LogIndex whole = indexOf(path);

    LogIndexLoader loader(PriceBook::builtIn());
    LogIndex index;
    int copies = 0;
    connect(&loader, &LogIndexLoader::indexedSoFar, this,
            [&](const std::shared_ptr<const LogIndex> &soFar) {
                // Each copy holds at least what the one before held.
                QVERIFY(soFar->size() >= index.size());
                index = *soFar;
                ++copies;
            });
    connect(&loader, &LogIndexLoader::batchReady, this,
            [&index](const std::shared_ptr<const LogIndex> &batch) { index.append(*batch); });
    connect(&loader, &LogIndexLoader::restarted, this, [&index] { index = LogIndex(); });
    QSignalSpy caughtUp(&loader, &LogIndexLoader::caughtUp);
    loader.start(path);
    QTRY_COMPARE(caughtUp.size(), 1);

    QVERIFY(copies >= 1);
    QCOMPARE(index.size(), whole.size());
    for (qsizetype row = 0; row < whole.size(); ++row) {
        QCOMPARE(index.at(row).offset, whole.at(row).offset);
        QCOMPARE(index.lineNumber(row), whole.lineNumber(row));
    }
    QCOMPARE(index.malformedCount(), whole.malformedCount());
    QVERIFY(index.malformedCount() > 0);
    for (qsizetype i = 0; i < whole.malformedLines().size(); ++i) {
        QCOMPARE(index.malformedLines()[i].number, whole.malformedLines()[i].number);
        QCOMPARE(index.malformedLines()[i].reason, whole.malformedLines()[i].reason);
    }
    QCOMPARE(index.blankLines(), whole.blankLines());
    QCOMPARE(index.lineCount(), whole.lineCount());
    QCOMPARE(index.incompleteTailBytes(), 30);

    // The follower takes over where the parts ended: the torn line completes as the next one.
    const qsizetype before = index.size();
    QVERIFY(writeFile(path, callLine(0).sliced(30) + callLine(1), QIODevice::Append));
    QTRY_COMPARE(index.size(), before + 2);
    QVERIFY(!index.hasIncompleteTail());
    QCOMPARE(index.lineNumber(before), whole.lineCount() + 1);
    QCOMPARE(index.lineNumber(before + 1), whole.lineCount() + 2);
    QCOMPARE(index.at(before).offset, qint64(bytes.size() - 30));

    // A file put in its place is read again from the start, in parts again.
    const QString replacement = dir.filePath(u"rotated.jsonl"_s);
    QVERIFY(writeFile(replacement, bytes.first(LogIndexLoader::firstBlockBytes * 3),
                      QIODevice::WriteOnly));
    const LogIndex replaced = indexOf(replacement);
    QVERIFY(QFile::remove(path));
    QVERIFY(QFile::rename(replacement, path));
    QTRY_COMPARE(caughtUp.size(), 2);
    QTRY_COMPARE(index.size(), replaced.size());
    QCOMPARE(index.lineNumber(index.size() - 1), replaced.lineNumber(replaced.size() - 1));
}

void tst_LogIndex::loaderPutsManyPartsTogether_data()
{
    QTest::addColumn<bool>("keepsCopies");
    QTest::newRow("a receiver that takes each copy and lets it go") << false;
    QTest::newRow("a receiver that keeps every copy") << true;
}

void tst_LogIndex::loaderPutsManyPartsTogether()
{
    // Ten parts, more than the loader lets wait to be put together at once, and a receiver
    // that reads its copies while the loader goes on filling the blocks they share.
    QFETCH(bool, keepsCopies);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    QByteArray bytes;
    for (int n = 1; bytes.size() < LogIndexLoader::firstBlockBytes + 9 * LogIndexLoader::blockBytes;
         ++n) {
        bytes += callLine(n);
    }
    QVERIFY(writeFile(path, bytes, QIODevice::WriteOnly));

    LogIndexLoader loader(PriceBook::builtIn());
    LogIndex index;
    std::vector<std::shared_ptr<const LogIndex>> kept;
    qint64 offsetsSeen = 0;
    connect(&loader, &LogIndexLoader::indexedSoFar, this,
            [&](const std::shared_ptr<const LogIndex> &soFar) {
                index = *soFar;
                for (qsizetype row = 0; row < index.size(); ++row)
                    offsetsSeen += index.at(row).offset > 0;
                if (keepsCopies)
                    kept.push_back(soFar);
            });
    QSignalSpy caughtUp(&loader, &LogIndexLoader::caughtUp);
    loader.start(path);
    QTRY_COMPARE_WITH_TIMEOUT(caughtUp.size(), 1, 30'000);

    QCOMPARE(index.size(), bytes.count('\n'));
    QVERIFY(offsetsSeen >= index.size() - 1);
    for (qsizetype row = 1; row < index.size(); ++row)
        QVERIFY(index.at(row).offset > index.at(row - 1).offset);
    QCOMPARE(index.lineNumber(index.size() - 1), index.size());
    // Copies taken earlier still read what they held when they were made.
    for (const std::shared_ptr<const LogIndex> &copy : kept) {
        for (qsizetype row = 0; row < copy->size(); row += 997)
            QCOMPARE(copy->at(row).offset, index.at(row).offset);
    }
}

QTEST_GUILESS_MAIN(tst_LogIndex)
#include "tst_logindex.moc"
