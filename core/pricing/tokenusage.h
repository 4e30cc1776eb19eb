#pragma once

#include <QtGlobal>

// The token counts of one call, as the Messages API reports them in `usage`. inputTokens is the
// uncached part only: the whole prompt is inputTokens + cacheReadInputTokens +
// cacheCreationInputTokens, and nothing is counted twice.
struct TokenUsage
{
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    qint64 cacheReadInputTokens = 0;
    // Every token written to the cache, whatever its TTL.
    qint64 cacheCreationInputTokens = 0;
    // The part of cacheCreationInputTokens written with a one-hour TTL (priced higher); the rest
    // was written with the default five minutes.
    qint64 cacheCreation1hInputTokens = 0;

    qint64 totalInputTokens() const
    {
        return inputTokens + cacheReadInputTokens + cacheCreationInputTokens;
    }
};
