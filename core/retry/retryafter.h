#pragma once

#include <QByteArrayView>
#include <QDateTime>

#include <optional>

// Reads the server's "try again in" hint, in milliseconds, from the values of the
// `retry-after-ms` and `retry-after` response headers (empty when absent).
//
// Tried in this order: `retry-after-ms` (milliseconds, possibly fractional), then
// `retry-after` as seconds (possibly fractional), then `retry-after` as an HTTP-date
// (RFC 7231 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT") measured from `now`. A value that
// lies in the past or is negative gives 0; a value that is absent or unreadable gives no hint
// and the next form is tried. No cap is applied here: RetryPolicy caps the hint.
namespace RetryAfter {

std::optional<qint64> fromHeaderValues(QByteArrayView retryAfterMs, QByteArrayView retryAfter,
                                       const QDateTime &now);

std::optional<qint64> fromMilliseconds(QByteArrayView value);
std::optional<qint64> fromSeconds(QByteArrayView value);
std::optional<qint64> fromHttpDate(QByteArrayView value, const QDateTime &now);

} // namespace RetryAfter
