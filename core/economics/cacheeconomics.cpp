#include "cacheeconomics.h"

#include "economics/inputchecks.h"

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr double secondsPerDay = 86400;
constexpr double perMillion = 1e6;
// The API prices a 5-minute cache write at 1.25 times the base input price.
constexpr double defaultWriteMultiplier = 1.25;

// "999 reads x 500 tokens x $0.03 / 1e6"
QString tokenCostFormula(double count, QLatin1StringView what, qint64 tokens, double price)
{
    return u"%1 %2 x %3 tokens x %4 / 1e6"_s.arg(formatCount(count), what)
        .arg(tokens)
        .arg(formatPrice(price));
}

void countUniformWrites(const CacheScenario &scenario, CacheEconomics &result)
{
    const double calls = scenario.callsPerDay;
    if (scenario.intervalSeconds) {
        result.intervalSeconds = *scenario.intervalSeconds;
    } else {
        result.intervalSeconds = calls > 0 ? secondsPerDay / calls : secondsPerDay;
        result.working.append({u"Interval between calls"_s,
                               u"86400 s / %1 calls"_s.arg(formatCount(calls)),
                               u"%1 s"_s.arg(formatCount(result.intervalSeconds))});
    }

    // A call that comes within the TTL of the one before finds the prefix cached and refreshes
    // its TTL, so calls spaced closer than the TTL write once and read ever after.
    const double interval = result.intervalSeconds;
    const double ttl = scenario.ttlSeconds;
    const bool staysWarm = interval <= ttl;
    result.cacheWritesPerDay = staysWarm ? std::min(1.0, calls) : calls;
    const QString formula =
        staysWarm ? u"%1 s apart <= %2 s TTL, so only the first call writes"_s
                  : u"%1 s apart > %2 s TTL, so the cache expires and every call writes"_s;
    result.working.append({u"Cache writes per day"_s,
                           formula.arg(formatCount(interval), formatCount(ttl)),
                           formatCount(result.cacheWritesPerDay)});
}

void countPoissonWrites(const CacheScenario &scenario, CacheEconomics &result)
{
    const double calls = scenario.callsPerDay;
    const double ttl = scenario.ttlSeconds;
    const double rate = calls / secondsPerDay;
    result.working.append({u"Arrival rate"_s, u"%1 calls / 86400 s"_s.arg(formatCount(calls)),
                           u"%1 calls/s"_s.arg(rate, 0, 'g', 6)});

    // Random arrivals leave exponential gaps between calls. A call writes when the gap before it
    // outlasts the TTL, which happens with probability e^(-TTL x rate).
    result.cacheWritesPerDay = calls * std::exp(-ttl * rate);
    result.working.append(
        {u"Cache writes per day"_s,
         u"%1 calls x e^(-%2 s x %3/s)"_s.arg(formatCount(calls), formatCount(ttl))
             .arg(rate, 0, 'g', 6),
         formatCount(result.cacheWritesPerDay)});
}

void priceTheDay(const CacheScenario &scenario, CacheEconomics &result)
{
    const double calls = scenario.callsPerDay;
    const qint64 tokens = scenario.cachedPromptTokens;
    const double writes = result.cacheWritesPerDay;

    result.cacheReadsPerDay = calls - writes;
    result.working.append({u"Cache reads per day"_s,
                           u"%1 calls - %2 writes"_s.arg(formatCount(calls), formatCount(writes)),
                           formatCount(result.cacheReadsPerDay)});

    result.writeCost = writes * double(tokens) * result.writePrice / perMillion;
    result.working.append({u"Daily write cost"_s,
                           tokenCostFormula(writes, "writes"_L1, tokens, result.writePrice),
                           formatUsd(result.writeCost)});

    result.readCost =
        result.cacheReadsPerDay * double(tokens) * scenario.cacheReadPrice / perMillion;
    result.working.append(
        {u"Daily read cost"_s,
         tokenCostFormula(result.cacheReadsPerDay, "reads"_L1, tokens, scenario.cacheReadPrice),
         formatUsd(result.readCost)});

    result.costWithCaching = result.writeCost + result.readCost;
    result.working.append(
        {u"Daily cost with caching"_s,
         u"%1 writes + %2 reads"_s.arg(formatUsd(result.writeCost), formatUsd(result.readCost)),
         formatUsd(result.costWithCaching)});

    const double without = result.costWithoutCaching;
    if (without > 0) {
        result.savingPercent = (without - result.costWithCaching) / without * 100;
        result.working.append(
            {u"Saving"_s,
             u"(%1 - %2) / %1 x 100"_s.arg(formatUsd(without), formatUsd(result.costWithCaching)),
             u"%1%"_s.arg(result.savingPercent, 0, 'f', 3)});
    }
}

