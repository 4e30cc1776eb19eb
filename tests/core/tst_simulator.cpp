#include "sim/latencymodel.h"
#include "sim/simmodelcatalogue.h"
#include "sim/simulator.h"
#include "simwire.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

const Headers oldStyle = {{"x-api-key", "sk-test"}, {"anthropic-version", "2023-06-01"}};
const Headers newStyle = {{"authorization", "Bearer sk-test"}, {"anthropic-version", "2026-10-21"}};

struct Reply
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers;
    QByteArray body;

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// A text of exactly `tokens` tokens under the simulator's rule (4 ASCII bytes per token).
QString textOfTokens(int tokens)
{
    return QString(u"abc "_s).repeated(tokens);
}

QJsonObject question(const QString &model, const QString &text, int maxTokens = 256)
{
    return {{"model"_L1, model},
            {"max_tokens"_L1, maxTokens},
            {"messages"_L1, QJsonArray{QJsonObject{{"role"_L1, "user"_L1}, {"content"_L1, text}}}}};
}

QJsonObject cachedSystem(const QString &model, int systemTokens, const QString &ttl = u"5m"_s)
{
    QJsonObject body = question(model, u"What is the refund policy?"_s);
    body.insert("system"_L1,
                QJsonArray{QJsonObject{{"type"_L1, "text"_L1},
                                       {"text"_L1, textOfTokens(systemTokens)},
                                       {"cache_control"_L1, QJsonObject{{"type"_L1, "ephemeral"_L1},
                                                                        {"ttl"_L1, ttl}}}}});
    return body;
}

QJsonObject usageOf(const Reply &reply)
{
    return reply.json().value("usage"_L1).toObject();
}

} // namespace

class tst_Simulator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void nonStreamingShapeAndHeaders();
    void acceptsBothAuthStylesAndVersions_data();
    void acceptsBothAuthStylesAndVersions();
    void rejectsWithTheErrorEnvelope_data();
    void rejectsWithTheErrorEnvelope();
    void acceptsWhatOnlyNewerRulesRefuse();
    void streamingByteFormat();
    void streamAndJsonTellTheSameAnswer();
    void cacheWritesThenReads_data();
    void cacheWritesThenReads();
    void cacheSplitsWritesByTtl();
    void automaticCachingCoversTheWholePrompt();
    void cacheEntriesExpire();
    void cacheHitRefreshesTtl();
    void cacheTtlOverride();
    void countTokensEqualsUsageTotal();
    void listsModels();
    void cutsAnswers_data();
    void cutsAnswers();
    void answerQuotesTheBestPassage();
    void sameSeedSameBodies();
    void signalsReportTraffic();
    void latencyIsSeededAndOrderedByModel();

private:
    Reply call(const QByteArray &path, const QByteArray &body, const Headers &headers = oldStyle,
               const QByteArray &method = "POST");
    Reply send(const QJsonObject &body, const Headers &headers = oldStyle)
    {
        return call("/v1/messages", toJson(body), headers);
    }

    std::unique_ptr<Simulator> m_sim;
    QNetworkAccessManager m_network;
    QDateTime m_now;
};

void tst_Simulator::init()
{
    m_sim = std::make_unique<Simulator>();
    m_sim->setLatencyScale(0);
    m_now = QDateTime(QDate(2026, 12, 3), QTime(12, 0), Qt::UTC);
    m_sim->setClock([this] { return m_now; });
    const Expected<void> started = m_sim->start(0);
    QVERIFY2(started.hasValue(), qPrintable(started ? QString() : started.error()));
    QVERIFY(m_sim->port() != 0);
}

Reply tst_Simulator::call(const QByteArray &path, const QByteArray &body, const Headers &headers,
                          const QByteArray &method)
{
    QNetworkRequest request(m_sim->baseUrl().resolved(QUrl(QString::fromLatin1(path))));
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = method == "GET" ? m_network.get(request)
                                           : m_network.sendCustomRequest(request, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(10000))
        qWarning("no answer within 10 s");

    Reply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QList<QNetworkReply::RawHeaderPair> pairs = reply->rawHeaderPairs();
    for (const auto &[name, value] : pairs)
        result.headers.insert(name.toLower(), value);
    result.body = reply->readAll();
    reply->deleteLater();
    return result;
}

