#include "calllog/calllogreader.h"
#include "logstatschecks.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

QString fixture(const QString &name)
{
    return QFINDTESTDATA(u"data/"_s + name);
}

// One call with every required key, as a writer logs it.
const QByteArray haikuCall = R"({"model": "claude-haiku-4-5-20251001", "feature": "chat", )"
                             R"("input_tokens": 1000, "output_tokens": 200, "cost_usd": 0.002, )"
                             R"("latency_ms": 400})";

QList<qint64> lineStarts(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    QList<qint64> starts{0};
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\n')
            starts.append(i + 1);
    }
    return starts;
}

} // namespace

class tst_CallLogReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void summarizesEachGroup_data();
    void summarizesEachGroup();
    void pricesCallsWithoutCost_data();
    void pricesCallsWithoutCost();
    void countsMalformedLinesAndGoesOn();
    void reportsEveryLineInOrder();
    void classifiesSingleLines_data();
    void classifiesSingleLines();
    void everyCutOfACallIsMalformed();
    void skipsByteOrderMarkAndCarriageReturns();
    void emptyFileHasNothing();
    void readsALineLongerThanABlock();
    void unreadableInputsNameThePath_data();
    void unreadableInputsNameThePath();
    void rangeOutsideTheFileIsAnError_data();
    void rangeOutsideTheFileIsAnError();
    void rangesMergeToTheWholeFile_data();
    void rangesMergeToTheWholeFile();

private:
    QTemporaryDir m_dir;
};

void tst_CallLogReader::summarizesEachGroup_data()
{
    QTest::addColumn<QString>("group");
    QTest::addColumn<GroupExpectation>("expected");

    // calls_valid.jsonl, six calls (H = Haiku 4.5, S = Sonnet 4.5; tokens in/out/read/write):
    //   1 H chat        1000/200/0/0      $0.002     400 ms
    //   2 H rag_answer   500/100/800/0    $0.00108   300 ms
    //   3 S chat        2000/500/0/4000   $0.0285   1200 ms  (unknown keys, nested)
    //   4 S rag_answer   100/0/-/-        $0.0003   5000 ms  error, no user, no cache keys
    //   5 H chat        1240/183/800/0    priced: 1240*1 + 183*5 + 800*0.10 = 2235 -> $0.002235
    //   6 H chat         100/10/0/2000 (1000 of it 1h)  priced: 100*1 + 10*5 + 1000*1.25
    //                                          + 1000*2 = 3400 -> $0.0034            700 ms
    // All: $0.002 + 0.00108 + 0.0285 + 0.0003 + 0.002235 + 0.0034 = $0.037515; in 4940, out
    // 993, read 1600, write 6000; sorted latencies 300 400 500 700 1200 5000, mean 8100/6 =
    // 1350, p50 rank 3 = 500, p95 rank ceil(5.7) = 6 and p99 rank 6 = 5000; hit
    // 1600 / (4940 + 1600 + 6000) = 1600 / 12540.
    addGroupRow("overall", u"overall"_s,
                {6, 0.037515, {4940, 993, 1600, 6000}, 1, {1350, 500, 5000, 5000}, 1600.0 / 12540});
    // Haiku, lines 1 2 5 6: $0.008715; latencies 300 400 500 700, mean 475, p50 rank 2 = 400,
    // p95 rank ceil(3.8) = 4 = 700; hit 1600 / (2840 + 1600 + 2000).
    addGroupRow("haiku", u"model claude-haiku-4-5-20251001"_s,
                {4, 0.008715, {2840, 493, 1600, 2000}, 0, {475, 400, 700, 700}, 1600.0 / 6440});
    // Sonnet, lines 3 4: $0.0288; latencies 1200 5000, p50 rank 1, p95 rank ceil(1.9) = 2.
    addGroupRow("sonnet", u"model claude-sonnet-4-5-20250929"_s,
                {2, 0.0288, {2100, 500, 0, 4000}, 1, {3100, 1200, 5000, 5000}, 0});
    // chat, lines 1 3 5 6: $0.036135; latencies 400 500 700 1200; hit 800 / (4340 + 800 + 6000).
    addGroupRow("chat", u"feature chat"_s,
                {4, 0.036135, {4340, 893, 800, 6000}, 0, {700, 500, 1200, 1200}, 800.0 / 11140});
    // rag_answer, lines 2 4: $0.00138; latencies 300 5000; hit 800 / (600 + 800).
    addGroupRow("rag_answer", u"feature rag_answer"_s,
                {2, 0.00138, {600, 100, 800, 0}, 1, {2650, 300, 5000, 5000}, 800.0 / 1400});
}

