#pragma once

#include <QtGlobal>

#include <functional>

struct ApiError;

// When to try a failed call again, and how long to wait first.
//
// The wait before retry number n (n = 0 before the first retry) is
// min(maxDelay, baseDelay * 2^n) plus a random jitter in [0, 10%) of that; when the server
// sent a retry hint, the hint (capped at maxDelay) is used instead. Only failures that can
// clear by themselves are retried. A RetryPolicy is a value; it holds no state between calls
// apart from its random source.
class RetryPolicy
{
public:
    // Returns a number in [0, 1); values outside are clamped into it.
    using RandomSource = std::function<double()>;

    RetryPolicy();

    // How many attempts in all, the first one included. At least 1.
    int maxAttempts() const { return m_maxAttempts; }
    void setMaxAttempts(int attempts);

    qint64 baseDelayMs() const { return m_baseDelayMs; }
    void setBaseDelayMs(qint64 ms);

    qint64 maxDelayMs() const { return m_maxDelayMs; }
    void setMaxDelayMs(qint64 ms);

    // Replaces the default source, a generator seeded once per process by the system.
    void setRandomSource(RandomSource random);

    // The exponential wait with jitter before retry number `retry` (0 before the first).
    qint64 backoffMs(int retry) const;

    // The wait before retry number `retry` after `error`: the server's hint capped at
    // maxDelay if it sent one, the backoff otherwise.
    qint64 delayMs(int retry, const ApiError &error) const;

    // Whether `error` may clear if the same request is sent again. Says nothing about how
    // many attempts are left.
    bool shouldRetry(const ApiError &error) const;

private:
    int m_maxAttempts = 5;
    qint64 m_baseDelayMs = 1000;
    qint64 m_maxDelayMs = 60000;
    RandomSource m_random;
};
