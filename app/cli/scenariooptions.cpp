#include "scenariooptions.h"

#include "clicommand.h"

using namespace Qt::Literals::StringLiterals;

namespace Cli {

QList<QCommandLineOption> scenarioOptions()
{
    return {
        {u"requests-per-day"_s, u"Default 10000."_s, u"n"_s, u"10000"_s},
        {u"peak-ratio"_s, u"Peak RPS / average RPS (default 10)."_s, u"r"_s, u"10"_s},
        {u"input-tokens"_s, u"Input tokens per request, prefix included (default 1500)."_s, u"n"_s,
         u"1500"_s},
        {u"output-tokens"_s, u"Output tokens per request (default 300)."_s, u"n"_s, u"300"_s},
        {u"model"_s, u"The model (default claude-sonnet-4-6)."_s, u"id"_s, u"claude-sonnet-4-6"_s},
        {u"route-share"_s, u"Share of requests routed to the cheap model, 0 to 1."_s, u"share"_s},
        {u"route-model"_s, u"The cheap model (default claude-haiku-4-5)."_s, u"id"_s,
         u"claude-haiku-4-5"_s},
        {u"cached-prefix-tokens"_s, u"Tokens of each prompt served from the cache."_s, u"n"_s},
        {u"cache-hit-rate"_s,
         u"Share of requests that read the prefix, 0 to 1 (default 0.8 when a prefix is "
         "given)."_s,
         u"r"_s, u"0.8"_s},
        {u"days-per-month"_s, u"Default 30."_s, u"n"_s, u"30"_s},
        {u"limits"_s, u"A JSON rate-limit table to use instead of the built-in one."_s, u"file"_s},
    };
}

std::optional<CapacityScenario> readScenario(const QCommandLineParser &parser)
{
    CapacityScenario scenario;
    scenario.modelId = parser.value(u"model"_s);
    const auto requestsValue = readNumber(parser, u"requests-per-day"_s, 0, 1e12);
    const auto peakValue = readNumber(parser, u"peak-ratio"_s, 1, 1e6);
    const auto inputValue = readInteger(parser, u"input-tokens"_s, 0, 100'000'000);
    const auto outputValue = readInteger(parser, u"output-tokens"_s, 0, 100'000'000);
    const auto daysValue = readNumber(parser, u"days-per-month"_s, 1, 31);
    if (!requestsValue || !peakValue || !inputValue || !outputValue || !daysValue)
        return std::nullopt;
    scenario.requestsPerDay = *requestsValue;
    scenario.peakRatio = *peakValue;
    scenario.inputTokensPerRequest = *inputValue;
    scenario.outputTokensPerRequest = *outputValue;
    scenario.daysPerMonth = *daysValue;

    if (parser.isSet(u"route-share"_s)) {
        const auto share = readNumber(parser, u"route-share"_s, 0, 1);
        if (!share)
            return std::nullopt;
        scenario.routing = RoutingShare{*share, parser.value(u"route-model"_s)};
    }
    if (parser.isSet(u"cached-prefix-tokens"_s)) {
        const auto tokens = readInteger(parser, u"cached-prefix-tokens"_s, 0, 100'000'000);
        const auto rate = readNumber(parser, u"cache-hit-rate"_s, 0, 1);
        if (!tokens || !rate)
            return std::nullopt;
        scenario.caching = PrefixCaching{*tokens, *rate};
    }
    return scenario;
}

std::optional<RateLimitTable> loadLimits(const QCommandLineParser &parser)
{
    Expected<RateLimitTable> table = RateLimitTable::load(parser.value(u"limits"_s));
    if (!table) {
        fail(ExitStatus::Failure, table.error());
        return std::nullopt;
    }
    return std::move(*table);
}

} // namespace Cli
