#include "simulator.h"

#include "answerwriter.h"
#include "common/logging.h"
#include "httpconnection.h"
#include "httpserver.h"
#include "latencymodel.h"
#include "promptcache.h"
#include "ratelimitbucket.h"
#include "responsescript.h"
#include "simmodelcatalogue.h"
#include "simrequest.h"
#include "tokenestimate.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRandomGenerator64>
#include <QUrlQuery>

using namespace Qt::Literals::StringLiterals;

namespace {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// A fixed, made-up organization id: clients that log it get something stable.
constexpr QByteArrayView organizationId = "5d0c7a3e-1f42-4b8e-9a6d-2c7e0b91f3a4";
constexpr qint64 resetGraceMs = 30; // lets the partial body reach the client before the RST

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 529:
        return "Overloaded";
    default:
        return "Error";
    }
}

// The error type and message the API uses for an injected status.
ErrorReply injectedError(int status)
{
    switch (status) {
    case 401:
        // As the API words it; like the API, the simulator never repeats the key it was sent.
        return {401, u"authentication_error"_s, u"invalid x-api-key (simulated)"_s};
    case 429:
        return {429, u"rate_limit_error"_s,
                u"This request would exceed the rate limit for your organization (simulated)."_s};
    case 500:
        return {500, u"api_error"_s, u"Internal server error"_s};
    case 502:
        return {502, u"api_error"_s, u"Bad gateway"_s};
    case 503:
        return {503, u"api_error"_s, u"Service unavailable"_s};
    case 504:
        return {504, u"timeout_error"_s, u"Request timed out"_s};
    case 529:
        return {529, u"overloaded_error"_s, u"Overloaded"_s};
    case 400:
        return {400, u"invalid_request_error"_s, u"The request was refused (simulated)."_s};
    case 403:
        return {403, u"permission_error"_s,
                u"Your API key does not have permission to use the specified resource "
                "(simulated)."_s};
    case 404:
        return {404, u"not_found_error"_s,
                u"The requested resource could not be found (simulated)."_s};
    case 413:
        return {413, u"request_too_large"_s,
                u"Request exceeds the maximum allowed number of bytes (simulated)."_s};
    default:
        return {status, status >= 500 ? u"api_error"_s : u"invalid_request_error"_s,
                u"Simulated failure"_s};
    }
}

ErrorReply invalid(const QString &message)
{
    return ErrorReply{400, u"invalid_request_error"_s, message};
}