void tst_Simulator::nonStreamingShapeAndHeaders()
{
    const Reply reply = send(question(u"claude-haiku-4-5"_s, u"What is prompt caching?"_s));

    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.headers.value("content-type"), "application/json");
    QVERIFY(reply.headers.value("request-id").startsWith("req_"));
    for (const char *kind : {"requests", "tokens", "input-tokens", "output-tokens"}) {
        for (const char *part : {"limit", "remaining", "reset"}) {
            const QByteArray name = "anthropic-ratelimit-" + QByteArray(kind) + '-' + part;
            QVERIFY2(!reply.headers.value(name).isEmpty(), name.constData());
        }
    }
    // Tier 4 Haiku: 4000 requests per minute, one used.
    QCOMPARE(reply.headers.value("anthropic-ratelimit-requests-limit"), "4000");
    QCOMPARE(reply.headers.value("anthropic-ratelimit-requests-remaining"), "3999");

    const QJsonObject body = reply.json();
    QVERIFY(body.value("id"_L1).toString().startsWith("msg_01"_L1));
    QCOMPARE(body.value("type"_L1).toString(), u"message"_s);
    QCOMPARE(body.value("role"_L1).toString(), u"assistant"_s);
    QCOMPARE(body.value("model"_L1).toString(), u"claude-haiku-4-5-20251001"_s);
    const QJsonObject block = body.value("content"_L1).toArray().first().toObject();
    QCOMPARE(block.value("type"_L1).toString(), u"text"_s);
    QVERIFY(!block.value("text"_L1).toString().isEmpty());
    QCOMPARE(body.value("stop_reason"_L1).toString(), u"end_turn"_s);
    QVERIFY(body.value("stop_sequence"_L1).isNull());

    // "What is prompt caching?" is 23 bytes: ceil(23 / 4) = 6, plus 4 for the message = 10.
    const QJsonObject usage = body.value("usage"_L1).toObject();
    QCOMPARE(usage.value("input_tokens"_L1).toInt(), 10);
    QCOMPARE(usage.value("cache_creation_input_tokens"_L1).toInt(), 0);
    QCOMPARE(usage.value("cache_read_input_tokens"_L1).toInt(), 0);
    QCOMPARE(usage.value("cache_creation"_L1)["ephemeral_5m_input_tokens"_L1].toInt(), 0);
    const QByteArray text = block.value("text"_L1).toString().toUtf8();
    QCOMPARE(usage.value("output_tokens"_L1).toInt(), (text.size() + 3) / 4);
    QVERIFY(reply.json().value("request_id"_L1).isUndefined()); // only errors carry it
}

void tst_Simulator::acceptsBothAuthStylesAndVersions_data()
{
    QTest::addColumn<Headers>("headers");

    QTest::newRow("x-api-key, 2023-06-01") << oldStyle;
    QTest::newRow("bearer, 2026-10-21") << newStyle;
    QTest::newRow("x-api-key, 2026-10-21")
        << Headers{{"x-api-key", "k"}, {"anthropic-version", "2026-10-21"}};
    QTest::newRow("bearer, 2023-06-01")
        << Headers{{"authorization", "Bearer k"}, {"anthropic-version", "2023-06-01"}};
}

void tst_Simulator::acceptsBothAuthStylesAndVersions()
{
    QFETCH(Headers, headers);

    const Reply reply = send(question(u"claude-opus-4-6"_s, u"Hello?"_s), headers);

    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("model"_L1).toString(), u"claude-opus-4-6"_s);
}