void tst_CallLogReader::summarizesEachGroup()
{
    QFETCH(QString, group);
    QFETCH(GroupExpectation, expected);

    const Expected<LogStats> stats =
        CallLogReader::summarize(fixture(u"calls_valid.jsonl"_s), PriceBook::builtIn());
    QVERIFY2(stats.hasValue(), qPrintable(stats ? QString() : stats.error()));
    QCOMPARE(stats->malformedCount(), 0);
    QCOMPARE(stats->byModel().size(), 2);
    QCOMPARE(stats->byFeature().size(), 2);
    const std::optional<GroupStats> found = findGroup(*stats, group);
    QVERIFY(found);

    compareGroup(*found, expected);
}

void tst_CallLogReader::pricesCallsWithoutCost_data()
{
    QTest::addColumn<qint64>("number");
    QTest::addColumn<double>("cost");
    QTest::addColumn<bool>("fromPrices");
    QTest::addColumn<QString>("userId");

    // The arithmetic is beside summarizesEachGroup_data().
    QTest::newRow("logged cost") << 1LL << 0.002 << false << u"user_0001"_s;
    QTest::newRow("no user id") << 4LL << 0.0003 << false << u"anonymous"_s;
    QTest::newRow("priced with a cache read") << 5LL << 0.002235 << true << u"user_0001"_s;
    QTest::newRow("priced with a one-hour write") << 6LL << 0.0034 << true << u"user_0001"_s;
}

void tst_CallLogReader::pricesCallsWithoutCost()
{
    QFETCH(qint64, number);
    QFETCH(double, cost);
    QFETCH(bool, fromPrices);
    QFETCH(QString, userId);

    CallLogReader reader(PriceBook::builtIn());
    std::optional<LogLine> seen;
    QString seenUser;
    const Expected<void> read =
        reader.scan(fixture(u"calls_valid.jsonl"_s), [&](const LogLine &line) {
            if (line.number != number)
                return;
            seen = line;
            seenUser = line.userId.toString();
        });

    QVERIFY(read.hasValue());
    QVERIFY(seen);
    QCOMPARE(seen->kind, LogLine::Kind::Record);
    QCOMPARE(seen->costUsd, cost);
    QCOMPARE(seen->costFromPrices, fromPrices);
    QCOMPARE(seenUser, userId);
}

void tst_CallLogReader::countsMalformedLinesAndGoesOn()
{
    const Expected<LogStats> stats =
        CallLogReader::summarize(fixture(u"calls_mixed.jsonl"_s), PriceBook::builtIn());
    QVERIFY2(stats.hasValue(), qPrintable(stats ? QString() : stats.error()));

    // Calls on lines 1 ($0.002, CRLF), 14 (an unknown model with its cost, $0.01) and 17
    // ($0.0075, an error, CRLF): $0.0195. Lines 2 and 3 are blank; line 18 has no newline.
    const GroupStats all = stats->overall();
    QCOMPARE(all.records, 3);
    QCOMPARE(all.costUsd, 0.0195);
    QCOMPARE(all.errors, 1);
    QCOMPARE(stats->blankLines(), 2);
    QCOMPARE(stats->lineCount(), 17);
    QVERIFY(stats->hasIncompleteTail());
    QCOMPARE(stats->incompleteTailBytes(), 43); // {"request_id": "tail", "model": "claude-hai

    const QList<std::pair<qint64, QString>> expected{
        {4, u"not a JSON object"_s}, // not json at all
        {5, u"not a JSON object"_s}, // an array
        {6, u"\"model\" is missing"_s},
        {7, u"\"model\" is not a string"_s},
        {8, u"\"input_tokens\" is missing"_s},
        {9, u"\"input_tokens\" is not a whole number"_s},
        {10, u"\"output_tokens\" is missing"_s},
        {11, u"\"latency_ms\" is missing"_s},
        {12, u"\"latency_ms\" is not a number"_s},
        {13, u"no \"cost_usd\", and model \"gpt-4o\" is not in the price list"_s},
        {15, u"not valid JSON"_s}, // cut short after "input_tokens": 1
        {16, u"not valid JSON"_s}, // a second object after the first
    };
    QCOMPARE(stats->malformedCount(), expected.size());
    QCOMPARE(stats->malformedLines().size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QCOMPARE(stats->malformedLines()[i].number, expected[i].first);
        QCOMPARE(stats->malformedLines()[i].reason, expected[i].second);
    }
}