quint64 mix(quint64 value)
{
    // splitmix64: spreads a counter into an unrelated-looking 64-bit seed.
    value += 0x9e3779b97f4a7c15ULL;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

QByteArray seededId(QByteArrayView prefix, quint64 seed, QByteArrayView kind, quint64 counter,
                    int length)
{
    static constexpr char alphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const QByteArray input =
        QByteArray::number(seed) + '/' + kind.toByteArray() + '/' + QByteArray::number(counter);
    hash.addData(input);
    const QByteArray digest = hash.result();
    QByteArray id = prefix.toByteArray();
    for (int i = 0; i < length; ++i)
        id += alphabet[quint8(digest.at(i)) % 62];
    return id;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray sseEvent(QByteArrayView name, const QByteArray &json)
{
    return "event: " + name.toByteArray() + "\ndata: " + json + "\n\n";
}

QByteArray chunk(const QByteArray &bytes)
{
    return QByteArray::number(bytes.size(), 16) + "\r\n" + bytes + "\r\n";
}

constexpr QByteArrayView lastChunk = "0\r\n\r\n";

QJsonObject errorEnvelope(const ErrorReply &error, const QString &requestId)
{
    QJsonObject body{
        {"type"_L1, "error"_L1},
        {"error"_L1, QJsonObject{{"type"_L1, error.type}, {"message"_L1, error.message}}}};
    if (!requestId.isEmpty())
        body.insert("request_id"_L1, requestId);
    return body;
}

// How an injected fault cuts a 200 answer short.
enum class Cut { None, Reset, Truncate, MidStreamError };

QString cutName(Cut cut)
{
    switch (cut) {
    case Cut::Reset:
        return u"reset"_s;
    case Cut::Truncate:
        return u"truncate"_s;
    case Cut::MidStreamError:
        return u"mid-stream-error"_s;
    case Cut::None:
        break;
    }
    return QString();
}

struct Completion
{
    QString text;
    QString stopReason;
    QString stopSequence;
    qint64 outputTokens = 0;
};

// The answer, cut by the first stop sequence or by max_tokens, whichever comes first.
Completion complete(const SimRequest &request)
{
    if (request.maxTokens == 0)
        return {QString(), u"max_tokens"_s, QString(), 0};
    const QString text =
        AnswerWriter::write(request.systemText, request.lastUserText, request.model->displayName);
    qsizetype stopAt = -1;
    QString matched;
    for (const QString &sequence : request.stopSequences) {
        const qsizetype at = text.indexOf(sequence);
        if (at >= 0 && (stopAt < 0 || at < stopAt)) {
            stopAt = at;
            matched = sequence;
        }
    }
    const QString kept = stopAt >= 0 ? text.left(stopAt) : text;
    if (TokenEstimate::ofText(kept) > request.maxTokens) {
        const qsizetype chars = TokenEstimate::charsWithin(kept, request.maxTokens);
        return {kept.left(chars), u"max_tokens"_s, QString(), request.maxTokens};
    }
    const qint64 tokens = std::max<qint64>(1, TokenEstimate::ofText(kept));
    if (stopAt >= 0)
        return {kept, u"stop_sequence"_s, matched, tokens};
    return {kept, u"end_turn"_s, QString(), tokens};
}

// Stream pieces of about three words, the way text deltas arrive from the API.
QStringList deltaPieces(const QString &text)
{
    QStringList pieces;
    qsizetype start = 0;
    int words = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) != u' ')
            continue;
        if (++words == 3) {
            pieces.append(text.mid(start, i + 1 - start));
            start = i + 1;
            words = 0;
        }
    }
    if (start < text.size())
        pieces.append(text.mid(start));
    return pieces;
}

QJsonObject usageJson(const TokenUsage &usage, const CacheOutcome &cache, bool full)
{
    QJsonObject json{{"input_tokens"_L1, usage.inputTokens},
                     {"cache_creation_input_tokens"_L1, usage.cacheCreationInputTokens},
                     {"cache_read_input_tokens"_L1, usage.cacheReadInputTokens},
                     {"output_tokens"_L1, usage.outputTokens}};
    if (!full)
        return json;
    json.insert("cache_creation"_L1,
                QJsonObject{{"ephemeral_5m_input_tokens"_L1, cache.written5mTokens},
                            {"ephemeral_1h_input_tokens"_L1, cache.written1hTokens}});
    json.insert("server_tool_use"_L1,
                QJsonObject{{"web_search_requests"_L1, 0}, {"web_fetch_requests"_L1, 0}});
    json.insert("service_tier"_L1, "standard"_L1);
    json.insert("inference_geo"_L1, "not_available"_L1);
    return json;
}

QJsonObject modelJson(const SimModel &model)
{
    return {{"type"_L1, "model"_L1},
            {"id"_L1, model.id},
            {"display_name"_L1, model.displayName},
            {"created_at"_L1, model.createdAt.toUTC().toString(Qt::ISODate)}};
}

bool isHaiku(const QString &modelId)
{
    return modelId.contains("haiku"_L1);
}

} // namespace

class SimulatorPrivate
{
public:
    explicit SimulatorPrivate(Simulator *q)
        : q(q)
    {}

    void handle(HttpConnection *connection, const HttpRequest &request);

