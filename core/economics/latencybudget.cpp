#include "latencybudget.h"

#include "calllog/logstats.h"
#include "economics/inputchecks.h"

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

Expected<LatencyBudget> LatencyBudget::compute(const LatencyInputs &inputs)
{
    const Expected<void> valid = checkInputs({
        {inputs.networkMs, "network time"_L1, InputRange::NonNegative},
        {inputs.queueingMs, "queueing time"_L1, InputRange::NonNegative},
        {inputs.ttftMs, "time to first token"_L1, InputRange::NonNegative},
        {inputs.outputTokensPerSecond, "output tokens per second"_L1, InputRange::Positive},
        {double(inputs.outputTokens), "output tokens"_L1, InputRange::NonNegative},
        {inputs.spreadSigma, "latency spread (sigma)"_L1, InputRange::NonNegative},
    });
    if (!valid)
        return Failure{valid.error()};

    LatencyBudget budget;
    budget.inputs = inputs;
    budget.generationMs = double(inputs.outputTokens) / inputs.outputTokensPerSecond * 1000;
    budget.medianMs = inputs.networkMs + inputs.queueingMs + inputs.ttftMs + budget.generationMs;
    budget.sigma = inputs.spreadSigma;
    budget.p99Ms = budget.medianMs * std::exp(z99 * budget.sigma);
    return budget;
}

Expected<LatencyBudget> LatencyBudget::fitted(const LatencyInputs &inputs,
                                              const MeasuredLatency &measured)
{
    if (measured.calls <= 0 || measured.medianMs <= 0) {
        return fail(u"the log has no calls with a latency above 0 ms to fit the latency spread "
                    "to"_s);
    }

    // A P99 at or below the median (a single call, or identical latencies) means no spread.
    LatencyInputs withSpread = inputs;
    withSpread.spreadSigma = std::max(0.0, std::log(measured.p99Ms / measured.medianMs) / z99);
    Expected<LatencyBudget> budget = compute(withSpread);
    if (budget)
        budget->measured = measured;
    return budget;
}

MeasuredLatency LatencyBudget::measure(const GroupStats &stats)
{
    return MeasuredLatency{stats.records, stats.p50LatencyMs, stats.p99LatencyMs};
}
