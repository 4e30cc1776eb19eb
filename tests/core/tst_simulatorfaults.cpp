#include "sim/simulator.h"
#include "simwire.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray question(const char *model, bool stream = false, int maxTokens = 200)
{
    QJsonObject body{
        {"model"_L1, QLatin1StringView(model)},
        {"max_tokens"_L1, maxTokens},
        {"messages"_L1,
         QJsonArray{QJsonObject{{"role"_L1, "user"_L1},
                                {"content"_L1, "How do retries ride out overloads?"_L1}}}}};
    if (stream)
        body.insert("stream"_L1, true);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArrayList eventNames(const QByteArray &body)
{
    QString problem;
    QByteArrayList names;
    const QList<WireEvent> events = parseSse(body, &problem);
    for (const WireEvent &event : events)
        names.append(event.name);
    return names;
}

} // namespace

// Fault injection and the HTTP layer, both seen from a raw socket.
class tst_SimulatorFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void failFirstThenRecover_data();
    void failFirstThenRecover();
    void failFirstWithoutRetryAfter();
    void errorRateOneFailsEveryMessageCall();
    void midStreamErrorEvent();
    void stallBeforeHeadersTimesTheClientOut();
    void stallAfterHeadersSendsNothingMore();
    void resetCutsTheBody_data();
    void resetCutsTheBody();
    void truncatedStreamLosesItsEnd();
    void notJsonBodyClaimsToBeJson_data();
    void notJsonBodyClaimsToBeJson();
    void keepAliveServesTwoRequests();
    void pipelinedRequestsAnswerInOrder();
    void connectionCloseIsHonoured();
    void expectContinueIsAnswered();
    void refusesBadRequests_data();
    void refusesBadRequests();
    void faultsAreReported();
    void refusalsKeepTheirPath();
    void startFailsOnABusyPort();

private:
    std::unique_ptr<Simulator> m_sim;
};

void tst_SimulatorFaults::init()
{
    m_sim = std::make_unique<Simulator>();
    m_sim->setLatencyScale(0);
    QVERIFY(m_sim->start(0).hasValue());
}

void tst_SimulatorFaults::failFirstThenRecover_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("type");

    QTest::newRow("429") << 429 << u"rate_limit_error"_s;
    QTest::newRow("500") << 500 << u"api_error"_s;
    QTest::newRow("502") << 502 << u"api_error"_s;
    QTest::newRow("503") << 503 << u"api_error"_s;
    QTest::newRow("504") << 504 << u"timeout_error"_s;
    QTest::newRow("529") << 529 << u"overloaded_error"_s;
    QTest::newRow("400") << 400 << u"invalid_request_error"_s;
    QTest::newRow("401") << 401 << u"authentication_error"_s;
    QTest::newRow("403") << 403 << u"permission_error"_s;
    QTest::newRow("404") << 404 << u"not_found_error"_s;
    QTest::newRow("413") << 413 << u"request_too_large"_s;
}

void tst_SimulatorFaults::failFirstThenRecover()
{
    QFETCH(int, status);
    QFETCH(QString, type);
    m_sim->setFaults(SimFaults{
        .failFirst = 2, .failStatus = status, .retryAfterSeconds = 3, .retryAfterMs = true});

    WireClient client(m_sim->port());
    for (int i = 0; i < 3; ++i)
        QVERIFY(client.send(httpPost("/v1/messages", question("claude-haiku-4-5"))));
    const QList<WireResponse> responses = client.read(3);

    QCOMPARE(responses.size(), 3);
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(responses.at(i).status, status);
        QCOMPARE(responses.at(i).json().value("error"_L1)["type"_L1].toString(), type);
        QCOMPARE(responses.at(i).headers.value("retry-after"), "3");
        QCOMPARE(responses.at(i).headers.value("retry-after-ms"), "3000");
    }
    QCOMPARE(responses.at(2).status, 200);
    QVERIFY(!responses.at(2).headers.contains("retry-after"));
    QCOMPARE(m_sim->remainingForcedFailures(), 0);
}

void tst_SimulatorFaults::failFirstWithoutRetryAfter()
{
    m_sim->setFaults(SimFaults{.failFirst = 1});

    WireClient client(m_sim->port());
    QVERIFY(client.send(httpPost("/v1/messages", question("claude-haiku-4-5"))));
    const QList<WireResponse> responses = client.read(1);

    QCOMPARE(responses.value(0).status, 429);
    QVERIFY(!responses.value(0).headers.contains("retry-after"));
    QVERIFY(!responses.value(0).headers.contains("retry-after-ms"));
}