    Simulator *q;
    HttpServer server;
    PromptCache cache;
    RateLimitBucket haikuBucket;
    RateLimitBucket pooledBucket;
    std::function<QDateTime()> clock = [] { return QDateTime::currentDateTimeUtc(); };
    quint64 seed = 0;
    quint64 counter = 0;
    double latencyScale = 1.0;
    int rateLimitTier = 4;
    SimFaults faults;
    int failuresLeft = 0;

private:
    struct Call
    {
        HttpConnection *connection = nullptr;
        QElapsedTimer arrival;
        bool keepAlive = true;
        quint64 index = 0; // 1 for the first request since the seed was set
        quint64 randomSeed = 0;
        SimExchange exchange;
    };

    std::optional<ErrorReply> checkHeaders(const HttpRequest &request, ApiVersion &version) const;
    // Validates the body; on failure answers with the error and returns false.
    bool parseOrRefuse(Call &call, const HttpRequest &request, ApiVersion version, bool countTokens,
                       SimRequest &parsed);
    void answerMessages(Call &call, const HttpRequest &request, ApiVersion version);
    void answerCountTokens(Call &call, const HttpRequest &request, ApiVersion version);
    void answerModels(Call &call, const HttpRequest &request);

    QByteArray head(const Call &call, int status, QByteArrayView contentType,
                    std::optional<qsizetype> contentLength, const HeaderList &extra = {}) const;
    ResponseScript *script(Call &call);
    void sendJson(Call &call, int status, const QJsonObject &body, const HeaderList &extra = {});
    void sendError(Call &call, const ErrorReply &error, const HeaderList &extra = {});
    void sendNotJson(Call &call, int status);
    void sendJsonAnswer(Call &call, const QByteArray &body, qint64 doneMs, qint64 stallBefore,
                        qint64 stallAfter, Cut cut);
    void sendStream(Call &call, const SimRequest &request, const Completion &completion,
                    const TokenUsage &usage, const CacheOutcome &cacheOutcome,
                    const LatencyPlan &plan, qint64 stallBefore, qint64 stallAfter, Cut cut);
};

std::optional<ErrorReply> SimulatorPrivate::checkHeaders(const HttpRequest &request,
                                                         ApiVersion &version) const
{
    const QByteArray authorization = request.header("authorization");
    const bool bearer =
        authorization.toLower().startsWith("bearer ") && !authorization.mid(7).trimmed().isEmpty();
    if (request.header("x-api-key").trimmed().isEmpty() && !bearer) {
        return ErrorReply{401, u"authentication_error"_s,
                          u"No API key was sent: put it in the x-api-key header or in "
                          "Authorization: Bearer."_s};
    }
    const QByteArray versionHeader = request.header("anthropic-version");
    if (versionHeader.isEmpty())
        return invalid(u"anthropic-version: header is required"_s);
    if (versionHeader == "2023-06-01")
        version = ApiVersion::V20230601;
    else if (versionHeader == "2026-10-21")
        version = ApiVersion::V20261021;
    else
        return invalid(u"anthropic-version: \"%1\" is not a supported version; use 2023-06-01 "
                       "or 2026-10-21"_s.arg(QString::fromLatin1(versionHeader)));
    return std::nullopt;
}

QByteArray SimulatorPrivate::head(const Call &call, int status, QByteArrayView contentType,
                                  std::optional<qsizetype> contentLength,
                                  const HeaderList &extra) const
{
    const QDateTime now = clock().toUTC();
    QByteArray head =
        "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    auto add = [&head](QByteArrayView name, QByteArrayView value) {
        head += name.toByteArray() + ": " + value.toByteArray() + "\r\n";
    };
    add("date", QLocale::c().toString(now, u"ddd, dd MMM yyyy hh:mm:ss 'GMT'"_s).toLatin1());
    add("content-type", contentType);
    if (contentLength)
        add("content-length", QByteArray::number(*contentLength));
    else
        add("transfer-encoding", "chunked");
    add("connection", call.keepAlive ? "keep-alive" : "close");
    add("request-id", call.exchange.requestId.toLatin1());
    add("anthropic-organization-id", organizationId);
    const bool haiku = isHaiku(call.exchange.model);
    const MinuteLimits limits = MinuteLimits::forTier(rateLimitTier, haiku);
    const HeaderList rateHeaders = (haiku ? haikuBucket : pooledBucket).headers(limits, now);
    for (const auto &[name, value] : rateHeaders)
        add(name, value);
    for (const auto &[name, value] : extra)
        add(name, value);
    return head + "\r\n";
}

