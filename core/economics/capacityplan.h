#pragma once

#include "common/expected.h"
#include "economics/ratelimittable.h"

#include <QList>
#include <QString>

#include <optional>

class PriceBook;

// A share of the requests sent to a cheaper model instead.
struct RoutingShare
{
    double share = 0; // of all requests, 0 to 1
    QString modelId;
};

// A prompt prefix every request starts with, cached with the 5-minute TTL.
struct PrefixCaching
{
    qint64 prefixTokens = 0; // part of each request's input tokens
    double hitRate = 0;      // 0 to 1: hits read the prefix, misses write it
};

// What a deployment has to serve. Tokens are per request, the model ids are priced with the
// PriceBook and classed with the RateLimitTable given to CapacityPlan::compute().
struct CapacityScenario
{
    double requestsPerDay = 0;
    double peakRatio = 10;            // peak requests per second / average requests per second
    qint64 inputTokensPerRequest = 0; // the whole prompt, cached prefix included
    qint64 outputTokensPerRequest = 0;
    QString modelId;
    double daysPerMonth = 30;
    std::optional<RoutingShare> routing;
    std::optional<PrefixCaching> caching;
};

// The cost after one optimisation step, and what that step saved against the one before.
struct CostStep
{
    double daily = 0;         // USD
    double monthly = 0;       // USD, daily x days per month
    double savingDaily = 0;   // USD per day
    double savingPercent = 0; // of the step before; 0 when that cost nothing
};

// The peak traffic of one model class, counted the way its rate limiter counts it.
struct ClassLoad
{
    ModelClass modelClass;
    double share = 0; // of all requests
    double peakRequestsPerMinute = 0;
    double peakInputTokensPerMinute = 0; // uncached input and cache writes (and reads, if counted)
    double peakOutputTokensPerMinute = 0;
};

// The limit nearest to being reached: the highest peak / allowed of any class and measure.
struct BindingLimit
{
    QString tier;
    QString className; // "Haiku 4.5"
    QString measure;   // "RPM", "input TPM" or "output TPM"
    double peak = 0;
    double allowed = 0;

    double usage() const { return allowed > 0 ? peak / allowed : 0; }
};

// Sizes a deployment: traffic at average and peak, tokens per day and per minute, cost before
// and after routing and caching, and the lowest rate-limit tier that carries the peak.
//
// Rate limits apply per model class, so with routing each class's share of the peak is checked
// against that class's limits, and a tier fits only when it fits every class in use.
// compute() fails, naming the input, on impossible numbers or a model that has no price or no
// rate-limit class.
struct CapacityPlan
{
    double averageRps = 0;
    double peakRps = 0;
    double peakRpm = 0;
    double dailyInputTokens = 0;
    double dailyOutputTokens = 0;
    double peakInputTpm = 0; // the whole prompt, before caching
    double peakOutputTpm = 0;

    CostStep baseline;     // every request on the scenario's model, nothing cached
    CostStep afterRouting; // equal to baseline without routing
    CostStep afterCaching; // after routing and caching; equal to afterRouting without caching

    double countedPeakInputTpm = 0; // after caching, as the limiters count it, all classes
    QList<ClassLoad> loads;         // one per class that receives requests

    std::optional<QString> tier; // the lowest tier that fits, or none when no listed tier does
    BindingLimit binding;        // in that tier, or in the highest tier when none fits

    static Expected<CapacityPlan> compute(const CapacityScenario &scenario, const PriceBook &prices,
                                          const RateLimitTable &limits);
};
