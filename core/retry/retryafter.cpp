#include "retryafter.h"

#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace {

// A finite, non-negative millisecond count; fractions are rounded up so that a hint of
// 0.4 ms still waits, and a huge value saturates instead of overflowing.
std::optional<qint64> toMilliseconds(double ms)
{
    if (!std::isfinite(ms))
        return std::nullopt;

    constexpr double largest = double(std::numeric_limits<qint64>::max() / 2);
    return qint64(std::ceil(std::clamp(ms, 0.0, largest)));
}

std::optional<double> parseNumber(QByteArrayView value)
{
    const QByteArray text = value.trimmed().toByteArray();
    bool ok = false;
    const double number = text.toDouble(&ok);
    if (!ok || text.isEmpty())
        return std::nullopt;
    return number;
}

} // namespace

namespace RetryAfter {

std::optional<qint64> fromHeaderValues(QByteArrayView retryAfterMs, QByteArrayView retryAfter,
                                       const QDateTime &now)
{
    if (const auto ms = fromMilliseconds(retryAfterMs))
        return ms;
    if (const auto ms = fromSeconds(retryAfter))
        return ms;
    return fromHttpDate(retryAfter, now);
}

std::optional<qint64> fromMilliseconds(QByteArrayView value)
{
    const std::optional<double> number = parseNumber(value);
    return number ? toMilliseconds(*number) : std::nullopt;
}

std::optional<qint64> fromSeconds(QByteArrayView value)
{
    const std::optional<double> number = parseNumber(value);
    return number ? toMilliseconds(*number * 1000.0) : std::nullopt;
}

std::optional<qint64> fromHttpDate(QByteArrayView value, const QDateTime &now)
{
    // "Sun, 06 Nov 1994 08:49:37 GMT": English names and GMT whatever the user's locale. The
    // date and the time are read apart so that a local daylight-saving gap cannot bend them.
    const QList<QByteArray> parts = value.trimmed().toByteArray().split(' ');
    if (parts.size() != 6 || parts[5] != "GMT")
        return std::nullopt;

    const QString dayText = QString::fromLatin1(parts.mid(0, 4).join(' '));
    const QDate day = QLocale::c().toDate(dayText, u"ddd, dd MMM yyyy"_s);
    const QTime time = QTime::fromString(QString::fromLatin1(parts[4]), u"HH:mm:ss"_s);
    if (!day.isValid() || !time.isValid())
        return std::nullopt;

    return toMilliseconds(double(now.msecsTo(QDateTime(day, time, Qt::UTC))));
}

} // namespace RetryAfter
