#include "capacityplan.h"

#include "economics/inputchecks.h"
#include "pricing/pricebook.h"

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr double secondsPerDay = 86400;
constexpr double perMillion = 1e6;

// The requests one model serves: its share, its prices and its rate-limit class.
struct Route
{
    double share = 0;
    ModelPrice price;
    ModelClass modelClass;
};

Expected<Route> resolveRoute(const QString &modelId, double share, const PriceBook &prices,
                             const RateLimitTable &limits)
{
    const Expected<ModelPrice> price = prices.lookup(modelId);
    if (!price)
        return Failure{price.error()};
    const Expected<ModelClass> modelClass = limits.classOf(modelId);
    if (!modelClass)
        return Failure{modelClass.error()};
    return Route{share, *price, *modelClass};
}

// USD for one request, with or without the scenario's prefix caching.
double requestCost(const CapacityScenario &scenario, const ModelPrice &price, bool cached)
{
    const auto input = double(scenario.inputTokensPerRequest);
    const double output = double(scenario.outputTokensPerRequest) * price.output;
    if (!cached || !scenario.caching)
        return (input * price.input + output) / perMillion;

    // A hit reads the prefix, a miss writes it at the 5-minute price; the rest of the prompt is
    // sent uncached either way.
    const auto prefix = double(scenario.caching->prefixTokens);
    const double hit = scenario.caching->hitRate;
    const double prefixCost =
        prefix * hit * price.cacheRead + prefix * (1 - hit) * price.cacheWrite5m;
    return ((input - prefix) * price.input + prefixCost + output) / perMillion;
}

double dailyCost(const CapacityScenario &scenario, const QList<Route> &routes, bool cached)
{
    double perRequest = 0;
    for (const Route &route : routes)
        perRequest += route.share * requestCost(scenario, route.price, cached);
    return scenario.requestsPerDay * perRequest;
}

CostStep costStep(double daily, double daysPerMonth, double dailyBefore)
{
    CostStep step;
    step.daily = daily;
    step.monthly = daily * daysPerMonth;
    step.savingDaily = dailyBefore - daily;
    step.savingPercent = dailyBefore > 0 ? step.savingDaily / dailyBefore * 100 : 0;
    return step;
}

// Input tokens per request as the limiter counts them. For current models cache reads do not
// count toward the input-token limit, only uncached input and cache writes do; classes marked
// otherwise (Haiku 3.x) count the whole prompt.
double countedInputTokens(const CapacityScenario &scenario, const ModelClass &modelClass)
{
    const auto input = double(scenario.inputTokensPerRequest);
    if (!scenario.caching || modelClass.cacheReadsCountAsInput)
        return input;
    return input - double(scenario.caching->prefixTokens) * scenario.caching->hitRate;
}

// One load per class: two routes to models of one class share that class's limits.
QList<ClassLoad> classLoads(const CapacityScenario &scenario, const QList<Route> &routes,
                            double peakRpm)
{
    QList<ClassLoad> loads;
    for (const Route &route : routes) {
        if (route.share == 0)
            continue;
        auto load = std::find_if(loads.begin(), loads.end(), [&](const ClassLoad &l) {
            return l.modelClass.id == route.modelClass.id;
        });
        if (load == loads.end())
            load = loads.insert(loads.end(), ClassLoad{route.modelClass});
        const double requests = route.share * peakRpm;
        load->share += route.share;
        load->peakRequestsPerMinute += requests;
        load->peakInputTokensPerMinute += requests * countedInputTokens(scenario, route.modelClass);
        load->peakOutputTokensPerMinute += requests * double(scenario.outputTokensPerRequest);
    }
    return loads;
}

// The measure of any load nearest its limit in `tier`.
BindingLimit tightestLimit(const RateLimitTier &tier, const QList<ClassLoad> &loads)
{
    BindingLimit tightest;
    for (const ClassLoad &load : loads) {
        const RateLimits limits = tier.limits.value(load.modelClass.id);
        const QString &name = load.modelClass.name;
        const BindingLimit candidates[] = {
            {tier.name, name, u"RPM"_s, load.peakRequestsPerMinute, limits.requestsPerMinute},
            {tier.name, name, u"input TPM"_s, load.peakInputTokensPerMinute,
             limits.inputTokensPerMinute},
            {tier.name, name, u"output TPM"_s, load.peakOutputTokensPerMinute,
             limits.outputTokensPerMinute},
        };
        for (const BindingLimit &candidate : candidates) {
            if (tightest.measure.isEmpty() || candidate.usage() > tightest.usage())
                tightest = candidate;
        }
    }
    return tightest;
}

