#include "calllog/callrecord.h"

#include <QJsonArray>
#include <QTest>
#include <QUuid>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

class tst_CallRecord : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesKeysInTheDocumentedOrder();
    void roundTripsEveryString_data();
    void roundTripsEveryString();
    void writesCostAsPlainShortestDecimal_data();
    void writesCostAsPlainShortestDecimal();
    void hashesSystemPromptLikeSha256sum_data();
    void hashesSystemPromptLikeSha256sum();
    void rejectsMalformedLinesSayingWhy_data();
    void rejectsMalformedLinesSayingWhy();
    void fillsDefaultsForMissingKeys();
    void keepsUnknownKeys();
    void acceptsCrlf();
    void readsTimestampsAsUtc_data();
    void readsTimestampsAsUtc();
    void usageTakesOneHourWritesFromExtra();
    void requestIdsAreBareUuids();
};

namespace {

CallRecord sampleRecord()
{
    CallRecord record;
    record.requestId = u"0d5e8a52-3c1f-4f7e-9b1a-2f6c4d8e9a10"_s;
    record.timestamp = QDateTime(QDate(2026, 1, 15), QTime(10, 23, 45, 123), Qt::UTC);
    record.model = u"claude-haiku-4-5-20251001"_s;
    record.feature = u"support"_s;
    record.systemPromptHash = u"e3b0c442"_s;
    record.inputTokens = 1240;
    record.outputTokens = 183;
    record.cacheReadInputTokens = 800;
    record.cacheCreationInputTokens = 0;
    record.costUsd = 0.002235;
    record.costKnown = true;
    record.latencyMs = 912;
    record.finishReason = u"end_turn"_s;
    record.numRetrievedDocs = 3;
    return record;
}

} // namespace

void tst_CallRecord::writesKeysInTheDocumentedOrder()
{
    CallRecord record = sampleRecord();
    // Inserted out of order on purpose: they must come out sorted, after the required keys.
    record.extra.insert(u"ttft_ms"_s, 240);
    record.extra.insert(u"attempts"_s, 2);
    record.extra.insert(u"stream"_s, true);
    record.extra.insert(u"route_reason"_s, u"short prompt"_s);

    const QByteArray expected =
        R"({"request_id":"0d5e8a52-3c1f-4f7e-9b1a-2f6c4d8e9a10",)"
        R"("timestamp":"2026-01-15T10:23:45.123Z","model":"claude-haiku-4-5-20251001",)"
        R"("feature":"support","user_id":"anonymous","system_prompt_hash":"e3b0c442",)"
        R"("input_tokens":1240,"output_tokens":183,"cache_read_input_tokens":800,)"
        R"("cache_creation_input_tokens":0,"cost_usd":0.002235,"latency_ms":912,)"
        R"("finish_reason":"end_turn","num_retrieved_docs":3,)"
        R"("attempts":2,"route_reason":"short prompt","stream":true,"ttft_ms":240})"
        "\n";

    QCOMPARE(record.toJsonLine(), expected);
}

void tst_CallRecord::roundTripsEveryString_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("plain") << u"support-bot"_s;
    QTest::newRow("empty") << QString();
    QTest::newRow("quotes") << u"say \"hi\" and 'bye'"_s;
    QTest::newRow("backslashes") << u"C:\\logs\\new\\n is not a newline"_s;
    QTest::newRow("newlines and tabs") << u"line one\nline two\r\n\tindented"_s;
    QTest::newRow("other control chars") << u"bell \a, escape \x1b, nul-free \x01\x1f"_s;
    QTest::newRow("emoji") << u"ship it 🚀🙂"_s;
    QTest::newRow("accents and CJK") << u"Réponds en français, 日本語も"_s;
    QTest::newRow("unicode line breaks") << u"a\u2028b\u2029c\u0085d"_s;
    QTest::newRow("looks like json") << u"\"},{\"model\":\"evil\""_s;
}