void tst_Simulator::rejectsWithTheErrorEnvelope_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("message");

    const QByteArray good = toJson(question(u"claude-haiku-4-5"_s, u"Hi?"_s));
    auto without = [](QLatin1StringView field) {
        QJsonObject body = question(u"claude-haiku-4-5"_s, u"Hi?"_s);
        body.remove(field);
        return toJson(body);
    };
    auto with = [](QLatin1StringView field, const QJsonValue &value,
                   const QString &model = u"claude-haiku-4-5"_s) {
        QJsonObject body = question(model, u"Hi?"_s);
        body.insert(field, value);
        return toJson(body);
    };
    const QJsonObject cacheMark{{"type"_L1, "ephemeral"_L1}};
    QJsonArray fiveMarks;
    for (int i = 0; i < 5; ++i) {
        fiveMarks.append(QJsonObject{{"type"_L1, "text"_L1},
                                     {"text"_L1, u"part %1"_s.arg(i)},
                                     {"cache_control"_L1, cacheMark}});
    }
    const QJsonArray prefill{QJsonObject{{"role"_L1, "user"_L1}, {"content"_L1, "Hi?"_L1}},
                             QJsonObject{{"role"_L1, "assistant"_L1}, {"content"_L1, "Well,"_L1}}};

    QTest::newRow("no key") << QByteArray("/v1/messages") << good
                            << Headers{{"anthropic-version", "2023-06-01"}} << 401
                            << u"authentication_error"_s << u"API key"_s;
    QTest::newRow("empty bearer") << QByteArray("/v1/messages") << good
                                  << Headers{{"authorization", "Bearer "},
                                             {"anthropic-version", "2023-06-01"}}
                                  << 401 << u"authentication_error"_s << u"API key"_s;
    QTest::newRow("no version") << QByteArray("/v1/messages") << good << Headers{{"x-api-key", "k"}}
                                << 400 << u"invalid_request_error"_s << u"anthropic-version"_s;
    QTest::newRow("unknown version")
        << QByteArray("/v1/messages") << good
        << Headers{{"x-api-key", "k"}, {"anthropic-version", "2024-01-01"}} << 400
        << u"invalid_request_error"_s << u"2024-01-01"_s;
    QTest::newRow("malformed json")
        << QByteArray("/v1/messages") << QByteArray("{\"model\":") << oldStyle << 400
        << u"invalid_request_error"_s << u"not valid JSON"_s;
    QTest::newRow("not an object") << QByteArray("/v1/messages") << QByteArray("[1]") << oldStyle
                                   << 400 << u"invalid_request_error"_s << u"JSON object"_s;
    QTest::newRow("missing model")
        << QByteArray("/v1/messages") << without("model"_L1) << oldStyle << 400
        << u"invalid_request_error"_s << u"model: Field required"_s;
    QTest::newRow("missing max_tokens")
        << QByteArray("/v1/messages") << without("max_tokens"_L1) << oldStyle << 400
        << u"invalid_request_error"_s << u"max_tokens: Field required"_s;
    QTest::newRow("missing messages")
        << QByteArray("/v1/messages") << without("messages"_L1) << oldStyle << 400
        << u"invalid_request_error"_s << u"messages: Field required"_s;
    QTest::newRow("max_tokens as text")
        << QByteArray("/v1/messages") << with("max_tokens"_L1, u"100"_s) << oldStyle << 400
        << u"invalid_request_error"_s << u"max_tokens"_s;
    QTest::newRow("model as number")
        << QByteArray("/v1/messages") << with("model"_L1, 4) << oldStyle << 400
        << u"invalid_request_error"_s << u"model: Input should be a valid string"_s;
    QTest::newRow("empty messages")
        << QByteArray("/v1/messages") << with("messages"_L1, QJsonArray()) << oldStyle << 400
        << u"invalid_request_error"_s << u"at least one message"_s;
    QTest::newRow("content as number")
        << QByteArray("/v1/messages")
        << with("messages"_L1, QJsonArray{QJsonObject{{"role"_L1, "user"_L1}, {"content"_L1, 3}}})
        << oldStyle << 400 << u"invalid_request_error"_s << u"messages.0.content"_s;
    QTest::newRow("unknown field")
        << QByteArray("/v1/messages") << with("colour"_L1, 1) << oldStyle << 400
        << u"invalid_request_error"_s << u"colour: Extra inputs are not permitted"_s;
    QTest::newRow("prefill on sonnet 4.6")
        << QByteArray("/v1/messages") << with("messages"_L1, prefill, u"claude-sonnet-4-6"_s)
        << oldStyle << 400 << u"invalid_request_error"_s << u"prefill"_s;
    QTest::newRow("five cache breakpoints")
        << QByteArray("/v1/messages") << with("system"_L1, fiveMarks) << oldStyle << 400
        << u"invalid_request_error"_s << u"maximum of 4 blocks with cache_control"_s;
    QTest::newRow("max_tokens above haiku's 64000")
        << QByteArray("/v1/messages") << with("max_tokens"_L1, 64001) << oldStyle << 400
        << u"invalid_request_error"_s << u"64001 > 64000"_s;
    QTest::newRow("temperature under 2026-10-21")
        << QByteArray("/v1/messages") << with("temperature"_L1, 1.0) << newStyle << 400
        << u"invalid_request_error"_s << u"temperature: Extra inputs are not permitted"_s;
    QTest::newRow("top_k under 2026-10-21")
        << QByteArray("/v1/messages") << with("top_k"_L1, 5) << newStyle << 400
        << u"invalid_request_error"_s << u"top_k: Extra inputs are not permitted"_s;
    const QJsonObject document{{"type"_L1, "document"_L1},
                               {"source"_L1, QJsonObject{{"type"_L1, "text"_L1},
                                                         {"media_type"_L1, "text/plain"_L1},
                                                         {"data"_L1, "x"_L1}}}};
    const QJsonArray assistantDocument{
        QJsonObject{{"role"_L1, "user"_L1}, {"content"_L1, "Hi?"_L1}},
        QJsonObject{{"role"_L1, "assistant"_L1}, {"content"_L1, QJsonArray{document}}},
        QJsonObject{{"role"_L1, "user"_L1}, {"content"_L1, "And?"_L1}}};
    const QJsonArray citedUserText{QJsonObject{
        {"role"_L1, "user"_L1},
        {"content"_L1, QJsonArray{QJsonObject{{"type"_L1, "text"_L1},
                                              {"text"_L1, "Hi?"_L1},
                                              {"citations"_L1, QJsonArray{QJsonObject()}}}}}}};
    QTest::newRow("assistant document under 2026-10-21")
        << QByteArray("/v1/messages") << with("messages"_L1, assistantDocument) << newStyle << 400
        << u"invalid_request_error"_s << u"document blocks"_s;
    QTest::newRow("user citations under 2026-10-21")
        << QByteArray("/v1/messages") << with("messages"_L1, citedUserText) << newStyle << 400
        << u"invalid_request_error"_s << u"citations"_s;
    QTest::newRow("temperature out of range")
        << QByteArray("/v1/messages") << with("temperature"_L1, 1.5) << oldStyle << 400
        << u"invalid_request_error"_s << u"temperature"_s;
    QTest::newRow("invented sonnet 4.5 date")
        << QByteArray("/v1/messages") << with("model"_L1, u"claude-sonnet-4-5-20251001"_s)
        << oldStyle << 404 << u"not_found_error"_s << u"claude-sonnet-4-5-20251001"_s;
    QTest::newRow("retired sonnet 4.5")
        << QByteArray("/v1/messages") << with("model"_L1, u"claude-sonnet-4-5-20250929"_s)
        << oldStyle << 404 << u"not_found_error"_s << u"claude-sonnet-4-5-20250929"_s;
    QTest::newRow("retired opus 4.1")
        << QByteArray("/v1/messages") << with("model"_L1, u"claude-opus-4-1"_s) << oldStyle << 404
        << u"not_found_error"_s << u"claude-opus-4-1"_s;
    QTest::newRow("count_tokens with max_tokens")
        << QByteArray("/v1/messages/count_tokens") << good << oldStyle << 400
        << u"invalid_request_error"_s << u"max_tokens: Extra inputs are not permitted"_s;
    QTest::newRow("unknown path") << QByteArray("/v1/complete") << good << oldStyle << 404
                                  << u"not_found_error"_s << u"/v1/complete"_s;
}