void tst_CallLogReader::reportsEveryLineInOrder()
{
    CallLogReader reader(PriceBook::builtIn());
    QList<LogLine::Kind> kinds;
    QList<qint64> numbers;
    LogLine last;
    const Expected<void> read =
        reader.scan(fixture(u"calls_mixed.jsonl"_s), [&](const LogLine &line) {
            kinds.append(line.kind);
            numbers.append(line.number);
            last = line;
        });
    QVERIFY(read.hasValue());

    using Kind = LogLine::Kind;
    const QList<Kind> expected{
        Kind::Record,    Kind::Blank,     Kind::Blank,         Kind::Malformed, Kind::Malformed,
        Kind::Malformed, Kind::Malformed, Kind::Malformed,     Kind::Malformed, Kind::Malformed,
        Kind::Malformed, Kind::Malformed, Kind::Malformed,     Kind::Record,    Kind::Malformed,
        Kind::Malformed, Kind::Record,    Kind::IncompleteTail};
    QCOMPARE(kinds, expected);
    for (qsizetype i = 0; i < numbers.size(); ++i)
        QCOMPARE(numbers[i], i + 1);
    // The file is 1882 bytes and the tail is its last 43.
    QCOMPARE(last.offset, 1882 - 43);
    QCOMPARE(last.length, 43);
}

void tst_CallLogReader::classifiesSingleLines_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("problem"); // empty for a call

    const QByteArray rest = R"("input_tokens": 10, "output_tokens": 5, "latency_ms": 100)";
    QTest::newRow("a call") << haikuCall << QString();
    QTest::newRow("keys in another order")
        << QByteArray(R"({"latency_ms": 1, "output_tokens": 2, "model": "x", "cost_usd": 0, )"
                      R"("input_tokens": 3})")
        << QString();
    QTest::newRow("whole-valued float tokens")
        << QByteArray(R"({"model": "claude-haiku-4-5", "input_tokens": 1240.0, )"
                      R"("output_tokens": 5, "latency_ms": 100})")
        << QString();
    QTest::newRow("null cost is priced")
        << QByteArray(R"({"model": "claude-haiku-4-5", "cost_usd": null, )" + rest + "}")
        << QString();
    QTest::newRow("unknown model with its cost")
        << QByteArray(R"({"model": "my-own-model", "cost_usd": 0.5, )" + rest + "}") << QString();
    QTest::newRow("escaped strings")
        << QByteArray(R"({"model": "claude-haiku-4-5", "feature": "say \"hi\"\n", )" + rest + "}")
        << QString();
    QTest::newRow("empty object") << QByteArray("{}") << u"\"model\" is missing"_s;
    QTest::newRow("a number") << QByteArray("42") << u"not a JSON object"_s;
    QTest::newRow("a string") << QByteArray(R"("model")") << u"not a JSON object"_s;
    QTest::newRow("null model") << QByteArray(R"({"model": null, "cost_usd": 1, )" + rest + "}")
                                << u"\"model\" is missing"_s;
    QTest::newRow("fractional tokens")
        << QByteArray(R"({"model": "claude-haiku-4-5", "input_tokens": 10.5, )"
                      R"("output_tokens": 5, "latency_ms": 100})")
        << u"\"input_tokens\" is not a whole number"_s;
    // Counts run from 0 to 2^32 - 1 = 4294967295: two lines of 2^63 - 1 used to overflow the
    // sum of input tokens.
    const auto inputTokens = [](const QByteArray &count) -> QByteArray {
        return R"({"model": "claude-haiku-4-5", "input_tokens": )" + count
               + R"(, "output_tokens": 5, "latency_ms": 100})";
    };
    const QString inputOutOfRange =
        u"\"input_tokens\" is out of range: a token count is 0 to 4294967295"_s;
    QTest::newRow("largest token count") << inputTokens("4294967295") << QString();
    QTest::newRow("negative tokens") << inputTokens("-5") << inputOutOfRange;
    QTest::newRow("tokens past 2^32 - 1") << inputTokens("4294967296") << inputOutOfRange;
    QTest::newRow("largest 64-bit tokens") << inputTokens("9223372036854775807") << inputOutOfRange;
    QTest::newRow("cache tokens past 2^53 as a float")
        << QByteArray(R"({"model": "claude-haiku-4-5", "cache_read_input_tokens": 1e300, )" + rest
                      + "}")
        << u"\"cache_read_input_tokens\" is out of range: a token count is 0 to 4294967295"_s;
    QTest::newRow("cache tokens as text") << QByteArray(
        R"({"model": "claude-haiku-4-5", "cache_read_input_tokens": "800", )" + rest + "}")
                                          << u"\"cache_read_input_tokens\" is not a whole number"_s;
    QTest::newRow("cost as text") << QByteArray(
        R"({"model": "claude-haiku-4-5", "cost_usd": "$0.01", )" + rest + "}")
                                  << u"\"cost_usd\" is not a number"_s;
    QTest::newRow("feature as a number")
        << QByteArray(R"({"model": "claude-haiku-4-5", "feature": 7, )" + rest + "}")
        << u"\"feature\" is not a string"_s;
    QTest::newRow("unpriced model")
        << QByteArray(R"({"model": "claude-opus-4-10", )" + rest + "}")
        << u"no \"cost_usd\", and model \"claude-opus-4-10\" is not in the price list"_s;
    QTest::newRow("bad escape") << QByteArray(R"({"model": "claude-haiku-4-5\q", "cost_usd": 1, )"
                                              + rest + "}")
                                << u"not valid JSON"_s;
    QTest::newRow("not UTF-8") << QByteArray("{\"model\": \"claude-\xff\", \"cost_usd\": 1, " + rest
                                             + "}")
                               << u"not valid JSON"_s;
    QTest::newRow("missing comma")
        << QByteArray(R"({"model": "claude-haiku-4-5" "cost_usd": 1, )" + rest + "}")
        << u"not valid JSON"_s;
    QTest::newRow("cut inside an unknown value")
        << QByteArray(R"({"model": "claude-haiku-4-5", )" + rest + R"(, "meta": {"tags": [1, 2)")
        << u"not valid JSON"_s;
    QTest::newRow("text after the object") << haikuCall + " x" << u"not valid JSON"_s;
}

