#include "calllog/calllogwriter.h"
#include "calllog/callrecord.h"
#include "client/messagesclient.h"
#include "retry/retryclock.h"
#include "sim/simulator.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::Literals::StringLiterals;

namespace {

const QString haiku = u"claude-haiku-4-5-20251001"_s;

QString bundledSystemPrompt()
{
    QFile file(u":/opsbench/prompts/support-agent.md"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

MessageRequest question(const QString &text = u"How long does a basic service take?"_s)
{
    MessageRequest request;
    request.model = haiku;
    request.maxTokens = 200;
    request.systemPrompt = u"You answer questions about bicycles briefly."_s;
    request.userMessage = text;
    request.feature = u"test"_s;
    request.userId = u"tester"_s;
    return request;
}

} // namespace

class tst_MessagesClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void plainCallIsLoggedWithEveryKey();
    void streamedCallDeliversTextAsItArrives();
    void promptCacheIsWrittenThenRead();
    void promptCacheExpires();
    void faultsAreRiddenOutOrReported_data();
    void faultsAreRiddenOutOrReported();
    void missingKeyIsNotRetried();
    void requestsTheVersionRejectsAreNotSent();
    void keyIsNeverSentOverPlainHttpToAnotherHost();
    void cancelDuringACall();
    void cancelDuringARetryWait();
    void logWriteFailureLeavesTheCallIntact();

private:
    MessageCall *sendAndWait(const MessageRequest &request);
    QList<CallRecord> loggedRecords() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Simulator> m_simulator;
    std::unique_ptr<VirtualClock> m_clock;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<MessagesClient> m_client;
    std::unique_ptr<CallLogWriter> m_writer;
    QDateTime m_simulatorTime;
};

void tst_MessagesClient::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());

    m_simulator = std::make_unique<Simulator>();
    m_simulator->setLatencyScale(0);
    m_simulatorTime = QDateTime(QDate(2026, 12, 3), QTime(9, 0), Qt::UTC);
    m_simulator->setClock([this] { return m_simulatorTime; });
    QVERIFY(m_simulator->start().hasValue());

    // Retry waits pass in virtual time, so a 60 s backoff costs the test nothing.
    m_clock = std::make_unique<VirtualClock>(m_simulatorTime);
    m_clock->setAutoAdvance(true);

    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<MessagesClient>(m_network.get());
    ClientConfig config;
    config.baseUrl = m_simulator->baseUrl();
    config.apiKey = u"sk-ant-test-not-a-real-key"_s;
    config.transferTimeoutMs = 2000;
    config.retry.setMaxAttempts(4);
    m_client->setConfig(config);
    m_client->setClock(m_clock.get());

    m_writer = std::make_unique<CallLogWriter>();
    QVERIFY(m_writer->open(m_dir->filePath(u"llm_calls.jsonl"_s)).hasValue());
    m_client->setLogWriter(m_writer.get());
}

void tst_MessagesClient::cleanup()
{
    m_client.reset();
    m_network.reset();
    m_writer.reset();
    m_simulator.reset();
    m_clock.reset();
    m_dir.reset();
}

