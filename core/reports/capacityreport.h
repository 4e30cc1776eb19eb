#pragma once

#include "common/expected.h"
#include "economics/capacityplan.h"
#include "economics/latencybudget.h"
#include "pricing/pricebook.h"
#include "retry/retrypolicy.h"

#include <QString>

#include <optional>

// The design document for serving a day's requests under a P99 target at the lowest cost: the
// capacity math, routing and caching with their savings, infrastructure reasoned from the
// latency budget, observability, the rate-limit plan and a checklist ticked from the numbers.
//
// Every figure comes from the CapacityPlan and LatencyBudget it holds, and nothing depends on
// the clock, so equal inputs give byte-identical markdown. build() fails, naming the input, when
// the plan or the budget cannot be computed.
struct CapacityReport
{
    CapacityScenario scenario;
    CapacityPlan plan;
    LatencyBudget latency;
    ModelPrice modelPrice;
    std::optional<ModelPrice> routedPrice; // with routing only
    double p99TargetMs = 2000;
    // Assumed extra latency of a request that lands on a cold serverless instance.
    double coldStartMs = 1000;
    // A call costing more than this many times its feature's rolling median is an anomaly.
    double anomalyFactor = 3;
    RetryPolicy retry; // the backoff the rate-limit section describes

    // The budget's output tokens are taken from the scenario.
    static Expected<CapacityReport> build(const CapacityScenario &scenario, const PriceBook &prices,
                                          const RateLimitTable &limits,
                                          const LatencyInputs &latency,
                                          std::optional<MeasuredLatency> measured,
                                          double p99TargetMs);

    bool meetsTarget() const { return latency.p99Ms < p99TargetMs; }
    // Whether a cold start on top of the P99 still fits the target.
    bool serverlessFits() const { return latency.p99Ms + coldStartMs < p99TargetMs; }
    // Requests in flight at peak by Little's law: arrival rate x time in the system.
    double peakConcurrency() const { return plan.peakRps * latency.medianMs / 1000; }

    QString markdown() const;
};