ResponseScript *SimulatorPrivate::script(Call &call)
{
    auto *script = new ResponseScript(call.connection, call.arrival, call.keepAlive, q);
    QObject::connect(script, &ResponseScript::finished, q,
                     [this, exchange = call.exchange](bool delivered, qint64 elapsedMs) mutable {
                         exchange.delivered = delivered && exchange.delivered;
                         exchange.latencyMs = elapsedMs;
                         qCDebug(lcSim)
                             << "answered" << exchange.requestId << exchange.status << exchange.path
                             << exchange.model << elapsedMs << "ms" << exchange.fault;
                         Q_EMIT q->responseFinished(exchange);
                     });
    return script;
}

void SimulatorPrivate::sendJson(Call &call, int status, const QJsonObject &body,
                                const HeaderList &extra)
{
    call.exchange.status = status;
    const QByteArray bytes = compact(body);
    ResponseScript *reply = script(call);
    reply->add(0, ResponseScript::Action::Write,
               head(call, status, "application/json", bytes.size(), extra) + bytes);
    reply->add(0, ResponseScript::Action::Finish);
    reply->start();
}

void SimulatorPrivate::sendError(Call &call, const ErrorReply &error, const HeaderList &extra)
{
    call.exchange.errorType = error.type;
    sendJson(call, error.status, errorEnvelope(error, call.exchange.requestId), extra);
}

void SimulatorPrivate::sendNotJson(Call &call, int status)
{
    // What a proxy in front of the API might send: a page of its own, labelled as JSON.
    static constexpr QByteArrayView page =
        "<html><head><title>Upstream unavailable</title></head>\n"
        "<body><h1>The upstream server did not answer in time.</h1></body></html>\n";
    call.exchange.status = status;
    ResponseScript *reply = script(call);
    reply->add(0, ResponseScript::Action::Write,
               head(call, status, "application/json", page.size()) + page.toByteArray());
    reply->add(0, ResponseScript::Action::Finish);
    reply->start();
}

void SimulatorPrivate::handle(HttpConnection *connection, const HttpRequest &request)
{
    Call call;
    call.connection = connection;
    call.arrival.start();
    call.keepAlive = request.keepAlive;
    call.index = ++counter;
    call.randomSeed = mix(seed ^ mix(call.index));
    call.exchange.requestId =
        QString::fromLatin1(seededId("req_011C", seed, "req", call.index, 20));
    call.exchange.method = QString::fromLatin1(request.method);
    call.exchange.path = QString::fromLatin1(request.path());
    Q_EMIT q->requestReceived(call.exchange.requestId, call.exchange.method, call.exchange.path);

    if (request.errorStatus != 0) {
        const QString type =
            request.errorStatus == 413 ? u"request_too_large"_s : u"invalid_request_error"_s;
        sendError(call,
                  ErrorReply{request.errorStatus, type, QString::fromLatin1(request.errorMessage)});
        return;
    }
    ApiVersion version = ApiVersion::V20230601;
    if (auto error = checkHeaders(request, version)) {
        sendError(call, *error);
        return;
    }

    const QByteArray path = request.path();
    const bool post = request.method == "POST";
    const bool get = request.method == "GET";
    if (path == "/v1/messages" && post)
        answerMessages(call, request, version);
    else if (path == "/v1/messages/count_tokens" && post)
        answerCountTokens(call, request, version);
    else if ((path == "/v1/models" || path.startsWith("/v1/models/")) && get)
        answerModels(call, request);
    else if (path == "/v1/messages" || path == "/v1/messages/count_tokens" || path == "/v1/models")
        sendError(call, ErrorReply{405, u"invalid_request_error"_s,
                                   u"Method %1 is not allowed on %2"_s.arg(call.exchange.method,
                                                                           call.exchange.path)});
    else
        sendError(call, ErrorReply{404, u"not_found_error"_s,
                                   u"No such endpoint: %1"_s.arg(call.exchange.path)});
}

