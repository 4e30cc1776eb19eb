#include "cachescenariooptions.h"
#include "clicommand.h"
#include "clicommands.h"

#include "economics/cacheeconomics.h"

#include <QJsonArray>

using namespace Qt::Literals::StringLiterals;

namespace {

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
        u"What prompt caching costs and saves over a day, with the working shown.\n"_s
        + CacheScenarioOptions::defaultsDescription());
    const CacheScenarioOptions scenarioOptions;
    const QCommandLineOption json(u"json"_s, u"Print one JSON object."_s);
    scenarioOptions.addTo(parser);
    parser.addOption(json);
    if (const std::optional<ExitStatus> early = Cli::parse(parser, arguments))
        return *early;
    if (!parser.positionalArguments().isEmpty())
        return Cli::fail(ExitStatus::BadUsage, u"cache-calc takes no arguments, only options"_s);

    const std::variant<CacheScenario, ExitStatus> read = scenarioOptions.read(parser);
    if (const ExitStatus *status = std::get_if<ExitStatus>(&read))
        return *status;
    const CacheScenario &scenario = std::get<CacheScenario>(read);

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
