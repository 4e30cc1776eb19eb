#pragma once

#include "common/expected.h"

#include <QtGlobal>

#include <optional>

struct GroupStats;

// What one request's latency is made of, in milliseconds unless named otherwise.
struct LatencyInputs
{
    double networkMs = 40;  // round trip between the service and the API
    double queueingMs = 10; // waiting in our own queue or load balancer at peak
    double ttftMs = 350;    // the API's time to first token
    double outputTokensPerSecond = 200;
    qint64 outputTokens = 300;
    // Spread of the latency around its median: latencies are taken as log-normal with this
    // sigma (of the natural log), so every percentile follows from the median.
    double spreadSigma = 0.2;
};

// Latencies measured in a call log, against which the spread can be fitted.
struct MeasuredLatency
{
    qint64 calls = 0;
    double medianMs = 0;
    double p99Ms = 0;
};

// The latency budget of one request: the median as the sum of its parts (network, queueing,
// time to first token, generation at the given speed) and the P99 from a log-normal spread,
// P99 = median x e^(z99 x sigma) with z99 = 2.326, the 99th percentile of a standard normal.
//
// The spread is either given or fitted to a log: sigma = ln(P99 / median) / z99 of the measured
// latencies. compute() and fitted() fail, naming the input, on negative or non-finite times, a
// speed of zero, or a log with no calls.
struct LatencyBudget
{
    static constexpr double z99 = 2.326;

    LatencyInputs inputs;
    double generationMs = 0; // output tokens / tokens per second
    double medianMs = 0;     // network + queueing + TTFT + generation
    double sigma = 0;        // the spread used: given, or fitted
    double p99Ms = 0;
    std::optional<MeasuredLatency> measured; // the log the spread was fitted to

    static Expected<LatencyBudget> compute(const LatencyInputs &inputs);
    static Expected<LatencyBudget> fitted(const LatencyInputs &inputs,
                                          const MeasuredLatency &measured);

    // The measured median and P99 of a log's calls (failed ones included: users waited).
    static MeasuredLatency measure(const GroupStats &stats);
};
