#include "clicommand.h"
#include "clicommands.h"

#include "economics/cacheeconomics.h"

#include <QJsonArray>

using namespace Qt::Literals::StringLiterals;

namespace {

// With no options the command answers the classic support-desk case: 1,000 calls a day, one
// every 90 seconds, a 500-token prompt at $0.30 in and $0.03 read, a five-minute cache.
constexpr double defaultCallsPerDay = 1000;
constexpr qint64 defaultPromptTokens = 500;
constexpr double defaultInputPrice = 0.30;
constexpr double defaultReadPrice = 0.03;
constexpr double defaultTtlSeconds = 300;
constexpr double defaultIntervalSeconds = 90;

QJsonValue optionalNumber(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

QJsonObject toJson(const CacheScenario &scenario, const CacheEconomics &result)
{
    QJsonArray working;
    for (const CalculationStep &step : result.working)
        working.append(step.toString());
    return QJsonObject{
        {"calls_per_day"_L1, scenario.callsPerDay},
        {"prompt_tokens"_L1, scenario.cachedPromptTokens},
        {"input_price"_L1, scenario.inputPrice},
        {"cache_read_price"_L1, scenario.cacheReadPrice},
        {"cache_write_price"_L1, result.writePrice},
        {"ttl_s"_L1, scenario.ttlSeconds},
        {"arrivals"_L1, scenario.arrivals == ArrivalPattern::Uniform ? u"uniform"_s : u"poisson"_s},
        {"interval_s"_L1, scenario.arrivals == ArrivalPattern::Uniform
                              ? QJsonValue(result.intervalSeconds)
                              : QJsonValue(QJsonValue::Null)},
        {"daily_cost_no_cache_usd"_L1, result.costWithoutCaching},
        {"cache_writes_per_day"_L1, result.cacheWritesPerDay},
        {"cache_reads_per_day"_L1, result.cacheReadsPerDay},
        {"daily_cache_write_cost_usd"_L1, result.writeCost},
        {"daily_cache_read_cost_usd"_L1, result.readCost},
        {"daily_cost_with_cache_usd"_L1, result.costWithCaching},
        {"saving_pct"_L1, result.savingPercent},
        {"break_even_reads_per_write"_L1, optionalNumber(result.breakEvenReadsPerWrite)},
        {"break_even_calls_per_day"_L1, optionalNumber(result.breakEvenCallsPerDay)},
        {"warnings"_L1, QJsonArray::fromStringList(result.warnings)},
        {"working"_L1, working},
    };
}

} // namespace

ExitStatus runCacheCalc(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"What prompt caching costs and saves over a day, with the working shown.\n"
        "With no options: 1000 calls a day, one every 90 s, a 500-token prompt, $0.30 input,\n"
        "$0.03 cache read, a 300 s cache lifetime. Prices are USD per million tokens."_s);
    const QCommandLineOption calls(u"calls-per-day"_s, u"Calls a day (default 1000)."_s, u"n"_s);
    const QCommandLineOption tokens(u"prompt-tokens"_s,
                                    u"Tokens of the cached prompt prefix (default 500)."_s, u"n"_s);
    const QCommandLineOption model(
        u"model"_s, u"Take the three prices from this model's price list entry."_s, u"id"_s);
    const QCommandLineOption inputPrice(u"input-price"_s, u"Input price (default 0.30)."_s,
                                        u"usd"_s);
    const QCommandLineOption readPrice(u"cache-read-price"_s, u"Cache read price (default 0.03)."_s,
                                       u"usd"_s);
    const QCommandLineOption writePrice(u"cache-write-price"_s,
                                        u"Cache write price (default 1.25 x input)."_s, u"usd"_s);
    const QCommandLineOption ttl(u"ttl-s"_s, u"Cache lifetime in seconds (default 300)."_s, u"s"_s);
    const QCommandLineOption interval(
        u"interval-s"_s,
        u"Seconds between calls for uniform arrivals (default 90 with the default volume, "
        "else 86400 / calls)."_s,
        u"s"_s);
    const QCommandLineOption arrivals(u"arrivals"_s,
                                      u"uniform (evenly spaced) or poisson (random)."_s,
                                      u"pattern"_s, u"uniform"_s);
    const QCommandLineOption json(u"json"_s, u"Print one JSON object."_s);
    parser.addOptions({calls, tokens, model, inputPrice, readPrice, writePrice, ttl, interval,
                       arrivals, json, Cli::pricesOption()});
    if (const std::optional<ExitStatus> early = Cli::parse(parser, arguments))
        return *early;
    if (!parser.positionalArguments().isEmpty())
        return Cli::fail(ExitStatus::BadUsage, u"cache-calc takes no arguments, only options"_s);

