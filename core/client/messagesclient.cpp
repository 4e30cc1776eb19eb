#include "messagesclient.h"

#include "calllog/calllogwriter.h"
#include "common/logging.h"
#include "credentials/apikeystore.h"
#include "retry/retryclock.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

using namespace Qt::Literals::StringLiterals;

namespace {

const QByteArray userAgent = "Opsbench/" OPSBENCH_VERSION;

bool isStreamed(const MessageRequest &request)
{
    return request.stream;
}

// The log's error_type: the API's own type when it sent one, else a fixed word for what
// happened on our side, so that scripts can group failures.
QString errorTypeForLog(const ApiError &error)
{
    if (!error.type.isEmpty())
        return error.type;
    switch (error.kind) {
    case ApiError::Kind::Connection:
        return u"connection_error"_s;
    case ApiError::Kind::Timeout:
        return u"timeout"_s;
    case ApiError::Kind::Cancelled:
        return u"cancelled"_s;
    case ApiError::Kind::Protocol:
        return u"invalid_response"_s;
    case ApiError::Kind::Configuration:
        return u"not_sent"_s;
    case ApiError::Kind::Http:
    case ApiError::Kind::Stream:
        break;
    }
    return ApiError::typeForStatus(error.httpStatus);
}

// Some servers and proxies quote the key they refused in their error message; the message is
// printed and logged, the key must not be, so it is masked before anything else sees it.
ApiError withoutKey(ApiError error, const QString &key)
{
    if (!key.isEmpty())
        error.message.replace(key, ApiKeyStore::masked(key));
    return error;
}

} // namespace