void tst_Simulator::rejectsWithTheErrorEnvelope()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(Headers, headers);
    QFETCH(int, status);
    QFETCH(QString, type);
    QFETCH(QString, message);

    const Reply reply = call(path, body, headers);

    QCOMPARE(reply.status, status);
    QCOMPARE(reply.headers.value("content-type"), "application/json");
    const QJsonObject envelope = reply.json();
    QCOMPARE(envelope.value("type"_L1).toString(), u"error"_s);
    QCOMPARE(envelope.value("error"_L1)["type"_L1].toString(), type);
    const QString actual = envelope.value("error"_L1)["message"_L1].toString();
    QVERIFY2(actual.contains(message), qPrintable(actual));
    QCOMPARE(envelope.value("request_id"_L1).toString().toLatin1(),
             reply.headers.value("request-id"));
}

void tst_Simulator::acceptsWhatOnlyNewerRulesRefuse()
{
    // User citations pass under 2023-06-01, and Haiku 4.5 still takes a prefill.
    QJsonObject cited = question(u"claude-haiku-4-5"_s, QString());
    cited.insert(
        "messages"_L1,
        QJsonArray{QJsonObject{
            {"role"_L1, "user"_L1},
            {"content"_L1, QJsonArray{QJsonObject{{"type"_L1, "text"_L1},
                                                  {"text"_L1, "Hi?"_L1},
                                                  {"citations"_L1, QJsonArray{QJsonObject()}}}}}}});
    QCOMPARE(send(cited).status, 200);

    QJsonObject body = question(u"claude-haiku-4-5"_s, u"Hi?"_s);
    body.insert("messages"_L1,
                QJsonArray{QJsonObject{{"role"_L1, "user"_L1}, {"content"_L1, "Hi?"_L1}},
                           QJsonObject{{"role"_L1, "assistant"_L1}, {"content"_L1, "Well,"_L1}}});

    QCOMPARE(send(body).status, 200);
}