MessageCall *tst_MessagesClient::sendAndWait(const MessageRequest &request)
{
    MessageCall *call = m_client->send(request);
    QSignalSpy finished(call, &MessageCall::finished);
    if (!finished.wait(20'000))
        qWarning() << "the call did not finish";
    return call;
}

QList<CallRecord> tst_MessagesClient::loggedRecords() const
{
    QFile log(m_writer->path());
    if (!log.open(QIODevice::ReadOnly))
        return {};
    QList<CallRecord> records;
    for (const QByteArray &line : log.readAll().split('\n')) {
        if (Expected<CallRecord> record = CallRecord::fromJsonLine(line))
            records.append(std::move(record).value());
    }
    return records;
}

void tst_MessagesClient::plainCallIsLoggedWithEveryKey()
{
    QSignalSpy recorded(m_client.get(), &MessagesClient::callFinished);

    MessageCall *call = sendAndWait(question());

    QVERIFY2(call->succeeded(), qPrintable(call->error() ? call->error()->describe() : QString()));
    QVERIFY(!call->response().text().isEmpty());
    QCOMPARE(call->attempts(), 1);
    QCOMPARE(recorded.count(), 1);

    QFile log(m_writer->path());
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = log.readAll().split('\n');
    QCOMPARE(lines.size(), 2); // one record and the empty rest after its newline
    const Expected<CallRecord> record = CallRecord::fromJsonLine(lines.first());
    QVERIFY(record.hasValue());
    const TokenUsage usage = call->response().usage;
    QVERIFY(usage.inputTokens > 0 && usage.outputTokens > 0);
    QCOMPARE(record->model, haiku);
    QCOMPARE(record->feature, u"test"_s);
    QCOMPARE(record->userId, u"tester"_s);
    QCOMPARE(record->systemPromptHash,
             CallRecord::hashSystemPrompt(u"You answer questions about bicycles briefly."_s));
    QCOMPARE(record->inputTokens, usage.inputTokens);
    QCOMPARE(record->outputTokens, usage.outputTokens);
    QCOMPARE(record->finishReason, call->response().stopReason);
    QVERIFY(record->costKnown);
    // Haiku 4.5: $1 in, $5 out per million tokens.
    QCOMPARE(record->costUsd, (usage.inputTokens * 1.0 + usage.outputTokens * 5.0) / 1e6);
    QCOMPARE(record->extra.value("attempts"_L1).toInt(), 1);
    QCOMPARE(record->extra.value("http_status"_L1).toInt(), 200);
    QVERIFY(record->extra.value("api_request_id"_L1).toString().startsWith(u"req_"_s));
    QCOMPARE(record->extra.value("stream"_L1).toBool(), false);

    // Every required key, by name, in the written line.
    for (QLatin1StringView key : CallRecord::requiredKeys()) {
        const QByteArray quoted = "\"" + QByteArray(key.data(), key.size()) + "\":";
        QVERIFY2(lines.first().contains(quoted), key.data());
    }
}

void tst_MessagesClient::streamedCallDeliversTextAsItArrives()
{
    MessageRequest request = question();
    request.stream = true;
    MessageCall *call = m_client->send(request);
    QString streamed;
    int pieces = 0;
    connect(call, &MessageCall::textReceived, this, [&](const QString &text) {
        streamed += text;
        ++pieces;
    });
    QSignalSpy finished(call, &MessageCall::finished);

    QVERIFY(finished.wait(20'000));

    QVERIFY(call->succeeded());
    QVERIFY(pieces > 1);
    QCOMPARE(streamed, call->response().text());
    QVERIFY(call->timeToFirstTokenMs().has_value());
    QCOMPARE(call->record().extra.value("stream"_L1).toBool(), true);
    QVERIFY(call->record().extra.contains("ttft_ms"_L1));
    QVERIFY(call->response().usage.outputTokens > 3); // the final count, not the placeholder
}

void tst_MessagesClient::promptCacheIsWrittenThenRead()
{
    MessageRequest request = question();
    request.systemPrompt = bundledSystemPrompt();
    QVERIFY(request.systemPrompt.size() > 19'000); // over Haiku 4.5's 4096-token minimum
    request.cache = CacheTtl::FiveMinutes;

    MessageCall *first = sendAndWait(request);
    MessageCall *second = sendAndWait(request);

    QVERIFY(first->succeeded() && second->succeeded());
    const qint64 written = first->record().cacheCreationInputTokens;
    QVERIFY(written >= 4096);
    QCOMPARE(first->record().cacheReadInputTokens, 0);
    QCOMPARE(second->record().cacheReadInputTokens, written);
    QCOMPARE(second->record().cacheCreationInputTokens, 0);
    // The read is priced at $0.10 per million instead of $1: the second call is cheaper.
    QVERIFY(second->record().costUsd < first->record().costUsd);
}

void tst_MessagesClient::promptCacheExpires()
{
    m_simulator->setCacheTtlOverride(60);
    MessageRequest request = question();
    request.systemPrompt = bundledSystemPrompt();
    request.cache = CacheTtl::FiveMinutes;

    MessageCall *first = sendAndWait(request);
    m_simulatorTime = m_simulatorTime.addSecs(61);
    MessageCall *afterExpiry = sendAndWait(request);

    QVERIFY(first->succeeded() && afterExpiry->succeeded());
    QVERIFY(first->record().cacheCreationInputTokens > 0);
    QCOMPARE(afterExpiry->record().cacheReadInputTokens, 0);
    QCOMPARE(afterExpiry->record().cacheCreationInputTokens,
             first->record().cacheCreationInputTokens);
}

void tst_MessagesClient::faultsAreRiddenOutOrReported_data()
{
    QTest::addColumn<SimFaults>("faults");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<bool>("refused"); // nobody listens: every connection is refused
    QTest::addColumn<int>("attempts");
    QTest::addColumn<int>("httpStatus");       // of the last attempt; 0: none arrived, none logged
    QTest::addColumn<QString>("errorType");    // as logged; empty: the call succeeds
    QTest::addColumn<QString>("errorMessage"); // part of the error's message; empty: unchecked
    QTest::addColumn<QList<qint64>>("waits");  // empty: only checked to be backoff-sized

    const auto row = [](const char *name, const SimFaults &faults, bool stream, int attempts,
                        int httpStatus, const QString &errorType = {},
                        const QString &errorMessage = {}, const QList<qint64> &waits = {}) {
        QTest::newRow(name) << faults << stream << false << attempts << httpStatus << errorType
                            << errorMessage << waits;
    };
    const auto failing = [](int count, int status, double retryAfter = 0, bool inMs = false) {
        SimFaults faults;
        faults.failFirst = count;
        faults.failStatus = status;
        faults.retryAfterSeconds = retryAfter;
        faults.retryAfterMs = inMs;
        return faults;
    };
    const auto every = [](double SimFaults::*rate) {
        SimFaults faults;
        faults.*rate = 1;
        return faults;
    };

    // Errors worth retrying, then success. Three rate limits: the server's retry-after (2 s)
    // sets each wait.
    row("429 with retry-after seconds", failing(3, 429, 2), false, 4, 200, {}, {},
        {2000, 2000, 2000});
    row("429 with retry-after-ms", failing(1, 429, 0.25, true), false, 2, 200, {}, {}, {250});
    SimFaults dated = failing(1, 429, 2);
    dated.retryAfterAsDate = true;
    row("429 with retry-after as an HTTP date", dated, false, 2, 200, {}, {}, {2000});
    row("429 without retry-after", failing(2, 429), false, 3, 200);
    row("500", failing(1, 500), false, 2, 200);
    row("502", failing(1, 502), false, 2, 200);
    row("503", failing(1, 503), true, 2, 200);
    row("504", failing(1, 504), false, 2, 200);
    row("529 overloaded", failing(2, 529), true, 3, 200);

    // Four attempts allowed, all four failing: the last error comes back as it was.
    row("429 storm outlasts the attempts", failing(10, 429), false, 4, 429, u"rate_limit_error"_s,
        u"exceed the rate limit"_s);
    QTest::newRow("connection refused") << SimFaults() << false << true << 4 << 0
                                        << u"connection_error"_s << QString() << QList<qint64>{};
    // How Qt words a close mid-body depends on whether it read the last bytes first, so the
    // message of the two cut rows is not checked.
    row("JSON body cut short", every(&SimFaults::truncateRate), false, 4, 200,
        u"connection_error"_s);
    row("connection reset mid-body", every(&SimFaults::resetRate), false, 4, 200,
        u"connection_error"_s);
    SimFaults stall = every(&SimFaults::stallRate);
    stall.stallMs = 10'000;
    row("stall past the transfer timeout", stall, false, 4, 0, u"timeout"_s);
    SimFaults page = every(&SimFaults::notJsonRate);
    page.notJsonStatus = 500;
    // A 500 is worth retrying whatever its body; typed from the status, as the body says nothing.
    row("500 with a body that is not JSON", page, false, 4, 500, u"api_error"_s,
        u"not the API's JSON error"_s);

    // Errors that retrying cannot fix: one attempt, typed from the API's error envelope.
    row("400 bad request", failing(1, 400), false, 1, 400, u"invalid_request_error"_s,
        u"(simulated)"_s);
    row("401 bad key", failing(1, 401), false, 1, 401, u"authentication_error"_s, u"(simulated)"_s);
    row("403 forbidden", failing(1, 403), false, 1, 403, u"permission_error"_s, u"(simulated)"_s);
    row("404 not found", failing(1, 404), false, 1, 404, u"not_found_error"_s, u"(simulated)"_s);
    row("413 request too large", failing(1, 413), true, 1, 413, u"request_too_large"_s,
        u"(simulated)"_s);
    page.notJsonStatus = 200;
    row("200 with a body that is not JSON", page, false, 1, 200, u"invalid_response"_s);

    // Failures after a 200 stream has begun: part of the answer may be on screen, so no retry.
    row("overloaded inside a 200 stream", every(&SimFaults::midStreamErrorRate), true, 1, 200,
        u"overloaded_error"_s);
    row("stream cut before message_stop", every(&SimFaults::truncateRate), true, 1, 200,
        u"incomplete_stream"_s);
    row("stream reset halfway", every(&SimFaults::resetRate), true, 1, 200, u"incomplete_stream"_s);
}

void tst_MessagesClient::faultsAreRiddenOutOrReported()
{
    QFETCH(SimFaults, faults);
    QFETCH(bool, stream);
    QFETCH(bool, refused);
    QFETCH(int, attempts);
    QFETCH(int, httpStatus);
    QFETCH(QString, errorType);
    QFETCH(QString, errorMessage);
    QFETCH(QList<qint64>, waits);

    ClientConfig config = m_client->config();
    if (faults.stallRate > 0)
        config.transferTimeoutMs = 300;
    if (refused) {
        // A port that was free a moment ago and has nobody listening now.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        config.baseUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(probe.serverPort()));
    }
    m_client->setConfig(config);
    m_simulator->setFaults(faults);
    MessageRequest request = question();
    request.stream = stream;
    QSignalSpy recorded(m_client.get(), &MessagesClient::callFinished);
    MessageCall *call = m_client->send(request);
    QSignalSpy retries(call, &MessageCall::retryScheduled);
    QSignalSpy finished(call, &MessageCall::finished);

    QVERIFY(finished.wait(30'000));

    const bool succeeds = errorType.isEmpty();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(call->succeeded(), succeeds);
    QCOMPARE(call->attempts(), attempts);
    QCOMPARE(retries.count(), attempts - 1);
    for (qsizetype i = 0; i < waits.size(); ++i)
        QCOMPARE(retries.at(i).at(1).toLongLong(), waits.at(i));
    if (waits.isEmpty() && retries.count() > 0) {
        // Backoff from a 1 s base: 1 to 1.1 s before the first retry.
        const qint64 firstWait = retries.first().at(1).toLongLong();
        QVERIFY2(firstWait >= 1000 && firstWait < 1100, qPrintable(QString::number(firstWait)));
    }
    if (!errorMessage.isEmpty())
        QVERIFY2(call->error()->message.contains(errorMessage), qPrintable(call->error()->message));

    // One record per call, whatever the retries, in the log as it was handed out.
    QCOMPARE(recorded.count(), 1);
    const QList<CallRecord> logged = loggedRecords();
    QCOMPARE(logged.size(), qsizetype(1));
    const CallRecord &record = logged.first();
    QCOMPARE(record.requestId, call->record().requestId);
    QCOMPARE(record.extra.value("attempts"_L1).toInt(), attempts);
    QCOMPARE(record.extra.contains("http_status"_L1), httpStatus != 0);
    QCOMPARE(record.extra.value("http_status"_L1).toInt(), httpStatus);
    QCOMPARE(record.finishReason, succeeds ? u"end_turn"_s : u"error"_s);
    QCOMPARE(record.extra.value("error_type"_L1).toString(), errorType);
    // A call that never got a 200 was never billed.
    if (httpStatus != 200)
        QCOMPARE(record.costUsd, 0.0);
}

void tst_MessagesClient::missingKeyIsNotRetried()
{
    ClientConfig config = m_client->config();
    config.apiKey.clear();
    m_client->setConfig(config);

    MessageCall *call = sendAndWait(question());

    QCOMPARE(call->attempts(), 1);
    QCOMPARE(call->error()->httpStatus, 401);
    QCOMPARE(call->error()->type, u"authentication_error"_s);
    QVERIFY(call->error()->requestId.startsWith(u"req_"_s));
}

void tst_MessagesClient::requestsTheVersionRejectsAreNotSent()
{
    ClientConfig config = m_client->config();
    config.version = ApiVersion::Version2026;
    m_client->setConfig(config);
    QSignalSpy arrived(m_simulator.get(), &Simulator::requestReceived);
    MessageRequest request = question();
    request.temperature = 0.2;

    MessageCall *call = sendAndWait(request);

    QCOMPARE(call->error()->kind, ApiError::Kind::Configuration);
    QVERIFY(call->error()->message.contains(u"temperature"_s));
    QCOMPARE(arrived.count(), 0);
    QCOMPARE(call->record().finishReason, u"error"_s);

    // The same request without temperature goes through with the Bearer header.
    request.temperature.reset();
    QVERIFY(sendAndWait(request)->succeeded());
}

void tst_MessagesClient::keyIsNeverSentOverPlainHttpToAnotherHost()
{
    ClientConfig config = m_client->config();
    config.baseUrl = QUrl(u"http://api.example.com"_s);
    m_client->setConfig(config);

    MessageCall *call = sendAndWait(question());

    QCOMPARE(call->error()->kind, ApiError::Kind::Configuration);
    QVERIFY(call->error()->message.contains(u"plain http"_s));
    QCOMPARE(call->attempts(), 1);
}

void tst_MessagesClient::cancelDuringACall()
{
    SimFaults stall;
    stall.stallRate = 1;
    stall.stallMs = 10'000;
    m_simulator->setFaults(stall);
    MessageCall *call = m_client->send(question());
    QSignalSpy started(call, &MessageCall::attemptStarted);
    QSignalSpy finished(call, &MessageCall::finished);
    QSignalSpy arrived(m_simulator.get(), &Simulator::requestReceived);
    QVERIFY(arrived.wait(5000));

    call->cancel();

    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(call->error()->kind, ApiError::Kind::Cancelled);
    QCOMPARE(call->record().finishReason, u"cancelled"_s);
    QCOMPARE(started.count(), 1);
    QTest::qWait(50); // a late reply from the aborted request must not finish it twice
    QCOMPARE(finished.count(), 1);
}

void tst_MessagesClient::cancelDuringARetryWait()
{
    // Real waiting here: a virtual clock that does not advance by itself holds the retry.
    m_clock->setAutoAdvance(false);
    SimFaults faults;
    faults.failFirst = 5;
    faults.retryAfterSeconds = 30;
    m_simulator->setFaults(faults);
    MessageCall *call = m_client->send(question());
    QSignalSpy retry(call, &MessageCall::retryScheduled);
    QSignalSpy finished(call, &MessageCall::finished);
    QVERIFY(retry.wait(5000));
    QCOMPARE(retry.first().at(1).toLongLong(), 30'000);

    call->cancel();

    QCOMPARE(finished.count(), 1);
    QCOMPARE(call->attempts(), 1);
    QCOMPARE(call->error()->kind, ApiError::Kind::Cancelled);
    QCOMPARE(m_clock->activeTimers(), 0);
}

void tst_MessagesClient::logWriteFailureLeavesTheCallIntact()
{
    CallLogWriter full;
    QVERIFY(full.open(u"/dev/full"_s).hasValue());
    m_client->setLogWriter(&full);
    QSignalSpy writeFailed(m_client.get(), &MessagesClient::logWriteFailed);

    MessageCall *call = sendAndWait(question());

    QVERIFY(call->succeeded());
    QCOMPARE(writeFailed.count(), 1);
    QVERIFY(writeFailed.first().first().toString().contains(u"/dev/full"_s));
    m_client->setLogWriter(m_writer.get());
}

QTEST_GUILESS_MAIN(tst_MessagesClient)
#include "tst_messagesclient.moc"