MessagesClient::MessagesClient(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_config(ClientConfig::fromEnvironment())
    , m_clock(RetryClock::system())
{}

MessageCall *MessagesClient::send(const MessageRequest &request)
{
    auto *call = new MessageCall(this, request);
    // Started from the event loop, so that even a call refused before sending reports through
    // finished() after the caller has connected to it.
    QTimer::singleShot(0, call, &MessageCall::start);
    return call;
}

void MessagesClient::recordCall(const CallRecord &record)
{
    if (m_logWriter) {
        const Expected<void> written = m_logWriter->append(record);
        if (!written) {
            qCWarning(lcClient) << "call record not written:" << written.error();
            Q_EMIT logWriteFailed(written.error());
        }
    }
    Q_EMIT callFinished(record);
}

MessageCall::MessageCall(MessagesClient *client, const MessageRequest &request)
    : QObject(client)
    , m_client(client)
    , m_request(request)
{
    m_runner.setPolicy(client->config().retry);
    m_runner.setClock(client->clock());
    m_runner.setOperation([this](int attempt) { startAttempt(attempt); });
    connect(&m_runner, &RetryRunner::attemptStarted, this, &MessageCall::attemptStarted);
    connect(&m_runner, &RetryRunner::retryScheduled, this, &MessageCall::retryScheduled);
    connect(&m_runner, &RetryRunner::cancelRequested, this, [this] {
        // Detached first: abort() reports finished() at once, and this attempt's outcome is
        // no longer wanted.
        if (QNetworkReply *reply = m_reply.data()) {
            m_reply = nullptr;
            reply->disconnect(this);
            reply->abort();
            reply->deleteLater();
        }
    });
    connect(&m_runner, &RetryRunner::finished, this, &MessageCall::complete);
}

void MessageCall::start()
{
    m_startedAt = m_client->clock()->now().toUTC();
    m_startedMs = m_client->clock()->elapsedMs();

    const Expected<void> transport = m_client->config().checkTransport();
    if (!transport)
        return failBeforeSending(transport.error());
    Expected<QByteArray> body = m_request.toJson(m_client->config().version);
    if (!body)
        return failBeforeSending(body.error());
    m_body = std::move(body).value();
    m_runner.start();
}

void MessageCall::failBeforeSending(const QString &message)
{
    // The runner reports it like any other error that retrying cannot fix.
    m_runner.setOperation([this, message](int) {
        m_runner.attemptFailed(ApiError::local(ApiError::Kind::Configuration, message));
    });
    m_runner.start();
}

void MessageCall::startAttempt(int attempt)
{
    const ClientConfig &config = m_client->config();
    QNetworkRequest request(config.endpoint(u"/v1/messages"));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    request.setRawHeader("accept", "application/json");
    request.setRawHeader("anthropic-version", apiVersionHeader(config.version));
    request.setRawHeader("user-agent", userAgent);
    if (!config.apiKey.isEmpty()) {
        if (config.version == ApiVersion::Version2023)
            request.setRawHeader("x-api-key", config.apiKey.toUtf8());
        else
            request.setRawHeader("authorization", "Bearer " + config.apiKey.toUtf8());
    }
    request.setTransferTimeout(config.transferTimeoutMs);

    m_replyBody.clear();
    m_parser.reset();
    m_assembler = MessageStreamAssembler();
    m_reply = m_client->m_network->post(request, m_body);
    qCDebug(lcClient) << "attempt" << attempt << "to" << request.url().toString() << "model"
                      << m_request.model << (isStreamed(m_request) ? "streamed" : "");
    connect(m_reply, &QNetworkReply::readyRead, this, &MessageCall::readStream);
    connect(m_reply, &QNetworkReply::finished, this, &MessageCall::finishAttempt);
}

void MessageCall::readStream()
{
    if (!m_reply->isOpen())
        return; // aborted by a transfer timeout: nothing more to read
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray bytes = m_reply->readAll();
    if (status != 200 || !isStreamed(m_request)) {
        m_replyBody += bytes;
        return;
    }
    for (const SseEvent &event : m_parser.feed(bytes)) {
        const QString text = m_assembler.take(event);
        if (text.isEmpty())
            continue;
        if (!m_ttftMs)
            m_ttftMs = m_client->clock()->elapsedMs() - m_startedMs;
        Q_EMIT textReceived(text);
    }
}

void MessageCall::finishAttempt()
{
    QNetworkReply *reply = m_reply;
    if (!reply || !m_runner.isRunning())
        return; // cancelled: the runner has already finished the call
    readStream();
    m_reply = nullptr;
    reply->deleteLater();

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    m_lastHttpStatus = status;
    m_lastRequestId = QString::fromLatin1(reply->rawHeader("request-id"));

    if (status == 0)
        return m_runner.attemptFailed(transportError(reply));
    if (status < 200 || status > 299) {
        const ApiError error = ApiError::fromHttpResponse(
            status, m_replyBody, reply->rawHeaderPairs(), m_client->clock()->now());
        return m_runner.attemptFailed(withoutKey(error, m_client->config().apiKey));
    }

    if (isStreamed(m_request)) {
        // Past the 200 the answer may already be on screen, so nothing here is retried.
        ApiError broken;
        broken.kind = ApiError::Kind::Stream;
        broken.httpStatus = status;
        broken.requestId = m_lastRequestId;
        if (m_assembler.hasError()) {
            broken.type = m_assembler.errorType();
            broken.message = m_assembler.errorMessage();
            return m_runner.attemptFailed(withoutKey(broken, m_client->config().apiKey));
        }
        if (reply->error() != QNetworkReply::NoError || !m_assembler.isComplete()) {
            const ApiError cause = transportError(reply);
            broken.type = u"incomplete_stream"_s;
            broken.message = reply->error() != QNetworkReply::NoError
                                 ? u"the stream broke off: "_s + cause.message
                                 : u"the stream ended before message_stop"_s;
            return m_runner.attemptFailed(broken);
        }
        m_response = m_assembler.message();
        return m_runner.attemptSucceeded();
    }

    if (reply->error() != QNetworkReply::NoError)
        return m_runner.attemptFailed(transportError(reply));
    if (const std::optional<ApiError> cut = shortBody(reply))
        return m_runner.attemptFailed(*cut);
    Expected<MessageResponse> response = MessageResponse::fromJson(m_replyBody);
    if (!response) {
        ApiError error = ApiError::local(ApiError::Kind::Protocol, response.error());
        error.httpStatus = status;
        error.requestId = m_lastRequestId;
        return m_runner.attemptFailed(error);
    }
    m_response = std::move(response).value();
    m_runner.attemptSucceeded();
}

ApiError MessageCall::transportError(QNetworkReply *reply) const
{
    switch (reply->error()) {
    case QNetworkReply::OperationCanceledError:
    case QNetworkReply::TimeoutError:
        // Only a transfer timeout cancels a reply that the call itself did not abort.
        return ApiError::local(ApiError::Kind::Timeout,
                               u"no data from the server for %1 s"_s.arg(
                                   m_client->config().transferTimeoutMs / 1000.0));
    default:
        return ApiError::local(ApiError::Kind::Connection, reply->errorString());
    }
}

std::optional<ApiError> MessageCall::shortBody(QNetworkReply *reply) const
{
    // A connection that closes before the promised length is not always reported as an error
    // by the network layer; a body cut short is a transport failure worth retrying, not a
    // malformed answer. (A compressed body's length counts compressed bytes, so skip those.)
    const QVariant declared = reply->header(QNetworkRequest::ContentLengthHeader);
    if (!declared.isValid() || reply->hasRawHeader("content-encoding"))
        return std::nullopt;
    const qint64 expected = declared.toLongLong();
    if (m_replyBody.size() >= expected)
        return std::nullopt;
    return ApiError::local(
        ApiError::Kind::Connection,
        u"the connection closed after %1 of %2 bytes of the answer"_s.arg(m_replyBody.size())
            .arg(expected));
}

void MessageCall::cancel()
{
    m_runner.cancel();
}

void MessageCall::complete()
{
    m_latencyMs = m_client->clock()->elapsedMs() - m_startedMs;
    m_error = m_runner.error();
    if (m_error && m_assembler.hasStarted())
        m_response = m_assembler.message(); // what arrived before the stream failed
    m_record = buildRecord();
    m_finished = true;
    if (m_error)
        qCDebug(lcClient) << "call failed after" << attempts()
                          << "attempt(s):" << m_error->describe();
    m_client->recordCall(m_record);
    Q_EMIT finished();
}

CallRecord MessageCall::buildRecord() const
{
    CallRecord record;
    record.requestId = CallRecord::newRequestId();
    record.timestamp = m_startedAt;
    record.model = m_response.model.isEmpty() ? m_request.model : m_response.model;
    record.feature = m_request.feature;
    record.userId = m_request.userId.isEmpty() ? u"anonymous"_s : m_request.userId;
    record.systemPromptHash = CallRecord::hashSystemPrompt(m_request.systemPrompt);
    const TokenUsage &usage = m_response.usage;
    record.inputTokens = usage.inputTokens;
    record.outputTokens = usage.outputTokens;
    record.cacheReadInputTokens = usage.cacheReadInputTokens;
    record.cacheCreationInputTokens = usage.cacheCreationInputTokens;
    record.latencyMs = m_latencyMs;
    record.numRetrievedDocs = m_request.numRetrievedDocs;

    if (usage.totalInputTokens() + usage.outputTokens == 0) {
        record.costUsd = 0; // nothing was billed, whatever the model
        record.costKnown = true;
    } else if (const Expected<double> cost = m_client->prices().cost(record.model, usage)) {
        record.costUsd = *cost;
        record.costKnown = true;
    } else {
        qCWarning(lcClient) << "call not priced:" << cost.error();
    }

    if (!m_error)
        record.finishReason = m_response.stopReason;
    else if (m_error->kind == ApiError::Kind::Cancelled)
        record.finishReason = u"cancelled"_s;
    else
        record.finishReason = u"error"_s;

    QJsonObject extra = m_request.logExtra;
    extra.insert("attempts"_L1, m_runner.attempts());
    extra.insert("stream"_L1, m_request.stream);
    if (m_ttftMs)
        extra.insert("ttft_ms"_L1, *m_ttftMs);
    if (m_lastHttpStatus != 0)
        extra.insert("http_status"_L1, m_lastHttpStatus);
    if (!m_lastRequestId.isEmpty())
        extra.insert("api_request_id"_L1, m_lastRequestId);
    if (m_error)
        extra.insert("error_type"_L1, errorTypeForLog(*m_error));
    if (usage.cacheCreation1hInputTokens > 0)
        extra.insert("cache_creation_1h_input_tokens"_L1, usage.cacheCreation1hInputTokens);
    if (m_client->logsPrompts()) {
        extra.insert("prompt"_L1, m_request.userMessage);
        extra.insert("answer"_L1, m_response.text());
    }
    record.extra = extra;
    return record;
}