void tst_CallRecord::roundTripsEveryString()
{
    QFETCH(QString, text);
    CallRecord record = sampleRecord();
    record.model = text;
    record.feature = text;
    record.userId = text;
    record.finishReason = text;
    record.extra.insert(text.isEmpty() ? u"empty"_s : text, text);

    const QByteArray line = record.toJsonLine();
    const Expected<CallRecord> parsed = CallRecord::fromJsonLine(line);

    // Exactly one line, whatever the text held: no raw LF, CR, U+2028/9 or U+0085 inside it.
    QCOMPARE(line.count('\n'), 1);
    QVERIFY(line.endsWith('\n'));
    QVERIFY(!line.contains('\r'));
    QVERIFY(!line.contains("\xe2\x80\xa8") && !line.contains("\xe2\x80\xa9"));
    QVERIFY(!line.contains("\xc2\x85"));
    QVERIFY2(parsed.hasValue(), qPrintable(parsed ? QString() : parsed.error()));
    QCOMPARE(parsed->model, text);
    QCOMPARE(parsed->feature, text);
    QCOMPARE(parsed->userId, text);
    QCOMPARE(parsed->finishReason, text);
    QCOMPARE(parsed->extra, record.extra);
    QCOMPARE(parsed->timestamp, record.timestamp);
    QCOMPARE(parsed->costUsd, record.costUsd);
    QCOMPARE(parsed->toJsonLine(), line);
}

void tst_CallRecord::writesCostAsPlainShortestDecimal_data()
{
    QTest::addColumn<double>("cost");
    QTest::addColumn<QByteArray>("written");

    QTest::newRow("typical") << 0.002235 << QByteArray("0.002235");
    QTest::newRow("tiny, no exponent") << 0.00001 << QByteArray("0.00001");
    QTest::newRow("zero") << 0.0 << QByteArray("0");
    QTest::newRow("whole dollars") << 12.0 << QByteArray("12");
    // 0.1 + 0.2 is not 0.3 in binary; 17 digits are what it takes to read it back exactly.
    QTest::newRow("needs 17 digits") << 0.1 + 0.2 << QByteArray("0.30000000000000004");
    QTest::newRow("large") << 123456.789 << QByteArray("123456.789");
}

void tst_CallRecord::writesCostAsPlainShortestDecimal()
{
    QFETCH(double, cost);
    QFETCH(QByteArray, written);
    CallRecord record = sampleRecord();
    record.costUsd = cost;

    const QByteArray line = record.toJsonLine();
    const Expected<CallRecord> parsed = CallRecord::fromJsonLine(line);

    QVERIFY2(line.contains(QByteArray(",\"cost_usd\":" + written + ",\"latency_ms\"")),
             line.constData());
    QVERIFY(parsed.hasValue());
    QVERIFY(parsed->costKnown);
    QVERIFY(parsed->costUsd == cost); // bit for bit, not within a tolerance
}

void tst_CallRecord::hashesSystemPromptLikeSha256sum_data()
{
    QTest::addColumn<QString>("prompt");
    QTest::addColumn<QString>("hash");

    // Each hash is the first 8 characters of `printf %s 'prompt' | sha256sum`.
    QTest::newRow("empty") << QString() << u"e3b0c442"_s;
    QTest::newRow("ascii") << u"You are a helpful assistant."_s << u"75357d68"_s;
    QTest::newRow("accents") << u"Réponds en français."_s << u"7dc9af64"_s;
    QTest::newRow("emoji") << u"🙂 emoji prompt"_s << u"722188ad"_s;
}

void tst_CallRecord::hashesSystemPromptLikeSha256sum()
{
    QFETCH(QString, prompt);
    QFETCH(QString, hash);

    QCOMPARE(CallRecord::hashSystemPrompt(prompt), hash);
}

