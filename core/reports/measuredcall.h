#pragma once

#include "common/expected.h"
#include "pricing/tokenusage.h"

#include <QDateTime>
#include <QList>
#include <QString>

class PriceBook;
class SimModelCatalogue;

// One call of a log, kept for measuring prompt caching: what it sent under which prompt version,
// when, and what the cache did with it. Unlike LogLine it owns its strings.
struct MeasuredCall
{
    QString model;
    QString feature;
    QString systemPromptHash;
    QDateTime timestamp; // invalid when the log's timestamp was missing or unreadable
    TokenUsage usage;

    bool usedCache() const
    {
        return usage.cacheReadInputTokens > 0 || usage.cacheCreationInputTokens > 0;
    }

    // The calls of the log at `path` in file order, only those of `feature` when it is not
    // empty; failed calls are left out. Fails, naming the path, when the file cannot be read.
    static Expected<QList<MeasuredCall>> readLog(const QString &path, const PriceBook &prices,
                                                 const QString &feature = {});

    // The latest run of consecutive calls that share one prompt version (system_prompt_hash)
    // and used the cache, at most `maxCalls` of them counted from the end: the calls a report
    // measures. Empty when no call used the cache.
    static QList<MeasuredCall> latestCachedRun(const QList<MeasuredCall> &calls, int maxCalls = 50);
};

// Why a call did or did not read its prefix from the cache.
enum class CacheVerdict {
    Read,          // the prefix came from the cache
    FirstCall,     // no earlier call sent this prompt version, so it had to be written
    Expired,       // the last call with this prompt version was longer ago than the TTL
    PrefixChanged, // the call before it sent another prompt version
    BelowMinimum,  // the prompt is shorter than the model's smallest cacheable prefix
    Unexplained,   // written although a call with the same prefix came within the TTL
};

// A sentence for a learner: "first call: nothing to read yet".
QString cacheVerdictText(CacheVerdict verdict);

// The verdict for every call of `calls` (in time order), judged from the calls before it, the
// TTL in seconds and each model's minimum cacheable prefix.
QList<CacheVerdict> explainCacheUse(const QList<MeasuredCall> &calls, double ttlSeconds,
                                    const SimModelCatalogue &models);