bool SimulatorPrivate::parseOrRefuse(Call &call, const HttpRequest &request, ApiVersion version,
                                     bool countTokens, SimRequest &parsed)
{
    const std::optional<ErrorReply> error =
        SimRequest::parse(request.body, version, countTokens, SimModelCatalogue::builtIn(), parsed);
    if (error) {
        sendError(call, *error);
        return false;
    }
    call.exchange.model = parsed.model->id;
    return true;
}

void SimulatorPrivate::answerCountTokens(Call &call, const HttpRequest &request, ApiVersion version)
{
    SimRequest parsed;
    if (!parseOrRefuse(call, request, version, true, parsed))
        return;
    call.exchange.usage.inputTokens = parsed.promptTokens();
    sendJson(call, 200, QJsonObject{{"input_tokens"_L1, parsed.promptTokens()}});
}

void SimulatorPrivate::answerModels(Call &call, const HttpRequest &request)
{
    const QList<SimModel> &models = SimModelCatalogue::builtIn().models();
    const QByteArray path = request.path();
    if (path.startsWith("/v1/models/")) {
        const QString id = QString::fromUtf8(path.mid(int(qstrlen("/v1/models/"))));
        if (const SimModel *model = SimModelCatalogue::builtIn().find(id))
            sendJson(call, 200, modelJson(*model));
        else
            sendError(call, ErrorReply{404, u"not_found_error"_s, u"model: %1"_s.arg(id)});
        return;
    }

    const QUrlQuery query(QString::fromLatin1(request.target.mid(request.target.indexOf('?') + 1)));
    const qsizetype limit =
        query.hasQueryItem(u"limit"_s) ? query.queryItemValue(u"limit"_s).toInt() : 20;
    if (limit < 1 || limit > 1000) {
        sendError(call, invalid(u"limit: Input should be between 1 and 1000"_s));
        return;
    }
    qsizetype first = 0;
    const QString afterId = query.queryItemValue(u"after_id"_s);
    for (qsizetype i = 0; i < models.size() && !afterId.isEmpty(); ++i) {
        if (models.at(i).id == afterId)
            first = i + 1;
    }
    QJsonArray data;
    for (qsizetype i = first; i < models.size() && data.size() < limit; ++i)
        data.append(modelJson(models.at(i)));
    const bool hasMore = first + data.size() < models.size();
    const QJsonValue firstId = data.isEmpty() ? QJsonValue() : data.first()["id"_L1];
    const QJsonValue lastId = data.isEmpty() ? QJsonValue() : data.last()["id"_L1];
    sendJson(call, 200,
             QJsonObject{{"data"_L1, data},
                         {"has_more"_L1, hasMore},
                         {"first_id"_L1, firstId},
                         {"last_id"_L1, lastId}});
}

