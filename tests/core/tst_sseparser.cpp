#include "client/sseparser.h"

#include <QTest>

namespace {

using EventList = QList<QPair<QByteArray, QByteArray>>;

EventList flatten(const QList<SseEvent> &events)
{
    EventList flat;
    for (const SseEvent &event : events)
        flat.append({event.name, event.data});
    return flat;
}

// Feeds `stream` split into pieces at the given cut positions.
EventList parseInPieces(const QByteArray &stream, const QList<qsizetype> &cuts, bool *incomplete)
{
    SseParser parser;
    QList<SseEvent> events;
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        events += parser.feed(QByteArrayView(stream).sliced(from, cut - from));
        from = cut;
    }
    events += parser.feed(QByteArrayView(stream).sliced(from));
    *incomplete = parser.hasIncompleteEvent();
    return flatten(events);
}

} // namespace

class tst_SseParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesWhateverTheChunking_data();
    void parsesWhateverTheChunking();
    void parsesAMessagesStream();
};

void tst_SseParser::parsesWhateverTheChunking_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<EventList>("expected");
    QTest::addColumn<bool>("incomplete");

    const QByteArray ping = R"({"type": "ping"})";

    QTest::newRow("LF framing") << QByteArray("event: ping\ndata: " + ping + "\n\n")
                                << EventList{{"ping", ping}} << false;
    QTest::newRow("CRLF framing") << QByteArray("event: ping\r\ndata: " + ping + "\r\n\r\n")
                                  << EventList{{"ping", ping}} << false;
    QTest::newRow("bare CR framing")
        << QByteArray("event: ping\rdata: " + ping + "\r\r") << EventList{{"ping", ping}} << false;
    QTest::newRow("no space after colon")
        << QByteArray("event:a\ndata:{}\n\n") << EventList{{"a", "{}"}} << false;
    QTest::newRow("only the first space is dropped")
        << QByteArray("event: a\ndata:  x\n\n") << EventList{{"a", " x"}} << false;
    QTest::newRow("comments and unknown fields ignored")
        << QByteArray(": keep-alive\nid: 7\nretry: 100\nevent: a\ndata: 1\n\n")
        << EventList{{"a", "1"}} << false;
    QTest::newRow("data lines joined") << QByteArray("event: a\ndata: {\"x\":\ndata: 1}\n\n")
                                       << EventList{{"a", "{\"x\":\n1}"}} << false;
    QTest::newRow("field without colon")
        << QByteArray("event: a\ndata\n\n") << EventList{{"a", ""}} << false;
    QTest::newRow("blank lines alone dispatch nothing")
        << QByteArray("\n\n\n") << EventList{} << false;
    QTest::newRow("byte-order mark skipped") << QByteArray("\xEF\xBB\xBF"
                                                           "event: a\ndata: 1\n\n")
                                             << EventList{{"a", "1"}} << false;
    QTest::newRow("nameless event kept for the caller to judge")
        << QByteArray("data: 1\n\n") << EventList{{QByteArray(), "1"}} << false;
    QTest::newRow("two events") << QByteArray("event: a\ndata: 1\n\nevent: b\ndata: 2\n\n")
                                << EventList{{"a", "1"}, {"b", "2"}} << false;
    QTest::newRow("event cut before its blank line is not dispatched")
        << QByteArray("event: a\ndata: 1\n\nevent: message_stop\ndata: {}\n")
        << EventList{{"a", "1"}} << true;
    QTest::newRow("stream cut mid-line")
        << QByteArray("event: a\ndata: 1\n\nevent: mess") << EventList{{"a", "1"}} << true;
}

void tst_SseParser::parsesWhateverTheChunking()
{
    QFETCH(QByteArray, stream);
    QFETCH(EventList, expected);
    QFETCH(bool, incomplete);

    bool whole = false;
    QCOMPARE(parseInPieces(stream, {}, &whole), expected);
    QCOMPARE(whole, incomplete);

    // Every single split point, and one byte at a time: the network may cut anywhere,
    // including between the "\r" and "\n" of a line end and inside the byte-order mark.
    for (qsizetype cut = 1; cut < stream.size(); ++cut) {
        bool split = false;
        QCOMPARE(parseInPieces(stream, {cut}, &split), expected);
        QCOMPARE(split, incomplete);
    }
    QList<qsizetype> everyByte;
    for (qsizetype cut = 1; cut < stream.size(); ++cut)
        everyByte.append(cut);
    bool bytewise = false;
    QCOMPARE(parseInPieces(stream, everyByte, &bytewise), expected);
    QCOMPARE(bytewise, incomplete);
}

void tst_SseParser::parsesAMessagesStream()
{
    // A stream as the Messages API sends it, with an error event after the 200.
    const QByteArray stream =
        "event: message_start\n"
        R"(data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":18}}})"
        "\n\n"
        "event: content_block_start\n"
        R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"text"}})"
        "\n\n"
        "event: ping\n"
        R"(data: {"type": "ping"})"
        "\n\n"
        "event: content_block_delta\n"
        R"(data: {"type":"content_block_delta","index":0,)"
        R"("delta":{"type":"text_delta","text":"Hi"}})"
        "\n\n"
        "event: error\n"
        R"(data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"
        "\n\n";

    SseParser parser;
    const QList<SseEvent> events = parser.feed(stream);

    QCOMPARE(events.size(), 5);
    QCOMPARE(events.at(0).name, QByteArray("message_start"));
    QCOMPARE(events.at(3).name, QByteArray("content_block_delta"));
    QVERIFY(events.at(3).data.contains("\"text\":\"Hi\""));
    QCOMPARE(events.at(4).name, QByteArray("error"));
    QVERIFY(!parser.hasIncompleteEvent());
}

QTEST_GUILESS_MAIN(tst_SseParser)
#include "tst_sseparser.moc"