void tst_SimulatorFaults::errorRateOneFailsEveryMessageCall()
{
    m_sim->setFaults(SimFaults{.errorRate = 1.0});
    QByteArray counting = question("claude-opus-4-6");
    counting.replace(R"("max_tokens":200,)", "");

    WireClient client(m_sim->port());
    for (int i = 0; i < 3; ++i)
        QVERIFY(client.send(httpPost("/v1/messages", question("claude-opus-4-6", i == 1))));
    QVERIFY(client.send(httpPost("/v1/messages/count_tokens", counting)));
    QVERIFY(client.send("GET /v1/models HTTP/1.1\r\nx-api-key: k\r\n"
                        "anthropic-version: 2023-06-01\r\n\r\n"));
    const QList<WireResponse> responses = client.read(5);

    QCOMPARE(responses.size(), 5);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(responses.at(i).status, 529);
        QCOMPARE(responses.at(i).json().value("error"_L1)["type"_L1].toString(),
                 u"overloaded_error"_s);
    }
    QCOMPARE(responses.at(3).status, 200); // count_tokens is never faulted
    QCOMPARE(responses.at(4).status, 200); // nor is the model list
}

void tst_SimulatorFaults::midStreamErrorEvent()
{
    m_sim->setFaults(SimFaults{.midStreamErrorRate = 1.0, .midStreamErrorAfterDeltas = 2});

    WireClient client(m_sim->port());
    QVERIFY(client.send(httpPost("/v1/messages", question("claude-sonnet-4-6", true))));
    const QList<WireResponse> responses = client.read(1);

    QCOMPARE(responses.value(0).status, 200);
    QVERIFY(responses.value(0).complete);
    const QByteArrayList expected = {"message_start",       "content_block_start", "ping",
                                     "content_block_delta", "content_block_delta", "error"};
    QCOMPARE(eventNames(responses.value(0).body), expected);
    QVERIFY(responses.value(0).body.endsWith(
        "event: error\ndata: "
        R"({"error":{"message":"Overloaded","type":"overloaded_error"},"type":"error"})"
        "\n\n"));
}