void tst_Simulator::streamingByteFormat()
{
    QJsonObject body =
        question(u"claude-sonnet-4-6"_s, u"Why does the cache need a minimum prefix length?"_s);
    body.insert("stream"_L1, true);

    const Reply reply = send(body);

    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.headers.value("content-type"), "text/event-stream");
    QCOMPARE(reply.headers.value("transfer-encoding"), "chunked");
    QVERIFY(!reply.body.contains("[DONE]"));
    QString problem;
    const QList<WireEvent> events = parseSse(reply.body, &problem);
    QVERIFY2(!events.isEmpty(), qPrintable(problem));

    QByteArrayList names;
    for (const WireEvent &event : events) {
        QCOMPARE(event.data.value("type"_L1).toString().toLatin1(), event.name);
        if (names.isEmpty() || names.last() != event.name || event.name != "content_block_delta")
            names.append(event.name);
    }
    const QByteArrayList expected = {"message_start",       "content_block_start", "ping",
                                     "content_block_delta", "content_block_stop",  "message_delta",
                                     "message_stop"};
    QCOMPARE(names, expected);

    const QJsonObject start = events.first().data.value("message"_L1).toObject();
    QVERIFY(start.value("id"_L1).toString().startsWith("msg_01"_L1));
    QVERIFY(start.value("stop_reason"_L1).isNull());
    const QJsonObject startUsage = start.value("usage"_L1).toObject();
    QCOMPARE(startUsage.value("output_tokens"_L1).toInt(), 1);

    QString text;
    int deltas = 0;
    for (const WireEvent &event : events) {
        if (event.name == "content_block_delta") {
            text += event.data.value("delta"_L1)["text"_L1].toString();
            ++deltas;
        }
    }
    QVERIFY(deltas > 1);
    const QJsonObject messageDelta = events.at(events.size() - 2).data;
    QCOMPARE(messageDelta.value("delta"_L1)["stop_reason"_L1].toString(), u"end_turn"_s);
    const QJsonObject usage = messageDelta.value("usage"_L1).toObject();
    // Cumulative: the final output total, and the input side repeated from message_start.
    QCOMPARE(usage.value("output_tokens"_L1).toInt(), (text.toUtf8().size() + 3) / 4);
    QCOMPARE(usage.value("input_tokens"_L1), startUsage.value("input_tokens"_L1));
    QCOMPARE(events.last().rawData, QByteArray(R"({"type":"message_stop"})"));
}

void tst_Simulator::streamAndJsonTellTheSameAnswer()
{
    QJsonObject body = question(u"claude-opus-4-5"_s, u"How are refunds handled?"_s);
    body.insert("system"_L1, u"Refunds are handled by the billing team. Shipping is free."_s);
    const QString jsonText = send(body).json().value("content"_L1)[0]["text"_L1].toString();
    body.insert("stream"_L1, true);

    QString problem;
    const QList<WireEvent> events = parseSse(send(body).body, &problem);

    QString streamText;
    for (const WireEvent &event : events)
        streamText += event.data.value("delta"_L1)["text"_L1].toString();
    QCOMPARE(streamText, jsonText);
}

void tst_Simulator::cacheWritesThenReads_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("systemTokens");
    QTest::addColumn<int>("cachedTokens");

    // The user turn "What is the refund policy?" is 26 bytes: ceil(26 / 4) + 4 = 11 tokens.
    QTest::newRow("haiku 4.5 above its 4096 minimum") << u"claude-haiku-4-5"_s << 4200 << 4200;
    QTest::newRow("haiku 4.5 below its 4096 minimum") << u"claude-haiku-4-5"_s << 4000 << 0;
    QTest::newRow("sonnet 4.6 above its 2048 minimum") << u"claude-sonnet-4-6"_s << 2100 << 2100;
    QTest::newRow("sonnet 4.6 below its 2048 minimum") << u"claude-sonnet-4-6"_s << 2000 << 0;
    QTest::newRow("opus 4.6 between 2048 and 4096") << u"claude-opus-4-6"_s << 3000 << 0;
    QTest::newRow("opus 5 above its 512 minimum") << u"claude-opus-5"_s << 600 << 600;
}

void tst_Simulator::cacheWritesThenReads()
{
    QFETCH(QString, model);
    QFETCH(int, systemTokens);
    QFETCH(int, cachedTokens);
    const QJsonObject body = cachedSystem(model, systemTokens);

    const QJsonObject first = usageOf(send(body));
    const QJsonObject second = usageOf(send(body));

    QCOMPARE(first.value("cache_creation_input_tokens"_L1).toInt(), cachedTokens);
    QCOMPARE(first.value("cache_creation"_L1)["ephemeral_5m_input_tokens"_L1].toInt(),
             cachedTokens);
    QCOMPARE(first.value("cache_read_input_tokens"_L1).toInt(), 0);
    QCOMPARE(first.value("input_tokens"_L1).toInt(), systemTokens + 11 - cachedTokens);
    QCOMPARE(second.value("cache_creation_input_tokens"_L1).toInt(), 0);
    QCOMPARE(second.value("cache_read_input_tokens"_L1).toInt(), cachedTokens);
    QCOMPARE(second.value("input_tokens"_L1).toInt(), systemTokens + 11 - cachedTokens);
}

void tst_Simulator::cacheSplitsWritesByTtl()
{
    QJsonObject body = question(u"claude-haiku-4-5"_s, u"What is the refund policy?"_s);
    auto block = [](int tokens, const QString &ttl) {
        return QJsonObject{
            {"type"_L1, "text"_L1},
            {"text"_L1, textOfTokens(tokens)},
            {"cache_control"_L1, QJsonObject{{"type"_L1, "ephemeral"_L1}, {"ttl"_L1, ttl}}}};
    };
    body.insert("system"_L1, QJsonArray{block(4200, u"1h"_s), block(1000, u"5m"_s)});

    const QJsonObject usage = usageOf(send(body));

    // 1h breakpoint after 4200 tokens, 5m breakpoint after 4200 + 1000 = 5200.
    QCOMPARE(usage.value("cache_creation"_L1)["ephemeral_1h_input_tokens"_L1].toInt(), 4200);
    QCOMPARE(usage.value("cache_creation"_L1)["ephemeral_5m_input_tokens"_L1].toInt(), 1000);
    QCOMPARE(usage.value("cache_creation_input_tokens"_L1).toInt(), 5200);
    QCOMPARE(usage.value("input_tokens"_L1).toInt(), 11);
}