void tst_CallRecord::rejectsMalformedLinesSayingWhy_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("reason");

    QTest::newRow("not json") << QByteArray("hello world") << u"not valid JSON"_s;
    QTest::newRow("empty line") << QByteArray("") << u"not valid JSON"_s;
    QTest::newRow("torn line") << QByteArray(R"({"model":"claude-haiku-4-5","input_tok)")
                               << u"not valid JSON"_s;
    QTest::newRow("array") << QByteArray(R"([{"model":"m"}])") << u"not a JSON object"_s;
    QTest::newRow("missing model") << QByteArray(R"({"input_tokens":1,"output_tokens":2,)"
                                                 R"("latency_ms":3})")
                                   << u"\"model\" is missing"_s;
    QTest::newRow("null model") << QByteArray(R"({"model":null,"input_tokens":1,)"
                                              R"("output_tokens":2,"latency_ms":3})")
                                << u"\"model\" is missing"_s;
    QTest::newRow("model is a number") << QByteArray(R"({"model":4,"input_tokens":1,)"
                                                     R"("output_tokens":2,"latency_ms":3})")
                                       << u"\"model\" must be a string, not a number"_s;
    QTest::newRow("missing input_tokens")
        << QByteArray(R"({"model":"m","output_tokens":2,"latency_ms":3})")
        << u"\"input_tokens\" is missing"_s;
    QTest::newRow("output_tokens as text")
        << QByteArray(R"({"model":"m","input_tokens":1,"output_tokens":"2","latency_ms":3})")
        << u"\"output_tokens\" must be a number, not a string"_s;
    QTest::newRow("missing latency_ms")
        << QByteArray(R"({"model":"m","input_tokens":1,"output_tokens":2})")
        << u"\"latency_ms\" is missing"_s;
    QTest::newRow("latency_ms is a boolean")
        << QByteArray(R"({"model":"m","input_tokens":1,"output_tokens":2,"latency_ms":true})")
        << u"\"latency_ms\" must be a number, not a boolean"_s;
    QTest::newRow("negative tokens")
        << QByteArray(R"({"model":"m","input_tokens":-5,"output_tokens":2,"latency_ms":3})")
        << u"\"input_tokens\" is out of range"_s;
    QTest::newRow("optional count of the wrong type")
        << QByteArray(R"({"model":"m","input_tokens":1,"output_tokens":2,"latency_ms":3,)"
                      R"("cache_read_input_tokens":[1]})")
        << u"\"cache_read_input_tokens\" must be a number, not an array"_s;
    QTest::newRow("cost as text") << QByteArray(
        R"({"model":"m","input_tokens":1,"output_tokens":2,"latency_ms":3,)"
        R"("cost_usd":"0.01"})") << u"\"cost_usd\" must be a number, not a string"_s;
    QTest::newRow("timestamp not a date")
        << QByteArray(R"({"model":"m","input_tokens":1,"output_tokens":2,"latency_ms":3,)"
                      R"("timestamp":"yesterday"})")
        << u"\"timestamp\" must be an ISO 8601 date and time, not \"yesterday\""_s;
}

void tst_CallRecord::rejectsMalformedLinesSayingWhy()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, reason);

    const Expected<CallRecord> parsed = CallRecord::fromJsonLine(line);

    QVERIFY(!parsed.hasValue());
    QVERIFY2(parsed.error().contains(reason), qPrintable(parsed.error()));
}

void tst_CallRecord::fillsDefaultsForMissingKeys()
{
    const QByteArray line = R"({"model":"m","input_tokens":1,"output_tokens":2,"latency_ms":3.6})";

    const Expected<CallRecord> parsed = CallRecord::fromJsonLine(line);

    QVERIFY2(parsed.hasValue(), qPrintable(parsed ? QString() : parsed.error()));
    QCOMPARE(parsed->model, u"m"_s);
    QCOMPARE(parsed->userId, u"anonymous"_s);
    QCOMPARE(parsed->latencyMs, 4); // 3.6 ms rounds to 4
    QCOMPARE(parsed->cacheReadInputTokens, 0);
    QCOMPARE(parsed->cacheCreationInputTokens, 0);
    QCOMPARE(parsed->numRetrievedDocs, 0);
    QVERIFY(parsed->requestId.isEmpty());
    QVERIFY(parsed->finishReason.isEmpty());
    QVERIFY(!parsed->timestamp.isValid());
    QVERIFY(!parsed->costKnown);
    QVERIFY(std::isnan(parsed->costUsd));
    QVERIFY(parsed->extra.isEmpty());
    // An unknown cost stays unknown when written back, rather than becoming a zero.
    QVERIFY(!parsed->toJsonLine().contains("cost_usd"));
}

