#include "apierror.h"

#include "retry/retryafter.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray headerValue(const HttpHeaders &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

// Fills type, message and error code from the API's envelope. Returns false when the body is
// not that envelope, leaving the error untouched.
bool readEnvelope(const QByteArray &body, ApiError &error, QString &bodyRequestId)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    const QJsonObject root = document.object();
    if (!root.value("error"_L1).isObject())
        return false;

    const QJsonObject inner = root.value("error"_L1).toObject();
    error.type = inner.value("type"_L1).toString();
    error.message = inner.value("message"_L1).toString();
    error.errorCode = inner.value("details"_L1).toObject().value("error_code"_L1).toString();
    bodyRequestId = root.value("request_id"_L1).toString();
    return true;
}

} // namespace

QString ApiError::describe() const
{
    QString line = kindName(kind);
    if (httpStatus != 0)
        line += u' ' + QString::number(httpStatus);
    if (!type.isEmpty())
        line += u' ' + type;
    if (!errorCode.isEmpty())
        line += u" ("_s + errorCode + u')';
    if (!message.isEmpty())
        line += u": "_s + message.simplified();
    if (!requestId.isEmpty())
        line += u" [request-id "_s + requestId + u']';
    return line;
}

ApiError ApiError::fromHttpResponse(int status, const QByteArray &body, const HttpHeaders &headers,
                                    const QDateTime &now)
{
    ApiError error;
    error.kind = Kind::Http;
    error.httpStatus = status;
    error.retryAfterMs = RetryAfter::fromHeaderValues(headerValue(headers, "retry-after-ms"),
                                                      headerValue(headers, "retry-after"), now);

    QString bodyRequestId;
    if (!readEnvelope(body, error, bodyRequestId)) {
        // Proxies and load balancers answer before the API does (a 413 from the edge, a 502
        // page), so a person needs to know the text is not the API's own.
        const QByteArray contentType = headerValue(headers, "content-type");
        error.message = u"the response body was not the API's JSON error (%1 bytes%2)"_s.arg(
            QString::number(body.size()),
            contentType.isEmpty() ? QString() : u" of "_s + QString::fromLatin1(contentType));
    }
    if (error.type.isEmpty())
        error.type = typeForStatus(status);
    if (error.message.isEmpty())
        error.message = u"the API gave no message"_s;

    const QByteArray headerRequestId = headerValue(headers, "request-id");
    error.requestId =
        headerRequestId.isEmpty() ? bodyRequestId : QString::fromLatin1(headerRequestId);
    return error;
}

ApiError ApiError::fromStreamEvent(const QByteArray &data, const QString &requestId)
{
    ApiError error;
    error.kind = Kind::Stream;
    error.requestId = requestId;

    QString bodyRequestId;
    if (!readEnvelope(data, error, bodyRequestId))
        error.message = u"the stream's error event did not hold the API's JSON error"_s;
    if (error.requestId.isEmpty())
        error.requestId = bodyRequestId;
    return error;
}

ApiError ApiError::local(Kind kind, const QString &message)
{
    ApiError error;
    error.kind = kind;
    error.message = message;
    return error;
}

QString ApiError::typeForStatus(int status)
{
    static constexpr std::pair<int, QLatin1StringView> documented[] = {
        {400, "invalid_request_error"_L1}, {401, "authentication_error"_L1},
        {402, "billing_error"_L1},         {403, "permission_error"_L1},
        {404, "not_found_error"_L1},       {409, "conflict_error"_L1},
        {413, "request_too_large"_L1},     {429, "rate_limit_error"_L1},
        {504, "timeout_error"_L1},         {529, "overloaded_error"_L1},
    };
    for (const auto &[known, type] : documented) {
        if (known == status)
            return type;
    }

    // The API files every other client error under invalid_request_error.
    return status >= 400 && status < 500 ? u"invalid_request_error"_s : u"api_error"_s;
}

QString ApiError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Http:
        return u"HTTP"_s;
    case Kind::Stream:
        return u"stream error"_s;
    case Kind::Connection:
        return u"connection error"_s;
    case Kind::Timeout:
        return u"timeout"_s;
    case Kind::Cancelled:
        return u"cancelled"_s;
    case Kind::Protocol:
        return u"protocol error"_s;
    case Kind::Configuration:
        return u"not sent"_s;
    }
    Q_UNREACHABLE();
    return {};
}