void tst_Simulator::automaticCachingCoversTheWholePrompt()
{
    QJsonObject body = question(u"claude-opus-5"_s, textOfTokens(700));
    body.insert("cache_control"_L1, QJsonObject{{"type"_L1, "ephemeral"_L1}});

    const QJsonObject first = usageOf(send(body));
    const QJsonObject second = usageOf(send(body));

    // 700 tokens of text plus 4 for the message, all before the automatic breakpoint.
    QCOMPARE(first.value("cache_creation_input_tokens"_L1).toInt(), 704);
    QCOMPARE(first.value("input_tokens"_L1).toInt(), 0);
    QCOMPARE(second.value("cache_read_input_tokens"_L1).toInt(), 704);
}

void tst_Simulator::cacheEntriesExpire()
{
    const QJsonObject body = cachedSystem(u"claude-sonnet-4-6"_s, 2100);
    QCOMPARE(usageOf(send(body)).value("cache_creation_input_tokens"_L1).toInt(), 2100);

    m_now = m_now.addSecs(5 * 60 + 1);
    const QJsonObject late = usageOf(send(body));

    QCOMPARE(late.value("cache_read_input_tokens"_L1).toInt(), 0);
    QCOMPARE(late.value("cache_creation_input_tokens"_L1).toInt(), 2100);

    // A one-hour entry is still there after the same wait.
    const QJsonObject hourly = cachedSystem(u"claude-sonnet-4-6"_s, 2200, u"1h"_s);
    QCOMPARE(
        usageOf(send(hourly)).value("cache_creation"_L1)["ephemeral_1h_input_tokens"_L1].toInt(),
        2200);
    m_now = m_now.addSecs(5 * 60 + 1);
    QCOMPARE(usageOf(send(hourly)).value("cache_read_input_tokens"_L1).toInt(), 2200);
}

void tst_Simulator::cacheHitRefreshesTtl()
{
    const QJsonObject body = cachedSystem(u"claude-sonnet-4-6"_s, 2100);
    send(body);

    // Hits at 4 and 8 minutes: without the refresh at 4 the entry would be gone at 8.
    m_now = m_now.addSecs(4 * 60);
    QCOMPARE(usageOf(send(body)).value("cache_read_input_tokens"_L1).toInt(), 2100);
    m_now = m_now.addSecs(4 * 60);
    QCOMPARE(usageOf(send(body)).value("cache_read_input_tokens"_L1).toInt(), 2100);
    m_now = m_now.addSecs(5 * 60 + 1);
    QCOMPARE(usageOf(send(body)).value("cache_read_input_tokens"_L1).toInt(), 0);
}

void tst_Simulator::cacheTtlOverride()
{
    m_sim->setCacheTtlOverride(10);
    const QJsonObject body = cachedSystem(u"claude-sonnet-4-6"_s, 2100);
    send(body);

    m_now = m_now.addSecs(9);
    QCOMPARE(usageOf(send(body)).value("cache_read_input_tokens"_L1).toInt(), 2100);
    m_now = m_now.addSecs(11);
    QCOMPARE(usageOf(send(body)).value("cache_read_input_tokens"_L1).toInt(), 0);
}

void tst_Simulator::countTokensEqualsUsageTotal()
{
    QJsonObject body = cachedSystem(u"claude-sonnet-4-6"_s, 2100);
    body.insert("tools"_L1, QJsonArray{QJsonObject{
                                {"name"_L1, "lookup"_L1},
                                {"description"_L1, "Finds an order"_L1},
                                {"input_schema"_L1, QJsonObject{{"type"_L1, "object"_L1}}}}});
    const QJsonObject usage = usageOf(send(body));
    body.remove("max_tokens"_L1);

    const Reply counted = call("/v1/messages/count_tokens", toJson(body), newStyle);

    QCOMPARE(counted.status, 200);
    const int total = usage.value("input_tokens"_L1).toInt()
                      + usage.value("cache_creation_input_tokens"_L1).toInt()
                      + usage.value("cache_read_input_tokens"_L1).toInt();
    QCOMPARE(counted.json().value("input_tokens"_L1).toInt(), total);
    // The tool is 81 bytes of compact JSON: ceil(81 / 4) = 21 tokens on top of 2100 + 11.
    QCOMPARE(total, 2100 + 11 + 21);
}