void findBreakEven(const CacheScenario &scenario, CacheEconomics &result)
{
    const double input = scenario.inputPrice;
    const double read = scenario.cacheReadPrice;
    const double write = result.writePrice;
    // Reads no cheaper than input never repay a write; writes cheaper than input need no
    // repaying. The warnings say so; a break-even figure would only mislead.
    if (read >= input || write < input)
        return;

    // Each write costs (write - input) more than sending the prefix uncached, and each read
    // saves (input - read).
    const double readsPerWrite = (write - input) / (input - read);
    result.breakEvenReadsPerWrite = readsPerWrite;
    result.working.append(
        {u"Break-even reads per write"_s,
         u"(%1 - %2) / (%2 - %3)"_s.arg(formatPrice(write), formatPrice(input), formatPrice(read)),
         QString::number(readsPerWrite, 'f', 4)});

    const double ttl = scenario.ttlSeconds;
    if (scenario.arrivals == ArrivalPattern::Uniform) {
        // Spread over the day, calls stay within the TTL of each other from 86400 / TTL calls
        // a day; below that every call writes and caching loses. Above it the day's one write
        // still has to be repaid by reads, which only decides for a TTL close to a day.
        const double warmFrom = secondsPerDay / ttl;
        const double repaidFrom = 1 + readsPerWrite;
        result.breakEvenCallsPerDay = std::max(warmFrom, repaidFrom);
        const QString formula = warmFrom >= repaidFrom
                                    ? u"86400 s / %1 s TTL"_s.arg(formatCount(ttl))
                                    : u"1 write + %1 reads"_s.arg(readsPerWrite, 0, 'f', 4);
        result.working.append(
            {u"Break-even calls per day"_s, formula, formatCount(*result.breakEvenCallsPerDay)});
        return;
    }

    // A Poisson call hits with probability 1 - e^(-rate x TTL). Caching pays once the expected
    // cost per call, miss x write + hit x read, falls to the input price, that is once the hit
    // probability reaches (write - input) / (write - read).
    const double hitRate = (write - input) / (write - read);
    result.working.append(
        {u"Hit rate needed to break even"_s,
         u"(%1 - %2) / (%1 - %3)"_s.arg(formatPrice(write), formatPrice(input), formatPrice(read)),
         QString::number(hitRate, 'f', 4)});
    result.breakEvenCallsPerDay = -std::log(1 - hitRate) / ttl * secondsPerDay;
    result.working.append(
        {u"Break-even calls per day"_s,
         u"-ln(1 - %1) / %2 s x 86400 s"_s.arg(hitRate, 0, 'f', 4).arg(formatCount(ttl)),
         formatCount(*result.breakEvenCallsPerDay)});
}

QStringList warningsFor(const CacheScenario &scenario, const CacheEconomics &result)
{
    QStringList warnings;
    if (scenario.callsPerDay == 0)
        warnings.append(u"no calls are made, so there is nothing to cache"_s);
    if (scenario.cachedPromptTokens == 0)
        warnings.append(u"the cached prefix has 0 tokens, so there is nothing to cache"_s);
    if (scenario.cacheReadPrice >= scenario.inputPrice) {
        warnings.append(
            u"the cache read price (%1) is not below the input price (%2): a read "
            "saves nothing, so caching never pays and has no break-even"_s.arg(
                formatPrice(scenario.cacheReadPrice), formatPrice(scenario.inputPrice)));
    }
    if (result.writePrice < scenario.inputPrice) {
        warnings.append(u"the cache write price (%1) is below the input price (%2): even a "
                        "write saves money, so there is no break-even"_s.arg(
                            formatPrice(result.writePrice), formatPrice(scenario.inputPrice)));
    }

    if (scenario.arrivals == ArrivalPattern::Poisson) {
        if (scenario.intervalSeconds) {
            warnings.append(u"the interval between calls applies to uniform arrivals only; "
                            "Poisson arrivals follow the calls per day"_s);
        }
        return warnings;
    }
    const double span = scenario.callsPerDay * result.intervalSeconds;
    // A relative margin, so that the default interval (86400 / calls) never trips it by rounding.
    if (span > secondsPerDay * (1 + 1e-9)) {
        warnings.append(
            u"%1 calls %2 s apart span %3 hours, longer than a day"_s
                .arg(formatCount(scenario.callsPerDay), formatCount(result.intervalSeconds))
                .arg(span / 3600, 0, 'f', 1));
    }
    return warnings;
}

} // namespace

Expected<CacheEconomics> CacheEconomics::compute(const CacheScenario &scenario)
{
    const Expected<void> valid = checkInputs({
        {scenario.callsPerDay, "calls per day"_L1, InputRange::NonNegative},
        {double(scenario.cachedPromptTokens), "cached prompt tokens"_L1, InputRange::NonNegative},
        {scenario.inputPrice, "input price"_L1, InputRange::NonNegative},
        {scenario.cacheReadPrice, "cache read price"_L1, InputRange::NonNegative},
        {scenario.cacheWritePrice, "cache write price"_L1, InputRange::NonNegative},
        {scenario.ttlSeconds, "TTL"_L1, InputRange::Positive},
        {scenario.intervalSeconds, "interval"_L1, InputRange::Positive},
    });
    if (!valid)
        return Failure{valid.error()};

    CacheEconomics result;
    result.writePrice =
        scenario.cacheWritePrice.value_or(scenario.inputPrice * defaultWriteMultiplier);
    if (!scenario.cacheWritePrice) {
        result.working.append({u"Cache write price"_s,
                               u"1.25 x %1 input"_s.arg(formatPrice(scenario.inputPrice)),
                               formatPrice(result.writePrice)});
    }

    result.costWithoutCaching = scenario.callsPerDay * double(scenario.cachedPromptTokens)
                                * scenario.inputPrice / perMillion;
    result.working.append({u"Daily cost without caching"_s,
                           tokenCostFormula(scenario.callsPerDay, "calls"_L1,
                                            scenario.cachedPromptTokens, scenario.inputPrice),
                           formatUsd(result.costWithoutCaching)});

    if (scenario.arrivals == ArrivalPattern::Uniform)
        countUniformWrites(scenario, result);
    else
        countPoissonWrites(scenario, result);

    priceTheDay(scenario, result);
    findBreakEven(scenario, result);
    result.warnings = warningsFor(scenario, result);
    return result;
}