void tst_SimulatorFaults::stallBeforeHeadersTimesTheClientOut()
{
    m_sim->setFaults(SimFaults{.stallRate = 1.0, .stallMs = 60'000});
    QNetworkAccessManager network;
    QNetworkRequest request(m_sim->baseUrl().resolved(QUrl(u"/v1/messages"_s)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    request.setRawHeader("x-api-key", "k");
    request.setRawHeader("anthropic-version", "2023-06-01");
    request.setTransferTimeout(200);

    std::unique_ptr<QNetworkReply> reply(network.post(request, question("claude-haiku-4-5")));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);

    QVERIFY(finished.wait(10'000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute), QVariant());
    QVERIFY2(reply->error() == QNetworkReply::OperationCanceledError
                 || reply->error() == QNetworkReply::TimeoutError,
             qPrintable(reply->errorString()));
}

void tst_SimulatorFaults::stallAfterHeadersSendsNothingMore()
{
    SimFaults faults;
    faults.stallRate = 1.0;
    faults.stallAt = SimFaults::StallPoint::AfterHeaders;
    faults.stallMs = 60'000;
    m_sim->setFaults(faults);

    WireClient client(m_sim->port());
    QVERIFY(client.send(httpPost("/v1/messages", question("claude-haiku-4-5", true))));
    QVERIFY(client.waitFor("\r\n\r\n"));

    // With latency 0 an unstalled answer comes in the same write as its headers.
    const QList<WireResponse> responses = parseResponses(client.received());
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.first().status, 200);
    QVERIFY(responses.first().body.isEmpty());
    QVERIFY(!responses.first().complete);
    QVERIFY(client.isOpen());
}

void tst_SimulatorFaults::resetCutsTheBody_data()
{
    QTest::addColumn<bool>("stream");
    QTest::addColumn<int>("maxTokens");

    QTest::newRow("json") << false << 200;
    QTest::newRow("stream") << true << 200;
    QTest::newRow("stream without text") << true << 0;
}

void tst_SimulatorFaults::resetCutsTheBody()
{
    QFETCH(bool, stream);
    QFETCH(int, maxTokens);
    m_sim->setFaults(SimFaults{.resetRate = 1.0});
    QSignalSpy finished(m_sim.get(), &Simulator::responseFinished);

    WireClient client(m_sim->port());
    QVERIFY(client.send(httpPost("/v1/messages", question("claude-opus-4-5", stream, maxTokens))));
    QVERIFY(client.waitForClose());

    const QList<WireResponse> responses = parseResponses(client.received());
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.first().status, 200);
    QVERIFY(!responses.first().complete);
    QVERIFY(!responses.first().body.contains("message_stop"));
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.first().at(0).value<SimExchange>().fault, u"reset"_s);
    QVERIFY(!finished.first().at(0).value<SimExchange>().delivered);
}

void tst_SimulatorFaults::truncatedStreamLosesItsEnd()
{
    m_sim->setFaults(SimFaults{.truncateRate = 1.0});
    QSignalSpy finished(m_sim.get(), &Simulator::responseFinished);

    WireClient client(m_sim->port());
    QVERIFY(client.send(httpPost("/v1/messages", question("claude-haiku-4-5", true))));
    QVERIFY(client.waitForClose());

    const QList<WireResponse> responses = parseResponses(client.received());
    QCOMPARE(responses.size(), 1);
    QVERIFY(!responses.first().complete); // no terminating chunk
    const QByteArrayList names = eventNames(responses.first().body);
    QVERIFY(!names.isEmpty());
    QCOMPARE(names.last(), "content_block_stop");
    QVERIFY(!names.contains("message_delta"));
    QVERIFY(!names.contains("message_stop"));
    QTRY_COMPARE(finished.size(), 1);
    QVERIFY(!finished.first().at(0).value<SimExchange>().delivered);
}

void tst_SimulatorFaults::notJsonBodyClaimsToBeJson_data()
{
    QTest::addColumn<int>("status");

    QTest::newRow("in place of the answer") << 200;
    QTest::newRow("in place of an error envelope") << 500;
}

void tst_SimulatorFaults::notJsonBodyClaimsToBeJson()
{
    QFETCH(int, status);
    m_sim->setFaults(SimFaults{.notJsonRate = 1, .notJsonStatus = status});

    WireClient client(m_sim->port());
    QVERIFY(client.send(httpPost("/v1/messages", question("claude-haiku-4-5"))));
    const QList<WireResponse> responses = client.read(1);

    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.first().status, status);
    QCOMPARE(responses.first().headers.value("content-type"), "application/json");
    QJsonParseError error;
    QJsonDocument::fromJson(responses.first().body, &error);
    QVERIFY(error.error != QJsonParseError::NoError);
    QVERIFY(!responses.first().body.isEmpty());
}

void tst_SimulatorFaults::keepAliveServesTwoRequests()
{
    WireClient client(m_sim->port());

    QVERIFY(client.send(httpPost("/v1/messages", question("claude-haiku-4-5"))));
    QCOMPARE(client.read(1).size(), 1);
    QVERIFY(client.isOpen());
    QVERIFY(client.send(httpPost("/v1/messages", question("claude-opus-4-7", true))));
    const QList<WireResponse> responses = client.read(2);

    QCOMPARE(responses.size(), 2);
    QCOMPARE(responses.at(0).headers.value("connection"), "keep-alive");
    QCOMPARE(responses.at(1).status, 200);
    QVERIFY(responses.at(1).complete);
    QVERIFY(responses.at(0).headers.value("request-id")
            != responses.at(1).headers.value("request-id"));
    QVERIFY(client.isOpen());
}

void tst_SimulatorFaults::pipelinedRequestsAnswerInOrder()
{
    m_sim->setLatencyScale(0.01); // the first answer takes longer than the second would alone

    WireClient client(m_sim->port());
    QVERIFY(client.send(httpPost("/v1/messages", question("claude-opus-4-8"))
                        + httpPost("/v1/messages", question("claude-haiku-4-5"))));
    const QList<WireResponse> responses = client.read(2);

    QCOMPARE(responses.size(), 2);
    QCOMPARE(responses.at(0).json().value("model"_L1).toString(), u"claude-opus-4-8"_s);
    QCOMPARE(responses.at(1).json().value("model"_L1).toString(), u"claude-haiku-4-5-20251001"_s);
}

void tst_SimulatorFaults::connectionCloseIsHonoured()
{
    QSignalSpy finished(m_sim.get(), &Simulator::responseFinished);
    WireClient client(m_sim->port());
    QVERIFY(client.send(
        httpPost("/v1/messages", question("claude-haiku-4-5"), "connection: close\r\n")));

    QVERIFY(client.waitForClose());
    const QList<WireResponse> responses = parseResponses(client.received());
    QCOMPARE(responses.value(0).status, 200);
    QCOMPARE(responses.value(0).headers.value("connection"), "close");
    QTRY_COMPARE(finished.size(), 1);
    QVERIFY(finished.first().at(0).value<SimExchange>().delivered);
}

void tst_SimulatorFaults::expectContinueIsAnswered()
{
    const QByteArray request =
        httpPost("/v1/messages", question("claude-haiku-4-5"), "expect: 100-continue\r\n");
    const qsizetype headEnd = request.indexOf("\r\n\r\n") + 4;

    WireClient client(m_sim->port());
    QVERIFY(client.send(request.left(headEnd)));
    QVERIFY(client.waitFor("HTTP/1.1 100 Continue\r\n\r\n"));
    QVERIFY(client.send(request.mid(headEnd)));
    QVERIFY(client.waitFor("\"type\":\"message\""));

    QVERIFY(client.received().startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
}

void tst_SimulatorFaults::refusesBadRequests_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("type");

    // 32 MiB = 33,554,432 bytes; one more is refused before any body byte is read.
    QTest::newRow("body above 32 MiB")
        << QByteArray("POST /v1/messages HTTP/1.1\r\nx-api-key: k\r\n"
                      "anthropic-version: 2023-06-01\r\ncontent-length: 33554433\r\n\r\n")
        << 413 << u"request_too_large"_s;
    QTest::newRow("chunked request body")
        << QByteArray("POST /v1/messages HTTP/1.1\r\nx-api-key: k\r\n"
                      "anthropic-version: 2023-06-01\r\ntransfer-encoding: chunked\r\n\r\n"
                      "2\r\n{}\r\n0\r\n\r\n")
        << 411 << u"invalid_request_error"_s;
    QTest::newRow("garbage request line")
        << QByteArray("HELLO\r\n\r\n") << 400 << u"invalid_request_error"_s;
    QTest::newRow("bad content-length")
        << QByteArray("POST /v1/messages HTTP/1.1\r\ncontent-length: ten\r\n\r\n") << 400
        << u"invalid_request_error"_s;
    QTest::newRow("header without a colon")
        << QByteArray("GET /v1/models HTTP/1.1\r\nnonsense\r\n\r\n") << 400
        << u"invalid_request_error"_s;
}

void tst_SimulatorFaults::refusesBadRequests()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, type);

    WireClient client(m_sim->port());
    QVERIFY(client.send(request));
    QVERIFY(client.waitForClose());

    const QList<WireResponse> responses = parseResponses(client.received());
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.first().status, status);
    QCOMPARE(responses.first().json().value("type"_L1).toString(), u"error"_s);
    QCOMPARE(responses.first().json().value("error"_L1)["type"_L1].toString(), type);
    QVERIFY(responses.first().headers.value("request-id").startsWith("req_"));
}