    CacheScenario scenario;
    scenario.callsPerDay = defaultCallsPerDay;
    scenario.cachedPromptTokens = defaultPromptTokens;
    scenario.inputPrice = defaultInputPrice;
    scenario.cacheReadPrice = defaultReadPrice;
    scenario.ttlSeconds = defaultTtlSeconds;

    if (parser.isSet(model)) {
        const std::optional<PriceBook> prices = Cli::loadPrices(parser);
        if (!prices)
            return ExitStatus::Failure;
        const Expected<ModelPrice> price = prices->lookup(parser.value(model));
        if (!price)
            return Cli::fail(ExitStatus::Failure, u"--model: "_s + price.error());
        scenario.inputPrice = price->input;
        scenario.cacheReadPrice = price->cacheRead;
        scenario.cacheWritePrice = price->cacheWrite5m;
    }

    struct NumberOption
    {
        const QCommandLineOption &option;
        double *target;
    };
    std::optional<double> write;
    double callsPerDay = scenario.callsPerDay;
    double promptTokens = double(scenario.cachedPromptTokens);
    double intervalSeconds = 0;
    double writeValue = 0;
    const NumberOption numbers[] = {
        {calls, &callsPerDay},
        {tokens, &promptTokens},
        {inputPrice, &scenario.inputPrice},
        {readPrice, &scenario.cacheReadPrice},
        {writePrice, &writeValue},
        {ttl, &scenario.ttlSeconds},
        {interval, &intervalSeconds},
    };
    for (const NumberOption &number : numbers) {
        if (!parser.isSet(number.option))
            continue;
        const QString name = number.option.names().constFirst();
        const std::optional<double> value = Cli::readNumber(parser, name, 0, 1e12);
        if (!value)
            return ExitStatus::BadUsage;
        *number.target = *value;
    }
    scenario.callsPerDay = callsPerDay;
    scenario.cachedPromptTokens = qint64(promptTokens);
    if (parser.isSet(writePrice))
        scenario.cacheWritePrice = writeValue;
    if (parser.isSet(interval))
        scenario.intervalSeconds = intervalSeconds;
    else if (!parser.isSet(calls))
        scenario.intervalSeconds = defaultIntervalSeconds;

    const QString pattern = parser.value(arrivals);
    if (pattern == "uniform"_L1) {
        scenario.arrivals = ArrivalPattern::Uniform;
    } else if (pattern == "poisson"_L1) {
        scenario.arrivals = ArrivalPattern::Poisson;
        if (!parser.isSet(interval))
            scenario.intervalSeconds.reset();
    } else {
        return Cli::fail(ExitStatus::BadUsage,
                         u"--arrivals: \"%1\" is neither uniform nor poisson"_s.arg(pattern));
    }

    const Expected<CacheEconomics> result = CacheEconomics::compute(scenario);
    if (!result)
        return Cli::fail(ExitStatus::BadUsage, result.error());

    if (parser.isSet(json)) {
        Cli::printJson(toJson(scenario, *result));
        return ExitStatus::Success;
    }
    for (const CalculationStep &step : result->working)
        Cli::printLine(step.toString());
    for (const QString &warning : result->warnings)
        Cli::printLine(u"Warning: "_s + warning);
    return ExitStatus::Success;
}