void SimulatorPrivate::answerMessages(Call &call, const HttpRequest &request, ApiVersion version)
{
    SimRequest parsed;
    if (!parseOrRefuse(call, request, version, false, parsed))
        return;
    call.exchange.stream = parsed.stream;

    // Every draw happens on every request, so one fault's setting never shifts another's dice.
    QRandomGenerator64 random(call.randomSeed);
    const double errorDraw = random.generateDouble();
    const double stallDraw = random.generateDouble();
    const double midStreamDraw = random.generateDouble();
    const double resetDraw = random.generateDouble();
    const double truncateDraw = random.generateDouble();
    const quint64 latencySeed = random.generate();
    const double notJsonDraw = random.generateDouble(); // last, so earlier draws keep their dice

    std::optional<ErrorReply> injected;
    if (failuresLeft > 0) {
        --failuresLeft;
        injected = injectedError(faults.failStatus);
        call.exchange.fault = u"fail-first"_s;
    } else if (errorDraw < faults.errorRate) {
        injected = injectedError(faults.errorStatus);
        call.exchange.fault = u"error-rate"_s;
    }
    if (injected) {
        HeaderList extra;
        if (faults.retryAfterSeconds > 0 && faults.retryAfterAsDate) {
            // The HTTP-date form (RFC 9110 IMF-fixdate), whole seconds as the format allows.
            const QDateTime until =
                clock().toUTC().addSecs(qint64(std::ceil(faults.retryAfterSeconds)));
            const QString date = QLocale::c().toString(until, u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s);
            extra.append({"retry-after", date.toLatin1()});
        } else if (faults.retryAfterSeconds > 0) {
            extra.append({"retry-after", QByteArray::number(faults.retryAfterSeconds)});
            if (faults.retryAfterMs)
                extra.append({"retry-after-ms",
                              QByteArray::number(qint64(faults.retryAfterSeconds * 1000))});
        }
        sendError(call, *injected, extra);
        return;
    }
    if (notJsonDraw < faults.notJsonRate) {
        call.exchange.fault = u"not-json"_s;
        sendNotJson(call, faults.notJsonStatus);
        return;
    }

    const CacheOutcome cacheOutcome =
        cache.apply(parsed.model->id, parsed.prompt, parsed.model->minCacheableTokens);
    const Completion completion = complete(parsed);
    TokenUsage usage;
    usage.cacheReadInputTokens = cacheOutcome.readTokens;
    usage.cacheCreationInputTokens = cacheOutcome.writtenTokens();
    usage.cacheCreation1hInputTokens = cacheOutcome.written1hTokens;
    usage.inputTokens =
        parsed.promptTokens() - cacheOutcome.readTokens - cacheOutcome.writtenTokens();
    usage.outputTokens = completion.outputTokens;
    call.exchange.usage = usage;
    (isHaiku(parsed.model->id) ? haikuBucket : pooledBucket)
        .record(clock(), usage.inputTokens + usage.cacheCreationInputTokens, usage.outputTokens);

    const LatencyPlan plan = LatencyModel::plan(*parsed.model, latencySeed, latencyScale);
    qint64 stallBefore = 0;
    qint64 stallAfter = 0;
    if (stallDraw < faults.stallRate) {
        (faults.stallAt == SimFaults::StallPoint::BeforeHeaders ? stallBefore : stallAfter) =
            faults.stallMs;
    }
    Cut cut = Cut::None;
    if (resetDraw < faults.resetRate)
        cut = Cut::Reset;
    else if (truncateDraw < faults.truncateRate)
        cut = Cut::Truncate;
    else if (parsed.stream && midStreamDraw < faults.midStreamErrorRate)
        cut = Cut::MidStreamError;
    const bool stalled = stallBefore + stallAfter > 0;
    call.exchange.fault = cut != Cut::None ? cutName(cut) : stalled ? u"stall"_s : QString();
    call.exchange.status = 200;
    call.exchange.delivered = cut != Cut::Reset && cut != Cut::Truncate;

    if (parsed.stream) {
        sendStream(call, parsed, completion, usage, cacheOutcome, plan, stallBefore, stallAfter,
                   cut);
        return;
    }
    QJsonArray content;
    if (!completion.text.isEmpty())
        content.append(QJsonObject{{"type"_L1, "text"_L1}, {"text"_L1, completion.text}});
    const QJsonObject body{
        {"id"_L1, QString::fromLatin1(seededId("msg_01", seed, "msg", call.index, 22))},
        {"type"_L1, "message"_L1},
        {"role"_L1, "assistant"_L1},
        {"model"_L1, parsed.model->id},
        {"content"_L1, content},
        {"stop_reason"_L1, completion.stopReason},
        {"stop_sequence"_L1,
         completion.stopSequence.isEmpty() ? QJsonValue() : completion.stopSequence},
        {"stop_details"_L1, QJsonValue()},
        {"container"_L1, QJsonValue()},
        {"usage"_L1, usageJson(usage, cacheOutcome, true)}};
    sendJsonAnswer(call, compact(body), plan.totalMs(completion.outputTokens), stallBefore,
                   stallAfter, cut);
}

