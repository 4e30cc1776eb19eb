#include "ratelimitbucket.h"

#include <algorithm>

namespace {

constexpr qint64 windowMs = 60 * 1000;

// Token remaining counts are published rounded to the nearest thousand.
qint64 roundedToThousand(qint64 tokens)
{
    return (tokens + 500) / 1000 * 1000;
}

} // namespace

MinuteLimits MinuteLimits::forTier(int tier, bool haiku)
{
    static constexpr MinuteLimits pooled[] = {{50, 30'000, 8'000},
                                              {1'000, 450'000, 90'000},
                                              {2'000, 800'000, 160'000},
                                              {4'000, 2'000'000, 400'000}};
    static constexpr MinuteLimits haikuTiers[] = {{50, 50'000, 10'000},
                                                  {1'000, 450'000, 90'000},
                                                  {2'000, 1'000'000, 200'000},
                                                  {4'000, 4'000'000, 800'000}};
    const int index = std::clamp(tier, 1, 4) - 1;
    return haiku ? haikuTiers[index] : pooled[index];
}

void RateLimitBucket::record(const QDateTime &now, qint64 inputTokens, qint64 outputTokens)
{
    if (!m_windowStart.isValid() || m_windowStart.msecsTo(now) >= windowMs) {
        m_windowStart = now;
        m_requests = 0;
        m_inputTokens = 0;
        m_outputTokens = 0;
    }
    ++m_requests;
    m_inputTokens += inputTokens;
    m_outputTokens += outputTokens;
}

QList<QPair<QByteArray, QByteArray>> RateLimitBucket::headers(const MinuteLimits &limits,
                                                              const QDateTime &now) const
{
    const bool open = m_windowStart.isValid() && m_windowStart.msecsTo(now) < windowMs;
    const QByteArray reset = (open ? m_windowStart.addMSecs(windowMs) : now.addMSecs(windowMs))
                                 .toUTC()
                                 .toString(Qt::ISODate)
                                 .toLatin1();
    const qint64 requestsLeft =
        std::max<qint64>(0, limits.requestsPerMinute - (open ? m_requests : 0));
    const qint64 inputLeft =
        std::max<qint64>(0, limits.inputTokensPerMinute - (open ? m_inputTokens : 0));
    const qint64 outputLeft =
        std::max<qint64>(0, limits.outputTokensPerMinute - (open ? m_outputTokens : 0));

    // The tokens-* set mirrors whichever of input or output has the smaller share left.
    const bool inputTighter = double(inputLeft) / double(limits.inputTokensPerMinute)
                              <= double(outputLeft) / double(limits.outputTokensPerMinute);
    const qint64 tokensLimit =
        inputTighter ? limits.inputTokensPerMinute : limits.outputTokensPerMinute;
    const qint64 tokensLeft = inputTighter ? inputLeft : outputLeft;

    auto number = [](qint64 value) { return QByteArray::number(value); };
    return {
        {"anthropic-ratelimit-requests-limit", number(limits.requestsPerMinute)},
        {"anthropic-ratelimit-requests-remaining", number(requestsLeft)},
        {"anthropic-ratelimit-requests-reset", reset},
        {"anthropic-ratelimit-tokens-limit", number(tokensLimit)},
        {"anthropic-ratelimit-tokens-remaining", number(roundedToThousand(tokensLeft))},
        {"anthropic-ratelimit-tokens-reset", reset},
        {"anthropic-ratelimit-input-tokens-limit", number(limits.inputTokensPerMinute)},
        {"anthropic-ratelimit-input-tokens-remaining", number(roundedToThousand(inputLeft))},
        {"anthropic-ratelimit-input-tokens-reset", reset},
        {"anthropic-ratelimit-output-tokens-limit", number(limits.outputTokensPerMinute)},
        {"anthropic-ratelimit-output-tokens-remaining", number(roundedToThousand(outputLeft))},
        {"anthropic-ratelimit-output-tokens-reset", reset},
    };
}
