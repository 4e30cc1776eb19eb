#include "client/messageresponse.h"
#include "client/messagestreamassembler.h"

#include <QRegularExpression>
#include <QTest>

#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace {

SseEvent sseEvent(const char *name, const char *data)
{
    return SseEvent{QByteArray(name), QByteArray(data)};
}

// The start of a stream: input-side usage, and a placeholder output count of 2.
const SseEvent messageStart =
    sseEvent("message_start",
             R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",
        "content":[],"model":"claude-haiku-4-5-20251001","stop_reason":null,
        "usage":{"input_tokens":18,"cache_creation_input_tokens":0,"cache_read_input_tokens":4200,
                 "cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},
                 "output_tokens":2,"service_tier":"standard"}}})");

} // namespace

class tst_MessageStream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void assemblesTextAndCumulativeUsage();
    void usageIsOverwrittenNeverAdded();
    void impossibleUsageCountsAreIgnored();
    void errorEventEndsTheStream();
    void toolArgumentsParseAtBlockStop();
    void unknownAndNamelessEventsAreIgnored();
    void invalidEventDataIsAnError();
    void blockStartBeyondTheNextBlockIsAnError_data();
    void blockStartBeyondTheNextBlockIsAnError();
    void streamWithoutMessageDeltaHasNoFinalUsage();
    void wholeResponseParses();
    void wholeResponseRejectsOtherBodies_data();
    void wholeResponseRejectsOtherBodies();
};

void tst_MessageStream::assemblesTextAndCumulativeUsage()
{
    MessageStreamAssembler assembler;
    QString streamed;

    streamed += assembler.take(messageStart);
    streamed += assembler.take(sseEvent(
        "content_block_start",
        R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"));
    streamed += assembler.take(sseEvent("ping", R"({"type": "ping"})"));
    streamed += assembler.take(sseEvent(
        "content_block_delta",
        R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}})"));
    streamed += assembler.take(sseEvent(
        "content_block_delta",
        R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo!"}})"));
    streamed += assembler.take(
        sseEvent("content_block_stop", R"({"type":"content_block_stop","index":0})"));
    streamed += assembler.take(
        sseEvent("message_delta",
                 R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},
            "usage":{"output_tokens":5}})"));
    QVERIFY(!assembler.isComplete());
    streamed += assembler.take(sseEvent("message_stop", R"({"type":"message_stop"})"));

    QCOMPARE(streamed, u"Hello!"_s);
    QVERIFY(assembler.isComplete());
    QVERIFY(assembler.hasFinalUsage());
    QVERIFY(!assembler.hasError());
    const MessageResponse &message = assembler.message();
    QCOMPARE(message.id, u"msg_1"_s);
    QCOMPARE(message.model, u"claude-haiku-4-5-20251001"_s);
    QCOMPARE(message.text(), u"Hello!"_s);
    QCOMPARE(message.stopReason, u"end_turn"_s);
    QCOMPARE(message.usage.inputTokens, 18);
    QCOMPARE(message.usage.cacheReadInputTokens, 4200); // from message_start, not repeated later
    QCOMPARE(message.usage.outputTokens, 5);            // the cumulative total, not 2 + 5
}

void tst_MessageStream::usageIsOverwrittenNeverAdded()
{
    MessageStreamAssembler assembler;
    assembler.take(messageStart);

    // Two deltas, each cumulative, the second also restating a grown input count.
    assembler.take(sseEvent("message_delta", R"({"type":"message_delta","delta":{},
                                              "usage":{"output_tokens":40}})"));
    assembler.take(sseEvent("message_delta", R"({"type":"message_delta","delta":{},
                                              "usage":{"input_tokens":30,"output_tokens":90}})"));

    QCOMPARE(assembler.message().usage.outputTokens, 90);
    QCOMPARE(assembler.message().usage.inputTokens, 30);
    QCOMPARE(assembler.message().usage.cacheReadInputTokens, 4200);
}

void tst_MessageStream::impossibleUsageCountsAreIgnored()
{
    MessageStreamAssembler assembler;
    assembler.take(messageStart);

    // Far past any integer, negative, and fractional: none of them is a token count.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"ignored usage"_s));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"ignored usage"_s));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"ignored usage"_s));
    assembler.take(sseEvent("message_delta", R"({"type":"message_delta","delta":{},
        "usage":{"input_tokens":3.0066e88,"output_tokens":-5,"cache_read_input_tokens":1.5}})"));

    QCOMPARE(assembler.message().usage.inputTokens, 18);
    QCOMPARE(assembler.message().usage.outputTokens, 2);
    QCOMPARE(assembler.message().usage.cacheReadInputTokens, 4200);
}

