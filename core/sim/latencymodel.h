#pragma once

#include <QtGlobal>

struct SimModel;

// When each part of a simulated answer is due, in milliseconds from the request's arrival.
struct LatencyPlan
{
    qint64 firstTokenMs = 0;
    double msPerToken = 0;

    qint64 totalMs(qint64 outputTokens) const
    {
        return firstTokenMs + qint64(msPerToken * double(outputTokens));
    }
};

// The latency of a simulated call: the model's median time to first token and output speed,
// each spread by a seeded log-normal factor (sigma 0.25), and one call in a hundred hit by a
// heavy tail that makes its first token 3 to 8 times later. The same seed gives the same plan.
// `scale` multiplies everything; 0 makes answers instant (for tests).
class LatencyModel
{
public:
    static LatencyPlan plan(const SimModel &model, quint64 seed, double scale);
};
