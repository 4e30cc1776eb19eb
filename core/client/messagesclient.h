#pragma once

#include "calllog/callrecord.h"
#include "client/apierror.h"
#include "client/clientconfig.h"
#include "client/messagerequest.h"
#include "client/messageresponse.h"
#include "client/messagestreamassembler.h"
#include "client/sseparser.h"
#include "pricing/pricebook.h"
#include "retry/retryrunner.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>

#include <optional>

class CallLogWriter;
class MessageCall;
class QNetworkAccessManager;
class QNetworkReply;
class RetryClock;

// The client of the Anthropic Messages API that every part of the workbench sends through.
//
// Fully asynchronous on one QNetworkAccessManager: send() returns at once with a MessageCall,
// a job that retries by the configured RetryPolicy on timers, streams text as it arrives, and
// ends with one finished(). Every call, whatever its outcome, becomes one CallRecord: handed
// out by callFinished() and, when a log writer is set, appended to the log. A record that
// cannot be written is reported by logWriteFailed(); the call's result is not affected.
//
// The client owns neither the network manager, nor the log writer, nor the clock.
class MessagesClient : public QObject
{
    Q_OBJECT

public:
    explicit MessagesClient(QNetworkAccessManager *network, QObject *parent = nullptr);

    void setConfig(const ClientConfig &config) { m_config = config; }
    const ClientConfig &config() const { return m_config; }

    void setPrices(const PriceBook &prices) { m_prices = prices; }
    const PriceBook &prices() const { return m_prices; }

    void setLogWriter(CallLogWriter *writer) { m_logWriter = writer; }

    // Off by default: a record then holds the system prompt's hash and the token counts, never
    // text. On, each record also holds the user's message as `prompt` and the answer's text as
    // `answer` (empty when none came), for whoever can read the log.
    void setLogPrompts(bool logPrompts) { m_logPrompts = logPrompts; }
    bool logsPrompts() const { return m_logPrompts; }
    void setClock(RetryClock *clock) { m_clock = clock; }
    RetryClock *clock() const { return m_clock; }

    // Starts a call. The call is a child of the client; delete it (deleteLater() from a slot
    // connected to its finished() is fine) once its outcome has been read.
    MessageCall *send(const MessageRequest &request);

Q_SIGNALS:
    void callFinished(const CallRecord &record);
    void logWriteFailed(const QString &message);

private:
    friend class MessageCall;
    void recordCall(const CallRecord &record);

    QNetworkAccessManager *m_network;
    ClientConfig m_config;
    PriceBook m_prices = PriceBook::builtIn();
    CallLogWriter *m_logWriter = nullptr;
    RetryClock *m_clock;
    bool m_logPrompts = false;
};

// One call to the Messages API with its retries; see MessagesClient.
//
// Latency is measured from send() to the end, retry waits included, since that is what the
// user waited; time to first token likewise, to the first text of a streamed answer. A failure
// after a streamed answer has begun is not retried, because its text was already shown.
class MessageCall : public QObject
{
    Q_OBJECT

public:
    // Ends the call: a running request is aborted, a retry wait is cut short. The outcome is a
    // Cancelled error and finished() follows once.
    void cancel();

    bool isFinished() const { return m_finished; }
    bool succeeded() const { return m_finished && !m_error; }
    const MessageResponse &response() const { return m_response; }
    const std::optional<ApiError> &error() const { return m_error; }
    const CallRecord &record() const { return m_record; }
    const MessageRequest &request() const { return m_request; }
    int attempts() const { return m_runner.attempts(); }
    qint64 latencyMs() const { return m_latencyMs; }
    std::optional<qint64> timeToFirstTokenMs() const { return m_ttftMs; }

Q_SIGNALS:
    void textReceived(const QString &text);
    void attemptStarted(int attempt);
    void retryScheduled(int attempt, qint64 waitMs, const ApiError &error);
    void finished();

private:
    friend class MessagesClient;
    MessageCall(MessagesClient *client, const MessageRequest &request);

    void start();
    void failBeforeSending(const QString &message);
    void startAttempt(int attempt);
    void readStream();
    void finishAttempt();
    ApiError transportError(QNetworkReply *reply) const;
    std::optional<ApiError> shortBody(QNetworkReply *reply) const;
    void complete();
    CallRecord buildRecord() const;

    MessagesClient *m_client;
    MessageRequest m_request;
    QByteArray m_body;
    RetryRunner m_runner;
    QPointer<QNetworkReply> m_reply;
    QByteArray m_replyBody;
    SseParser m_parser;
    MessageStreamAssembler m_assembler;
    QDateTime m_startedAt;
    qint64 m_startedMs = 0;
    qint64 m_latencyMs = 0;
    std::optional<qint64> m_ttftMs;
    int m_lastHttpStatus = 0;
    QString m_lastRequestId;
    MessageResponse m_response;
    std::optional<ApiError> m_error;
    CallRecord m_record;
    bool m_finished = false;
};