void SimulatorPrivate::sendJsonAnswer(Call &call, const QByteArray &body, qint64 doneMs,
                                      qint64 stallBefore, qint64 stallAfter, Cut cut)
{
    using Action = ResponseScript::Action;
    ResponseScript *reply = script(call);
    const QByteArray headers = head(call, 200, "application/json", body.size());
    const qint64 done = stallBefore + stallAfter + doneMs;
    if (stallAfter > 0)
        reply->add(stallBefore, Action::Write, headers);
    const QByteArray start = stallAfter > 0 ? QByteArray() : headers;
    if (cut == Cut::Reset || cut == Cut::Truncate) {
        reply->add(done, Action::Write, start + body.left(body.size() / 2));
        reply->add(done + resetGraceMs, cut == Cut::Reset ? Action::Reset : Action::Close);
    } else {
        reply->add(done, Action::Write, start + body);
        reply->add(done, Action::Finish);
    }
    reply->start();
}

void SimulatorPrivate::sendStream(Call &call, const SimRequest &request,
                                  const Completion &completion, const TokenUsage &usage,
                                  const CacheOutcome &cacheOutcome, const LatencyPlan &plan,
                                  qint64 stallBefore, qint64 stallAfter, Cut cut)
{
    using Action = ResponseScript::Action;
    ResponseScript *reply = script(call);
    auto send = [reply](qint64 at, QByteArrayView name, const QJsonObject &data) {
        reply->add(at, Action::Write, chunk(sseEvent(name, compact(data))));
    };
    reply->add(stallBefore, Action::Write,
               head(call, 200, "text/event-stream", std::nullopt, {{"cache-control", "no-cache"}}));
    const qint64 t0 = stallBefore + stallAfter;

    TokenUsage startUsage = usage;
    startUsage.outputTokens = std::min<qint64>(1, usage.outputTokens);
    const QJsonObject message{
        {"id"_L1, QString::fromLatin1(seededId("msg_01", seed, "msg", call.index, 22))},
        {"type"_L1, "message"_L1},
        {"role"_L1, "assistant"_L1},
        {"model"_L1, request.model->id},
        {"content"_L1, QJsonArray()},
        {"stop_reason"_L1, QJsonValue()},
        {"stop_sequence"_L1, QJsonValue()},
        {"usage"_L1, usageJson(startUsage, cacheOutcome, true)}};
    send(t0, "message_start", {{"type"_L1, "message_start"_L1}, {"message"_L1, message}});

    const bool hasBlock = !completion.text.isEmpty();
    if (hasBlock) {
        send(t0, "content_block_start",
             {{"type"_L1, "content_block_start"_L1},
              {"index"_L1, 0},
              {"content_block"_L1, QJsonObject{{"type"_L1, "text"_L1}, {"text"_L1, ""_L1}}}});
    }
    // The API writes its ping with a space after the colon; keep the bytes.
    reply->add(t0, Action::Write, chunk(sseEvent("ping", R"({"type": "ping"})")));

    const QStringList pieces = deltaPieces(completion.text);
    // Each piece is due when the tokens before it have been generated.
    qsizetype charsSoFar = 0;
    qint64 at = t0;
    for (qsizetype i = 0; i < pieces.size(); ++i) {
        at =
            t0 + plan.totalMs(TokenEstimate::ofText(QStringView(completion.text).left(charsSoFar)));
        if (cut == Cut::Reset && i == pieces.size() / 2) {
            reply->add(at + resetGraceMs, Action::Reset);
            reply->start();
            return;
        }
        if (cut == Cut::MidStreamError && i == faults.midStreamErrorAfterDeltas)
            break;
        send(at, "content_block_delta",
             {{"type"_L1, "content_block_delta"_L1},
              {"index"_L1, 0},
              {"delta"_L1, QJsonObject{{"type"_L1, "text_delta"_L1}, {"text"_L1, pieces.at(i)}}}});
        charsSoFar += pieces.at(i).size();
    }
    if (cut == Cut::Reset) { // an answer too short to be cut halfway
        reply->add(at + resetGraceMs, Action::Reset);
        reply->start();
        return;
    }
    if (cut == Cut::MidStreamError) {
        const ErrorReply overloaded = injectedError(529);
        call.exchange.errorType = overloaded.type;
        send(at, "error", errorEnvelope(overloaded, QString()));
        reply->add(at, Action::Write, lastChunk.toByteArray());
        reply->add(at, Action::Finish);
        reply->start();
        return;
    }

    const qint64 done = t0 + plan.totalMs(usage.outputTokens);
    if (hasBlock)
        send(done, "content_block_stop", {{"type"_L1, "content_block_stop"_L1}, {"index"_L1, 0}});
    if (cut == Cut::Truncate) {
        reply->add(done + resetGraceMs, Action::Close);
        reply->start();
        return;
    }
    send(done, "message_delta",
         {{"type"_L1, "message_delta"_L1},
          {"delta"_L1, QJsonObject{{"stop_reason"_L1, completion.stopReason},
                                   {"stop_sequence"_L1, completion.stopSequence.isEmpty()
                                                            ? QJsonValue()
                                                            : completion.stopSequence}}},
          {"usage"_L1, usageJson(usage, cacheOutcome, false)}});
    send(done, "message_stop", {{"type"_L1, "message_stop"_L1}});
    reply->add(done, Action::Write, lastChunk.toByteArray());
    reply->add(done, Action::Finish);
    reply->start();
}