void tst_CallRecord::keepsUnknownKeys()
{
    const QByteArray line = R"({"model":"m","input_tokens":1,"output_tokens":2,"latency_ms":3,)"
                            R"("zz_tool":{"name":"search","ok":true},"tags":["a","b"],)"
                            R"("big":9007199254740993,"ratio":0.25,"note":null})";

    const Expected<CallRecord> parsed = CallRecord::fromJsonLine(line);

    QVERIFY2(parsed.hasValue(), qPrintable(parsed ? QString() : parsed.error()));
    QCOMPARE(parsed->extra.size(), 5);
    QCOMPARE(parsed->extra.value("zz_tool"_L1).toObject().value("name"_L1), u"search"_s);
    QCOMPARE(parsed->extra.value("tags"_L1).toArray().size(), 2);
    QVERIFY(parsed->extra.value("note"_L1).isNull());
    // 2^53 + 1 cannot be a double; it must come back digit for digit all the same.
    const QByteArray written = parsed->toJsonLine();
    QVERIFY2(written.endsWith(R"("num_retrieved_docs":0,"big":9007199254740993,"note":null,)"
                              R"("ratio":0.25,"tags":["a","b"],)"
                              R"("zz_tool":{"name":"search","ok":true}})"
                              "\n"),
             written.constData());
}

void tst_CallRecord::acceptsCrlf()
{
    const QByteArray line = sampleRecord().toJsonLine();
    QByteArray crlf = line;
    crlf.insert(crlf.size() - 1, '\r');

    const Expected<CallRecord> parsed = CallRecord::fromJsonLine(crlf);

    QVERIFY2(parsed.hasValue(), qPrintable(parsed ? QString() : parsed.error()));
    QCOMPARE(parsed->toJsonLine(), line);
}

void tst_CallRecord::readsTimestampsAsUtc_data()
{
    QTest::addColumn<QString>("timestamp");
    QTest::addColumn<QByteArray>("written");

    QTest::newRow("utc with Z") << u"2026-01-15T10:23:45.123Z"_s
                                << QByteArray("2026-01-15T10:23:45.123Z");
    QTest::newRow("offset") << u"2026-01-15T12:23:45.123+02:00"_s
                            << QByteArray("2026-01-15T10:23:45.123Z");
    QTest::newRow("no offset means utc")
        << u"2026-01-15T10:23:45.123"_s << QByteArray("2026-01-15T10:23:45.123Z");
    QTest::newRow("python isoformat, microseconds")
        << u"2026-01-15T10:23:45.123456+00:00"_s << QByteArray("2026-01-15T10:23:45.123Z");
    QTest::newRow("no milliseconds")
        << u"2026-01-15T10:23:45Z"_s << QByteArray("2026-01-15T10:23:45.000Z");
}

void tst_CallRecord::readsTimestampsAsUtc()
{
    QFETCH(QString, timestamp);
    QFETCH(QByteArray, written);
    const QByteArray line = R"({"model":"m","input_tokens":1,"output_tokens":2,"latency_ms":3,)"
                            R"("timestamp":")"
                            + timestamp.toUtf8() + "\"}";

    const Expected<CallRecord> parsed = CallRecord::fromJsonLine(line);

    QVERIFY2(parsed.hasValue(), qPrintable(parsed ? QString() : parsed.error()));
    QCOMPARE(parsed->timestamp.timeSpec(), Qt::UTC);
    QVERIFY2(parsed->toJsonLine().contains(QByteArray(",\"timestamp\":\"" + written + "\",")),
             parsed->toJsonLine().constData());
}

void tst_CallRecord::usageTakesOneHourWritesFromExtra()
{
    CallRecord record = sampleRecord();
    record.cacheCreationInputTokens = 4000;
    record.extra.insert(u"cache_creation_1h_input_tokens"_s, 3000);

    const TokenUsage usage = record.usage();

    QCOMPARE(usage.inputTokens, 1240);
    QCOMPARE(usage.outputTokens, 183);
    QCOMPARE(usage.cacheReadInputTokens, 800);
    QCOMPARE(usage.cacheCreationInputTokens, 4000);
    QCOMPARE(usage.cacheCreation1hInputTokens, 3000);
    QCOMPARE(sampleRecord().usage().cacheCreation1hInputTokens, 0);
}

void tst_CallRecord::requestIdsAreBareUuids()
{
    const QString first = CallRecord::newRequestId();
    const QString second = CallRecord::newRequestId();

    QCOMPARE(first.size(), 36);
    QVERIFY(!first.contains(u'{'));
    QVERIFY(!QUuid::fromString(first).isNull());
    QVERIFY(first != second);
}

QTEST_GUILESS_MAIN(tst_CallRecord)
#include "tst_callrecord.moc"