void tst_CallLogReader::classifiesSingleLines()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, problem);

    const QString path = writeLogFile(m_dir, text + '\n');
    const Expected<LogStats> stats = CallLogReader::summarize(path, PriceBook::builtIn());

    QVERIFY(stats.hasValue());
    QCOMPARE(stats->records(), problem.isEmpty() ? 1 : 0);
    QCOMPARE(stats->malformedCount(), problem.isEmpty() ? 0 : 1);
    if (!problem.isEmpty())
        QCOMPARE(stats->malformedLines().first().reason, problem);
}

void tst_CallLogReader::everyCutOfACallIsMalformed()
{
    // A writer that died mid-line leaves a prefix followed by the next line: no prefix of a
    // call may pass for a shorter call.
    QByteArray log;
    for (qsizetype cut = 1; cut < haikuCall.size(); ++cut)
        log += haikuCall.left(cut) + '\n';
    const QString path = writeLogFile(m_dir, log);

    const Expected<LogStats> stats = CallLogReader::summarize(path, PriceBook::builtIn());

    QVERIFY(stats.hasValue());
    QCOMPARE(stats->records(), 0);
    QCOMPARE(stats->malformedCount(), haikuCall.size() - 1);
}

void tst_CallLogReader::skipsByteOrderMarkAndCarriageReturns()
{
    // Two Haiku calls of 400 and 600 ms, each ended by CRLF, after a UTF-8 byte order mark.
    CallLogReader reader(PriceBook::builtIn());
    QList<LogLine> lines;
    const Expected<void> read = reader.scan(fixture(u"calls_bom.jsonl"_s),
                                            [&](const LogLine &line) { lines.append(line); });

    QVERIFY(read.hasValue());
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0].kind, LogLine::Kind::Record);
    QCOMPARE(lines[0].offset, 3);
    // The second line starts after the mark, the first line and its "\r\n".
    QCOMPARE(lines[1].offset, 3 + lines[0].length + 2);
    QCOMPARE(lines[1].kind, LogLine::Kind::Record);

    const Expected<LogStats> stats =
        CallLogReader::summarize(fixture(u"calls_bom.jsonl"_s), PriceBook::builtIn());
    QVERIFY(stats.hasValue());
    QCOMPARE(stats->overall().meanLatencyMs(), 500.0);
    QVERIFY(!stats->hasIncompleteTail());
}

void tst_CallLogReader::emptyFileHasNothing()
{
    const Expected<LogStats> stats =
        CallLogReader::summarize(fixture(u"calls_empty.jsonl"_s), PriceBook::builtIn());

    QVERIFY(stats.hasValue());
    QCOMPARE(stats->lineCount(), 0);
    QCOMPARE(stats->records(), 0);
    QVERIFY(!stats->hasIncompleteTail());
    QCOMPARE(stats->overall().p99LatencyMs, 0.0);
}