Simulator::Simulator(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<SimulatorPrivate>(this))
{
    connect(&d->server, &HttpServer::requestReady, this,
            [this](HttpConnection *connection, const HttpRequest &request) {
                d->handle(connection, request);
            });
}

Simulator::~Simulator() = default;

Expected<void> Simulator::start(quint16 port)
{
    Expected<void> listening = d->server.listen(port);
    if (listening)
        qCDebug(lcSim) << "listening on" << baseUrl();
    return listening;
}

void Simulator::stop()
{
    d->server.close();
}

bool Simulator::isRunning() const
{
    return d->server.isListening();
}

quint16 Simulator::port() const
{
    return d->server.port();
}

QUrl Simulator::baseUrl() const
{
    return QUrl(u"http://127.0.0.1:%1"_s.arg(port()));
}

void Simulator::setSeed(quint64 seed)
{
    d->seed = seed;
    d->counter = 0;
}

quint64 Simulator::seed() const
{
    return d->seed;
}

void Simulator::setLatencyScale(double scale)
{
    d->latencyScale = std::max(0.0, scale);
}

double Simulator::latencyScale() const
{
    return d->latencyScale;
}

void Simulator::setRateLimitTier(int tier)
{
    d->rateLimitTier = tier;
}

void Simulator::setCacheTtlScale(double scale)
{
    d->cache.setTtlScale(scale);
}

void Simulator::setCacheTtlOverride(std::optional<int> seconds)
{
    d->cache.setTtlOverride(seconds);
}

void Simulator::clearCache()
{
    d->cache.clear();
}

void Simulator::setClock(std::function<QDateTime()> clock)
{
    d->clock = clock;
    d->cache.setClock(std::move(clock));
}

void Simulator::setMaxBodyBytes(qint64 bytes)
{
    d->server.setMaxBodyBytes(bytes);
}

void Simulator::setFaults(const SimFaults &faults)
{
    d->faults = faults;
    d->failuresLeft = faults.failFirst;
}

SimFaults Simulator::faults() const
{
    return d->faults;
}

int Simulator::remainingForcedFailures() const
{
    return d->failuresLeft;
}

const SimModelCatalogue &Simulator::models() const
{
    return SimModelCatalogue::builtIn();
}
