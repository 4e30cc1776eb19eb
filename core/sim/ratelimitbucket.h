#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QPair>

// The published per-minute limits of one usage tier (1 to 4) for one model class.
struct MinuteLimits
{
    qint64 requestsPerMinute = 0;
    qint64 inputTokensPerMinute = 0;
    qint64 outputTokensPerMinute = 0;

    // Tier 1..4 (clamped) for Haiku or for the pooled Sonnet/Opus classes.
    static MinuteLimits forTier(int tier, bool haiku);
};

// A fixed one-minute window per model class that counts requests and tokens and renders the
// anthropic-ratelimit-* headers. It only reports; it never refuses a request.
class RateLimitBucket
{
public:
    // Counts one request; input is input + cache creation tokens (cache reads are free).
    void record(const QDateTime &now, qint64 inputTokens, qint64 outputTokens);
    QList<QPair<QByteArray, QByteArray>> headers(const MinuteLimits &limits,
                                                 const QDateTime &now) const;

private:
    QDateTime m_windowStart;
    qint64 m_requests = 0;
    qint64 m_inputTokens = 0;
    qint64 m_outputTokens = 0;
};
