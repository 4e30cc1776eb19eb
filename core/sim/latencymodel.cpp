#include "latencymodel.h"

#include "simmodelcatalogue.h"

#include <QRandomGenerator64>

#include <cmath>
#include <numbers>

namespace {

constexpr double spreadSigma = 0.25;
constexpr double tailProbability = 0.01;

double standardNormal(QRandomGenerator64 &random)
{
    // Box-Muller; 1 - u keeps the logarithm away from zero.
    const double u1 = 1.0 - random.generateDouble();
    const double u2 = random.generateDouble();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

} // namespace

LatencyPlan LatencyModel::plan(const SimModel &model, quint64 seed, double scale)
{
    QRandomGenerator64 random(seed);
    double firstToken = model.ttftMs * std::exp(spreadSigma * standardNormal(random));
    const double speed = model.tokensPerSecond * std::exp(spreadSigma * standardNormal(random));
    if (random.generateDouble() < tailProbability)
        firstToken *= 3.0 + 5.0 * random.generateDouble();

    LatencyPlan plan;
    plan.firstTokenMs = qint64(firstToken * scale);
    plan.msPerToken = 1000.0 / speed * scale;
    return plan;
}