void tst_MessageStream::errorEventEndsTheStream()
{
    MessageStreamAssembler assembler;
    assembler.take(messageStart);
    assembler.take(sseEvent(
        "content_block_start",
        R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"));

    assembler.take(sseEvent(
        "error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
    const QString after = assembler.take(sseEvent(
        "content_block_delta",
        R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}})"));

    QVERIFY(assembler.hasError());
    QCOMPARE(assembler.errorType(), u"overloaded_error"_s);
    QCOMPARE(assembler.errorMessage(), u"Overloaded"_s);
    QVERIFY(after.isEmpty());
    QVERIFY(!assembler.isComplete());
}

void tst_MessageStream::toolArgumentsParseAtBlockStop()
{
    MessageStreamAssembler assembler;
    assembler.take(messageStart);
    assembler.take(sseEvent("content_block_start", R"({"type":"content_block_start","index":0,
        "content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}})"));
    assembler.take(sseEvent("content_block_delta", R"({"type":"content_block_delta","index":0,
        "delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Ber"}})"));
    assembler.take(sseEvent("content_block_delta", R"({"type":"content_block_delta","index":0,
        "delta":{"type":"input_json_delta","partial_json":"lin\"}"}})"));
    assembler.take(sseEvent("content_block_stop", R"({"type":"content_block_stop","index":0})"));

    const ContentBlock &block = assembler.message().content.at(0);
    QCOMPARE(block.type, u"tool_use"_s);
    QCOMPARE(block.toolName, u"get_weather"_s);
    QCOMPARE(block.input.value("city"_L1).toString(), u"Berlin"_s);
}

void tst_MessageStream::unknownAndNamelessEventsAreIgnored()
{
    MessageStreamAssembler assembler;
    assembler.take(messageStart);

    assembler.take(sseEvent("future_event", R"({"type":"future_event"})"));
    assembler.take(SseEvent{QByteArray(), QByteArray(R"({"type":"error","error":{}})")});
    assembler.take(sseEvent("content_block_delta", R"({"type":"content_block_delta","index":7,
        "delta":{"type":"text_delta","text":"stray"}})"));

    QVERIFY(!assembler.hasError());
    QVERIFY(assembler.message().text().isEmpty());
}

void tst_MessageStream::invalidEventDataIsAnError()
{
    MessageStreamAssembler assembler;

    assembler.take(sseEvent("message_start", "{not json"));

    QVERIFY(assembler.hasError());
    QCOMPARE(assembler.errorType(), u"invalid_stream"_s);
    QVERIFY(assembler.errorMessage().contains(u"message_start"_s));
}

void tst_MessageStream::blockStartBeyondTheNextBlockIsAnError_data()
{
    QTest::addColumn<int>("index");

    // With no block started yet, only block 0 may start next.
    QTest::newRow("one past the next block") << 1;
    QTest::newRow("an index that would need terabytes") << std::numeric_limits<int>::max();
}

void tst_MessageStream::blockStartBeyondTheNextBlockIsAnError()
{
    QFETCH(int, index);
    MessageStreamAssembler assembler;
    assembler.take(messageStart);

    const QByteArray start = R"({"type":"content_block_start","index":)" + QByteArray::number(index)
                             + R"(,"content_block":{"type":"text","text":""}})";
    assembler.take(SseEvent{QByteArray("content_block_start"), start});

    QVERIFY(assembler.hasError());
    QCOMPARE(assembler.errorType(), u"invalid_stream"_s);
    QVERIFY(assembler.errorMessage().contains(QString::number(index)));
    QVERIFY(assembler.message().content.isEmpty());
}

void tst_MessageStream::streamWithoutMessageDeltaHasNoFinalUsage()
{
    MessageStreamAssembler assembler;
    assembler.take(messageStart);

    QVERIFY(assembler.hasStarted());
    QVERIFY(!assembler.hasFinalUsage());
    QCOMPARE(assembler.message().usage.outputTokens, 2);
}

void tst_MessageStream::wholeResponseParses()
{
    // As the API sends it, padding whitespace included.
    const QByteArray body = R"({"id":"msg_01X","type":"message","role":"assistant",
        "model":"claude-haiku-4-5-20251001","content":[{"type":"text","text":"Hello!"}],
        "stop_reason":"end_turn","stop_sequence":null,
        "usage":{"input_tokens":21,"cache_creation_input_tokens":188086,
                 "cache_read_input_tokens":0,
                 "cache_creation":{"ephemeral_5m_input_tokens":88086,
                                   "ephemeral_1h_input_tokens":100000},
                 "output_tokens":393,"service_tier":"standard"}}      )";

    const Expected<MessageResponse> message = MessageResponse::fromJson(body);

    QVERIFY2(message.hasValue(), qPrintable(message ? QString() : message.error()));
    QCOMPARE(message->text(), u"Hello!"_s);
    QCOMPARE(message->stopReason, u"end_turn"_s);
    QVERIFY(message->stopSequence.isEmpty());
    QCOMPARE(message->usage.inputTokens, 21);
    QCOMPARE(message->usage.cacheCreationInputTokens, 188086);
    QCOMPARE(message->usage.cacheCreation1hInputTokens, 100000);
    QCOMPARE(message->usage.outputTokens, 393);
    QCOMPARE(message->serviceTier, u"standard"_s);
}

void tst_MessageStream::wholeResponseRejectsOtherBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("html") << QByteArray("<html>Bad gateway</html>") << u"not JSON"_s;
    QTest::newRow("error envelope")
        << QByteArray(R"({"type":"error","error":{"type":"api_error","message":"x"}})")
        << u"not a message (type \"error\")"_s;
    QTest::newRow("array") << QByteArray("[]") << u"not JSON"_s;
}

void tst_MessageStream::wholeResponseRejectsOtherBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, fragment);

    const Expected<MessageResponse> message = MessageResponse::fromJson(body);

    QVERIFY(!message.hasValue());
    QVERIFY2(message.error().contains(fragment), qPrintable(message.error()));
}

QTEST_GUILESS_MAIN(tst_MessageStream)
#include "tst_messagestream.moc"