void tst_Simulator::listsModels()
{
    const Reply all = call("/v1/models", {}, newStyle, "GET");
    const Reply page = call("/v1/models?limit=2", {}, newStyle, "GET");
    const Reply one = call("/v1/models/claude-haiku-4-5", {}, newStyle, "GET");

    QCOMPARE(all.status, 200);
    const QJsonArray data = all.json().value("data"_L1).toArray();
    QStringList ids;
    for (const QJsonValue &model : data) {
        QCOMPARE(model["type"_L1].toString(), u"model"_s);
        QVERIFY(!model["display_name"_L1].toString().isEmpty());
        QVERIFY(model["created_at"_L1].toString().endsWith(u'Z'));
        ids.append(model["id"_L1].toString());
    }
    for (const char *id :
         {"claude-opus-4-8", "claude-opus-4-7", "claude-opus-4-6", "claude-opus-4-5-20251101",
          "claude-sonnet-4-6", "claude-haiku-4-5-20251001", "claude-opus-5"}) {
        QVERIFY2(ids.contains(QLatin1StringView(id)), id);
    }
    QVERIFY(!ids.contains(u"claude-sonnet-4-5-20250929"_s));
    QCOMPARE(all.json().value("has_more"_L1).toBool(), false);
    QCOMPARE(all.json().value("first_id"_L1).toString(), ids.first());
    QCOMPARE(all.json().value("last_id"_L1).toString(), ids.last());
    QCOMPARE(page.json().value("data"_L1).toArray().size(), 2);
    QCOMPARE(page.json().value("has_more"_L1).toBool(), true);
    QCOMPARE(one.json().value("id"_L1).toString(), u"claude-haiku-4-5-20251001"_s);
}

void tst_Simulator::cutsAnswers_data()
{
    QTest::addColumn<int>("maxTokens");
    QTest::addColumn<QStringList>("stops");
    QTest::addColumn<QString>("stopReason");
    QTest::addColumn<QString>("stopSequence");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("outputTokens");

    // The full answer is "On long, refunds and take: Refunds are issued within 14 days. ...".
    QTest::newRow("max_tokens 5 keeps 20 bytes")
        << 5 << QStringList() << u"max_tokens"_s << QString() << u"On long, refunds and"_s << 5;
    QTest::newRow("stop sequence")
        << 256 << QStringList{u"issued"_s, u"zebra"_s} << u"stop_sequence"_s << u"issued"_s
        << u"On long, refunds and take: Refunds are "_s << 10; // 39 bytes: ceil(39 / 4)
    QTest::newRow("earliest of two stop sequences")
        << 256 << QStringList{u"days"_s, u"Refunds"_s} << u"stop_sequence"_s << u"Refunds"_s
        << u"On long, refunds and take: "_s << 7; // 27 bytes: ceil(27 / 4)
    QTest::newRow("max_tokens before the stop sequence")
        << 3 << QStringList{u"issued"_s} << u"max_tokens"_s << QString() << u"On long, ref"_s << 3;
    QTest::newRow("max_tokens 0 pre-warms")
        << 0 << QStringList() << u"max_tokens"_s << QString() << QString() << 0;
}

void tst_Simulator::cutsAnswers()
{
    QFETCH(int, maxTokens);
    QFETCH(QStringList, stops);
    QFETCH(QString, stopReason);
    QFETCH(QString, stopSequence);
    QFETCH(QString, text);
    QFETCH(int, outputTokens);
    QJsonObject body = question(u"claude-haiku-4-5"_s, u"How long do refunds take?"_s, maxTokens);
    body.insert("system"_L1, u"Refunds are issued within 14 days. Shipping is free."_s);
    if (!stops.isEmpty())
        body.insert("stop_sequences"_L1, QJsonArray::fromStringList(stops));

    const QJsonObject answer = send(body).json();

    QCOMPARE(answer.value("stop_reason"_L1).toString(), stopReason);
    QCOMPARE(answer.value("stop_sequence"_L1).toString(), stopSequence);
    QCOMPARE(answer.value("stop_sequence"_L1).isNull(), stopSequence.isEmpty());
    QCOMPARE(answer.value("content"_L1)[0]["text"_L1].toString(), text);
    QCOMPARE(answer.value("content"_L1).toArray().isEmpty(), text.isEmpty());
    QCOMPARE(answer.value("usage"_L1)["output_tokens"_L1].toInt(), outputTokens);
}

void tst_Simulator::answerQuotesTheBestPassage()
{
    const QString passages = u"[1] The warehouse opens at nine. [2] Late invoices incur a fee of "
                             "two percent per month. [3] Staff parking is behind building C.\n\n"
                             "Question: What fee applies to late invoices?"_s;

    const QString text = send(question(u"claude-sonnet-4-6"_s, passages))
                             .json()
                             .value("content"_L1)[0]["text"_L1]
                             .toString();

    QVERIFY2(text.contains(u"Late invoices incur a fee of two percent per month."_s),
             qPrintable(text));
    QVERIFY2(!text.contains(u"parking"_s), qPrintable(text));
}

