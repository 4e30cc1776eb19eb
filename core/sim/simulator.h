#pragma once

#include "common/expected.h"
#include "pricing/tokenusage.h"
#include "sim/simfaults.h"

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class SimModelCatalogue;
class SimulatorPrivate;

// One answered request, for a traffic panel.
struct SimExchange
{
    QString requestId;
    QString method;
    QString path;
    QString model;     // canonical id; empty when the request never named a valid one
    int status = 0;    // the HTTP status sent (200 also for a stream that later failed)
    QString errorType; // the API error type, for error answers and mid-stream errors
    QString fault;     // the injected fault, if any: "fail-first", "error-rate", "stall", ...
    bool stream = false;
    bool delivered = true; // false when the client left, or a reset/truncation cut the answer
    TokenUsage usage;
    qint64 latencyMs = 0; // from the request's arrival to its last byte
};

Q_DECLARE_METATYPE(SimExchange)

// An Anthropic-compatible Messages API on 127.0.0.1, for working without a key and for showing
// caching, latency and retries offline: POST /v1/messages (JSON or SSE), POST
// /v1/messages/count_tokens, GET /v1/models[/id]. It accepts any non-empty key in x-api-key or
// Authorization: Bearer (and never logs it), and anthropic-version 2023-06-01 or 2026-10-21.
//
// Answers are built from the prompt (see AnswerWriter), token counts follow TokenEstimate,
// caching follows PromptCache, timing follows LatencyModel. Everything is deterministic for a
// seed: the same requests in the same order give the same bodies, ids and latencies.
// Streams use Transfer-Encoding: chunked, as the real API does; other answers Content-Length.
// Configuration may change while running; it applies to requests that arrive afterwards.
class Simulator : public QObject
{
    Q_OBJECT

public:
    explicit Simulator(QObject *parent = nullptr);
    ~Simulator() override;

    // Listens on 127.0.0.1:port (0 picks a free one); fails naming the port.
    Expected<void> start(quint16 port = 0);
    void stop();
    bool isRunning() const;
    quint16 port() const;
    QUrl baseUrl() const; // http://127.0.0.1:<port>

    // Restarts the id counter too, so a seed replays from the first request.
    void setSeed(quint64 seed);
    quint64 seed() const;
    // Multiplies every latency; 0 answers at once. Default 1.
    void setLatencyScale(double scale);
    double latencyScale() const;
    // The usage tier (1-4) whose limits the anthropic-ratelimit-* headers report. Default 4.
    void setRateLimitTier(int tier);
    // Multiplies both cache TTLs, or replaces them with a fixed number of seconds.
    void setCacheTtlScale(double scale);
    void setCacheTtlOverride(std::optional<int> seconds);
    void clearCache();
    // The time for cache expiry, rate-limit windows and Date headers. Default: the system clock.
    void setClock(std::function<QDateTime()> clock);
    // Bodies above this are refused with 413 on connections opened afterwards. Default 32 MiB,
    // as the API.
    void setMaxBodyBytes(qint64 bytes);

    void setFaults(const SimFaults &faults);
    SimFaults faults() const;
    int remainingForcedFailures() const;

    const SimModelCatalogue &models() const;

Q_SIGNALS:
    void requestReceived(const QString &requestId, const QString &method, const QString &path);
    void responseFinished(const SimExchange &exchange);

private:
    std::unique_ptr<SimulatorPrivate> d;
};