void tst_SimulatorFaults::faultsAreReported()
{
    m_sim->setFaults(SimFaults{.failFirst = 1, .failStatus = 529});
    QSignalSpy finished(m_sim.get(), &Simulator::responseFinished);

    WireClient client(m_sim->port());
    QVERIFY(client.send(httpPost("/v1/messages", question("claude-haiku-4-5"))));
    QCOMPARE(client.read(1).size(), 1);
    QTRY_COMPARE(finished.size(), 1);

    const SimExchange exchange = finished.first().at(0).value<SimExchange>();
    QCOMPARE(exchange.status, 529);
    QCOMPARE(exchange.errorType, u"overloaded_error"_s);
    QCOMPARE(exchange.fault, u"fail-first"_s);
    QCOMPARE(exchange.model, u"claude-haiku-4-5-20251001"_s);
    QCOMPARE(exchange.usage.outputTokens, 0);
}

void tst_SimulatorFaults::refusalsKeepTheirPath()
{
    QSignalSpy finished(m_sim.get(), &Simulator::responseFinished);

    WireClient client(m_sim->port());
    QVERIFY(client.send("POST /v1/messages HTTP/1.1\r\ncontent-length: 40000000\r\n\r\n"));
    QTRY_COMPARE(finished.size(), 1);

    const SimExchange exchange = finished.first().at(0).value<SimExchange>();
    QCOMPARE(exchange.status, 413);
    QCOMPARE(exchange.path, u"/v1/messages"_s);
    QCOMPARE(exchange.errorType, u"request_too_large"_s);
}

void tst_SimulatorFaults::startFailsOnABusyPort()
{
    Simulator second;

    const Expected<void> started = second.start(m_sim->port());

    QVERIFY(!started.hasValue());
    QVERIFY2(started.error().contains(u"127.0.0.1:%1"_s.arg(m_sim->port())),
             qPrintable(started.error()));
    QVERIFY(!second.isRunning());
}

QTEST_GUILESS_MAIN(tst_SimulatorFaults)
#include "tst_simulatorfaults.moc"