Expected<void> checkScenario(const CapacityScenario &scenario)
{
    const auto &routing = scenario.routing;
    const auto &caching = scenario.caching;
    const Expected<void> valid = checkInputs({
        {scenario.requestsPerDay, "requests per day"_L1, InputRange::NonNegative},
        {scenario.peakRatio, "peak ratio"_L1, InputRange::AtLeastOne},
        {double(scenario.inputTokensPerRequest), "input tokens per request"_L1,
         InputRange::NonNegative},
        {double(scenario.outputTokensPerRequest), "output tokens per request"_L1,
         InputRange::NonNegative},
        {scenario.daysPerMonth, "days per month"_L1, InputRange::Positive},
        {routing ? std::optional(routing->share) : std::nullopt, "routed share"_L1,
         InputRange::Fraction},
        {caching ? std::optional(double(caching->prefixTokens)) : std::nullopt,
         "cached prefix tokens"_L1, InputRange::NonNegative},
        {caching ? std::optional(caching->hitRate) : std::nullopt, "cache hit rate"_L1,
         InputRange::Fraction},
    });
    if (!valid)
        return valid;
    if (caching && caching->prefixTokens > scenario.inputTokensPerRequest) {
        return fail(u"cached prefix tokens (%1) must not exceed the input tokens per request "
                    "(%2): the prefix is part of the prompt"_s.arg(caching->prefixTokens)
                        .arg(scenario.inputTokensPerRequest));
    }
    return {};
}

} // namespace

Expected<CapacityPlan> CapacityPlan::compute(const CapacityScenario &scenario,
                                             const PriceBook &prices, const RateLimitTable &limits)
{
    const Expected<void> valid = checkScenario(scenario);
    if (!valid)
        return Failure{valid.error()};

    const double routedShare = scenario.routing ? scenario.routing->share : 0;
    const Expected<Route> main = resolveRoute(scenario.modelId, 1 - routedShare, prices, limits);
    if (!main)
        return Failure{main.error()};
    QList<Route> routes{*main};
    if (scenario.routing) {
        const Expected<Route> routed =
            resolveRoute(scenario.routing->modelId, routedShare, prices, limits);
        if (!routed)
            return Failure{routed.error()};
        routes.append(*routed);
    }

    CapacityPlan plan;
    const double requests = scenario.requestsPerDay;
    plan.averageRps = requests / secondsPerDay;
    plan.peakRps = plan.averageRps * scenario.peakRatio;
    plan.peakRpm = plan.peakRps * 60;
    plan.dailyInputTokens = requests * double(scenario.inputTokensPerRequest);
    plan.dailyOutputTokens = requests * double(scenario.outputTokensPerRequest);
    plan.peakInputTpm = plan.peakRpm * double(scenario.inputTokensPerRequest);
    plan.peakOutputTpm = plan.peakRpm * double(scenario.outputTokensPerRequest);

    const double days = scenario.daysPerMonth;
    const double baseline = requests * requestCost(scenario, main->price, false);
    const double routed = dailyCost(scenario, routes, false);
    plan.baseline = costStep(baseline, days, baseline);
    plan.afterRouting = costStep(routed, days, baseline);
    plan.afterCaching = costStep(dailyCost(scenario, routes, true), days, routed);

    plan.loads = classLoads(scenario, routes, plan.peakRpm);
    for (const ClassLoad &load : std::as_const(plan.loads))
        plan.countedPeakInputTpm += load.peakInputTokensPerMinute;

    for (const RateLimitTier &tier : limits.tiers()) {
        plan.binding = tightestLimit(tier, plan.loads);
        if (plan.binding.usage() <= 1) {
            plan.tier = tier.name;
            break;
        }
    }
    return plan;
}
