#pragma once

#include "common/expected.h"
#include "economics/calculationstep.h"

#include <QList>
#include <QStringList>

#include <optional>

// How the calls of a day arrive.
enum class ArrivalPattern {
    Uniform, // evenly spaced, one call every interval
    Poisson, // independent random arrivals at the average rate of calls per day
};

// One prompt-caching scenario: the same prompt prefix is sent with every call of a day. Prices
// are USD per million tokens, times are seconds.
struct CacheScenario
{
    double callsPerDay = 0;
    qint64 cachedPromptTokens = 0; // the prefix that would be cached, per call
    double inputPrice = 0;         // the prefix sent uncached
    double cacheReadPrice = 0;
    std::optional<double> cacheWritePrice; // 1.25 x inputPrice (the 5-minute write) if absent
    double ttlSeconds = 300;
    ArrivalPattern arrivals = ArrivalPattern::Uniform;
    std::optional<double> intervalSeconds; // Uniform only; 86400 / callsPerDay if absent
};

// What caching the prefix costs and saves over one day. Only the prefix is priced: the rest of
// the prompt and the output cost the same with or without caching.
//
// compute() fails, naming the input, on numbers no scenario can have (negative, not finite, a
// TTL or interval of 0). Inputs that are possible but make the answer odd (caching that can
// never pay, calls that do not fit in a day) give a result with plain-word warnings instead.
struct CacheEconomics
{
    double writePrice = 0;         // the write price used, given or defaulted
    double intervalSeconds = 0;    // the spacing used for uniform arrivals; 0 for Poisson
    double costWithoutCaching = 0; // USD per day
    double cacheWritesPerDay = 0;
    double cacheReadsPerDay = 0; // every call that does not write reads
    double writeCost = 0;        // USD per day
    double readCost = 0;         // USD per day
    double costWithCaching = 0;  // USD per day
    double savingPercent = 0;    // negative when caching costs more; 0 when nothing is spent

    // How many reads must follow a write to repay its premium over the input price, and the
    // daily volume from which caching pays. Absent when the prices make caching never pay
    // (reads no cheaper than input) or always pay (writes cheaper than input).
    std::optional<double> breakEvenReadsPerWrite;
    std::optional<double> breakEvenCallsPerDay;

    QStringList warnings;           // inconsistent inputs, in plain words
    QList<CalculationStep> working; // every figure above, step by step

    static Expected<CacheEconomics> compute(const CacheScenario &scenario);
};