void tst_CallLogReader::readsALineLongerThanABlock()
{
    // A 6 MiB unknown value makes one line larger than any read block.
    const QByteArray huge(6 * 1024 * 1024, 'a');
    QByteArray longCall = haikuCall;
    longCall.chop(1);
    longCall += R"(, "transcript": ")" + huge + "\"}";
    const QString path = writeLogFile(m_dir, haikuCall + '\n' + longCall + '\n' + haikuCall + '\n');

    const Expected<LogStats> stats = CallLogReader::summarize(path, PriceBook::builtIn());

    QVERIFY(stats.hasValue());
    QCOMPARE(stats->records(), 3);
    QCOMPARE(stats->malformedCount(), 0);
    QCOMPARE(stats->overall().costUsd, 0.006);
}

void tst_CallLogReader::unreadableInputsNameThePath_data()
{
    addUnreadablePathRows(m_dir);
}

void tst_CallLogReader::unreadableInputsNameThePath()
{
    QFETCH(QString, path);
    QFETCH(QString, reason);

    const Expected<LogStats> stats = CallLogReader::summarize(path, PriceBook::builtIn());
    CallLogReader reader(PriceBook::builtIn());
    const Expected<void> scanned = reader.scan(path, [](const LogLine &) {});

    QVERIFY(!stats.hasValue());
    QVERIFY2(stats.error().startsWith(path + u": "_s), qPrintable(stats.error()));
    QVERIFY2(stats.error().contains(reason), qPrintable(stats.error()));
    QVERIFY(!scanned.hasValue());
    QCOMPARE(scanned.error(), stats.error());
}

void tst_CallLogReader::rangeOutsideTheFileIsAnError_data()
{
    QTest::addColumn<qint64>("begin");
    QTest::addColumn<qint64>("end");

    // calls_bom.jsonl is 759 bytes.
    QTest::newRow("past the end") << 0LL << 760LL;
    QTest::newRow("backwards") << 300LL << 200LL;
    QTest::newRow("negative start") << -1LL << 100LL;
}

void tst_CallLogReader::rangeOutsideTheFileIsAnError()
{
    QFETCH(qint64, begin);
    QFETCH(qint64, end);

    const QString path = fixture(u"calls_bom.jsonl"_s);
    CallLogReader reader(PriceBook::builtIn());
    const Expected<LogStats> stats = reader.summarizeRange(path, begin, end);

    QVERIFY(!stats.hasValue());
    QVERIFY2(stats.error().startsWith(path + u": "_s), qPrintable(stats.error()));
    QVERIFY2(stats.error().contains(u"759 bytes"_s), qPrintable(stats.error()));
}

void tst_CallLogReader::rangesMergeToTheWholeFile_data()
{
    QTest::addColumn<QString>("name");

    QTest::newRow("valid calls") << u"calls_valid.jsonl"_s;
    QTest::newRow("malformed, blank lines, a tail") << u"calls_mixed.jsonl"_s;
    QTest::newRow("byte order mark") << u"calls_bom.jsonl"_s;
}

void tst_CallLogReader::rangesMergeToTheWholeFile()
{
    QFETCH(QString, name);

    const QString path = fixture(name);
    const Expected<LogStats> whole = CallLogReader::summarize(path, PriceBook::builtIn());
    QVERIFY(whole.hasValue());
    const QList<qint64> starts = lineStarts(path);
    const qint64 size = QFileInfo(path).size();
    QVERIFY(starts.size() > 2);

    // Split at every line start in turn, and also into three parts at once.
    CallLogReader reader(PriceBook::builtIn());
    for (const qint64 split : starts) {
        Expected<LogStats> merged = reader.summarizeRange(path, 0, split);
        const Expected<LogStats> rest = reader.summarizeRange(path, split, size);
        QVERIFY(merged.hasValue() && rest.hasValue());
        merged->merge(*rest);
        QCOMPARE(logStatsText(*merged), logStatsText(*whole));
    }
    const qint64 third = starts[starts.size() / 3];
    const qint64 twoThirds = starts[2 * starts.size() / 3];
    Expected<LogStats> merged = reader.summarizeRange(path, 0, third);
    QVERIFY(merged.hasValue());
    for (const auto &[begin, end] : {std::pair{third, twoThirds}, std::pair{twoThirds, size}}) {
        const Expected<LogStats> part = reader.summarizeRange(path, begin, end);
        QVERIFY(part.hasValue());
        merged->merge(*part);
    }
    QCOMPARE(logStatsText(*merged), logStatsText(*whole));
}

QTEST_GUILESS_MAIN(tst_CallLogReader)
#include "tst_calllogreader.moc"
