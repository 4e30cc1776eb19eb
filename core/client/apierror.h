#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QString>

#include <optional>

// Response headers as the network layer hands them over (QNetworkReply::rawHeaderPairs()).
// Names are compared without regard to case.
using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

// What a failed call to the API reports: how it failed, what the API said about it, and when
// the server asked to be tried again. Plain data, so it crosses signals and threads by value.
// RetryPolicy reads it to decide whether to try again; a retry loop hands the last one back
// unchanged when it gives up.
struct ApiError
{
    enum class Kind {
        Http,          // the server answered with an error status
        Stream,        // an `event: error` arrived inside a 200 event stream
        Connection,    // refused, reset, host not found, TLS failure
        Timeout,       // no answer within the time allowed
        Cancelled,     // the caller gave up
        Protocol,      // the answer is not something the API sends
        Configuration, // refused before sending: an unsafe URL, a request the API would reject
    };

    Kind kind = Kind::Http;
    int httpStatus = 0; // 0 when no status arrived
    QString type;       // the API's error type, e.g. "rate_limit_error"
    QString message;    // the API's message, or ours when the API sent none
    QString requestId;  // the `request-id` header, for support requests
    QString errorCode;  // `error.details.error_code`, e.g. "enforced_spend_limit_reached"
    std::optional<qint64> retryAfterMs; // the server's own wait hint, before any cap

    // One line for a person: kind, status, type, message and request id where known.
    QString describe() const;

    // Builds the error for a non-2xx response. Reads the API's envelope
    // {"type":"error","error":{"type":...,"message":...,"details":{"error_code":...}},
    //  "request_id":...}; a body that is not that envelope (an HTML page from a proxy, an empty
    // 502) still gives a usable error, typed from the status. `now` is the time the response
    // arrived, against which an HTTP-date `retry-after` is measured.
    static ApiError fromHttpResponse(int status, const QByteArray &body, const HttpHeaders &headers,
                                     const QDateTime &now);

    // Builds the error for the JSON of an `event: error` inside a 200 stream.
    static ApiError fromStreamEvent(const QByteArray &data, const QString &requestId);

    // An error that did not come from the API (connection, timeout, cancel, protocol).
    static ApiError local(Kind kind, const QString &message);

    // The type the API uses for a status, for bodies that do not say it themselves.
    static QString typeForStatus(int status);

    static QString kindName(Kind kind);

    friend bool operator==(const ApiError &, const ApiError &) = default;
};

Q_DECLARE_METATYPE(ApiError)
