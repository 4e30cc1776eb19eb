#include "retrypolicy.h"

#include "client/apierror.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

RetryPolicy::RetryPolicy()
    : m_random([] { return QRandomGenerator::global()->generateDouble(); })
{}

void RetryPolicy::setMaxAttempts(int attempts)
{
    m_maxAttempts = std::max(1, attempts);
}

void RetryPolicy::setBaseDelayMs(qint64 ms)
{
    m_baseDelayMs = std::max<qint64>(0, ms);
}

void RetryPolicy::setMaxDelayMs(qint64 ms)
{
    m_maxDelayMs = std::max<qint64>(0, ms);
}

void RetryPolicy::setRandomSource(RandomSource random)
{
    m_random = std::move(random);
}

qint64 RetryPolicy::backoffMs(int retry) const
{
    // ldexp keeps a long run of retries from overflowing before the cap applies.
    const double wait =
        std::min(double(m_maxDelayMs), std::ldexp(double(m_baseDelayMs), std::max(0, retry)));

    // Clients that failed together (one overload hits them all at once) would otherwise wait
    // exactly as long as each other and return together, overloading the server again on
    // every round. A small random extra spreads their returns out so the load arrives as a
    // trickle rather than a wave.
    const double unit = std::clamp(m_random(), 0.0, std::nextafter(1.0, 0.0));
    const double jitter = unit * wait * 0.1;

    // Rounding down keeps the jitter strictly below 10% of the wait.
    return qint64(std::floor(wait + jitter));
}

qint64 RetryPolicy::delayMs(int retry, const ApiError &error) const
{
    if (error.retryAfterMs)
        return std::min(*error.retryAfterMs, m_maxDelayMs);
    return backoffMs(retry);
}

bool RetryPolicy::shouldRetry(const ApiError &error) const
{
    switch (error.kind) {
    case ApiError::Kind::Connection:
    case ApiError::Kind::Timeout:
        return true;
    case ApiError::Kind::Cancelled:
    case ApiError::Kind::Protocol:
    case ApiError::Kind::Configuration:
        return false;
    case ApiError::Kind::Stream:
        // The 200 and perhaps part of the answer have already arrived and been billed;
        // sending the request again would start a new, separately charged answer, so the
        // decision belongs to the caller, not to a blind loop.
        return false;
    case ApiError::Kind::Http:
        break;
    }

    // A spend cap resets at the start of next month, so retrying only adds load and delay.
    if (error.errorCode == "enforced_spend_limit_reached"_L1)
        return false;

    const int status = error.httpStatus;
    return status == 408 || status == 409 || status == 429 || (status >= 500 && status < 600);
}