void tst_Simulator::sameSeedSameBodies()
{
    auto run = [](quint64 seed) {
        Simulator sim;
        sim.setSeed(seed);
        sim.setLatencyScale(0);
        sim.setFaults(SimFaults{.failFirst = 1});
        if (!sim.start(0))
            return QByteArrayList();
        QByteArrayList bodies;
        QJsonObject streamed = question(u"claude-haiku-4-5"_s, u"Why cache?"_s);
        streamed.insert("stream"_L1, true);
        for (const QJsonObject &body : {question(u"claude-haiku-4-5"_s, u"Why cache?"_s),
                                        question(u"claude-haiku-4-5"_s, u"Why cache?"_s), streamed,
                                        question(u"bogus"_s, u"Why?"_s)}) {
            WireClient client(sim.port());
            client.send(httpPost("/v1/messages", toJson(body)));
            const QList<WireResponse> responses = client.read(1);
            bodies.append(responses.value(0).headers.value("request-id") + ' '
                          + responses.value(0).body);
        }
        return bodies;
    };

    const QByteArrayList first = run(42);
    const QByteArrayList again = run(42);
    const QByteArrayList other = run(43);

    QCOMPARE(first.size(), 4);
    QVERIFY(first.at(0).contains("rate_limit_error")); // the forced failure is replayed too
    QCOMPARE(again, first);
    for (qsizetype i = 0; i < first.size(); ++i)
        QVERIFY(other.at(i) != first.at(i));
}

void tst_Simulator::signalsReportTraffic()
{
    QSignalSpy received(m_sim.get(), &Simulator::requestReceived);
    QSignalSpy finished(m_sim.get(), &Simulator::responseFinished);

    const Reply reply = send(cachedSystem(u"claude-sonnet-4-6"_s, 2100));
    QTRY_COMPARE(finished.size(), 1);

    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().at(0).toString().toLatin1(), reply.headers.value("request-id"));
    QCOMPARE(received.first().at(2).toString(), u"/v1/messages"_s);
    const SimExchange exchange = finished.first().at(0).value<SimExchange>();
    QCOMPARE(exchange.status, 200);
    QCOMPARE(exchange.model, u"claude-sonnet-4-6"_s);
    QCOMPARE(exchange.usage.cacheCreationInputTokens, 2100);
    QCOMPARE(exchange.usage.inputTokens, 11);
    QVERIFY(exchange.delivered);
}

void tst_Simulator::latencyIsSeededAndOrderedByModel()
{
    const SimModelCatalogue &models = SimModelCatalogue::builtIn();
    const SimModel &haiku = *models.find(u"claude-haiku-4-5"_s);
    const SimModel &opus = *models.find(u"claude-opus-4-6"_s);

    const LatencyPlan plan = LatencyModel::plan(opus, 7, 1.0);
    const LatencyPlan again = LatencyModel::plan(opus, 7, 1.0);
    const LatencyPlan instant = LatencyModel::plan(opus, 7, 0.0);

    QCOMPARE(again.firstTokenMs, plan.firstTokenMs);
    QCOMPARE(again.msPerToken, plan.msPerToken);
    QCOMPARE(instant.totalMs(1000), 0);
    QVERIFY(LatencyModel::plan(opus, 8, 1.0).firstTokenMs != plan.firstTokenMs);

    // Medians over many seeds follow the profiles: Haiku 350 ms and 150 tok/s, Opus 1100 ms and
    // 45 tok/s, so 500 output tokens take about 3.7 s on Haiku and 12.2 s on Opus.
    QList<qint64> haikuTotals;
    QList<qint64> opusTotals;
    for (quint64 seed = 0; seed < 501; ++seed) {
        haikuTotals.append(LatencyModel::plan(haiku, seed, 1.0).totalMs(500));
        opusTotals.append(LatencyModel::plan(opus, seed, 1.0).totalMs(500));
    }
    std::sort(haikuTotals.begin(), haikuTotals.end());
    std::sort(opusTotals.begin(), opusTotals.end());
    QVERIFY2(haikuTotals.at(250) > 3000 && haikuTotals.at(250) < 4500,
             qPrintable(QString::number(haikuTotals.at(250))));
    QVERIFY2(opusTotals.at(250) > 10000 && opusTotals.at(250) < 14500,
             qPrintable(QString::number(opusTotals.at(250))));
    // The heavy tail: the slowest Haiku call is far above its median.
    QVERIFY(haikuTotals.last() > 2 * haikuTotals.at(250));
}

QTEST_GUILESS_MAIN(tst_Simulator)
#include "tst_simulator.moc"
