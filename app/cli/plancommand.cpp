#include "clicommand.h"
#include "clicommands.h"

#include "economics/capacityplan.h"

#include <QJsonArray>
#include <QLocale>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject costToJson(const CostStep &step)
{
    return QJsonObject{{"daily_usd"_L1, step.daily},
                       {"monthly_usd"_L1, step.monthly},
                       {"saving_daily_usd"_L1, step.savingDaily},
                       {"saving_pct"_L1, step.savingPercent}};
}

QJsonObject toJson(const CapacityScenario &scenario, const CapacityPlan &plan)
{
    QJsonArray loads;
    for (const ClassLoad &load : plan.loads) {
        loads.append(QJsonObject{{"class"_L1, load.modelClass.name},
                                 {"share"_L1, load.share},
                                 {"peak_rpm"_L1, load.peakRequestsPerMinute},
                                 {"peak_input_tpm"_L1, load.peakInputTokensPerMinute},
                                 {"peak_output_tpm"_L1, load.peakOutputTokensPerMinute}});
    }
    const BindingLimit &binding = plan.binding;
    return QJsonObject{
        {"requests_per_day"_L1, scenario.requestsPerDay},
        {"peak_ratio"_L1, scenario.peakRatio},
        {"input_tokens_per_request"_L1, scenario.inputTokensPerRequest},
        {"output_tokens_per_request"_L1, scenario.outputTokensPerRequest},
        {"model"_L1, scenario.modelId},
        {"days_per_month"_L1, scenario.daysPerMonth},
        {"avg_rps"_L1, plan.averageRps},
        {"peak_rps"_L1, plan.peakRps},
        {"peak_rpm"_L1, plan.peakRpm},
        {"daily_input_tokens"_L1, plan.dailyInputTokens},
        {"daily_output_tokens"_L1, plan.dailyOutputTokens},
        {"peak_input_tpm"_L1, plan.peakInputTpm},
        {"peak_output_tpm"_L1, plan.peakOutputTpm},
        {"baseline_daily_cost_usd"_L1, plan.baseline.daily},
        {"baseline_monthly_cost_usd"_L1, plan.baseline.monthly},
        {"after_routing"_L1, costToJson(plan.afterRouting)},
        {"after_caching"_L1, costToJson(plan.afterCaching)},
        {"counted_peak_input_tpm"_L1, plan.countedPeakInputTpm},
        {"loads"_L1, loads},
        {"tier"_L1, plan.tier ? QJsonValue(*plan.tier) : QJsonValue(QJsonValue::Null)},
        {"binding_limit"_L1, QJsonObject{{"tier"_L1, binding.tier},
                                         {"class"_L1, binding.className},
                                         {"measure"_L1, binding.measure},
                                         {"peak"_L1, binding.peak},
                                         {"allowed"_L1, binding.allowed},
                                         {"usage"_L1, binding.usage()}}},
    };
}

// Plans deal in dollars a day and a month, where cents are the useful precision.
QString dollars(double usd)
{
    return u'$' + QLocale(QLocale::English).toString(usd, 'f', usd < 1 ? 6 : 2);
}

// Large counts with thousands separators; rates keep one decimal.
QString count(double value)
{
    const QLocale english(QLocale::English);
    return value == std::floor(value) ? english.toString(qint64(value))
                                      : english.toString(value, 'f', 1);
}

QString costLine(const QString &label, const CostStep &step, bool showSaving)
{
    QString line = u"%1 %2/day, %3/month"_s.arg(label.leftJustified(22), dollars(step.daily),
                                                dollars(step.monthly));
    if (showSaving)
        line += u" (saves %1%)"_s.arg(step.savingPercent, 0, 'f', 1);
    return line;
}

void printPlan(const CapacityScenario &scenario, const CapacityPlan &plan)
{
    Cli::printLine(u"Traffic        %1 requests/day: %2 RPS average, %3 RPS and %4 RPM at peak"_s
                       .arg(count(scenario.requestsPerDay))
                       .arg(plan.averageRps, 0, 'f', 3)
                       .arg(plan.peakRps, 0, 'f', 3)
                       .arg(plan.peakRpm, 0, 'f', 1));
    Cli::printLine(u"Tokens/day     %1 input, %2 output"_s.arg(count(plan.dailyInputTokens),
                                                               count(plan.dailyOutputTokens)));
    Cli::printLine(u"Peak TPM       %1 input (%2 as the limiter counts it), %3 output"_s.arg(
        count(plan.peakInputTpm), count(plan.countedPeakInputTpm), count(plan.peakOutputTpm)));
    Cli::printLine();
    Cli::printLine(costLine(u"Baseline"_s, plan.baseline, false));
    if (scenario.routing)
        Cli::printLine(costLine(u"After routing"_s, plan.afterRouting, true));
    if (scenario.caching)
        Cli::printLine(costLine(u"After caching"_s, plan.afterCaching, true));
    Cli::printLine();
    const BindingLimit &binding = plan.binding;
    const QString limit =
        u"%1 %2: %3 of %4 (%5%)"_s
            .arg(binding.className, binding.measure, count(binding.peak), count(binding.allowed))
            .arg(binding.usage() * 100, 0, 'f', 1);
    if (plan.tier)
        Cli::printLine(u"Rate limits    %1 fits; nearest limit is %2"_s.arg(*plan.tier, limit));
    else
        Cli::printLine(u"Rate limits    no listed tier fits; in %1, %2"_s.arg(binding.tier, limit));
}

} // namespace

ExitStatus runPlan(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Sizes a deployment: traffic at peak, tokens per minute, cost before and after routing\n"
        "and caching, and the rate-limit tier that carries the peak."_s);
    const QCommandLineOption requests(u"requests-per-day"_s, u"Default 10000."_s, u"n"_s,
                                      u"10000"_s);
    const QCommandLineOption peakRatio(u"peak-ratio"_s, u"Peak RPS / average RPS (default 10)."_s,
                                       u"r"_s, u"10"_s);
    const QCommandLineOption inputTokens(u"input-tokens"_s,
                                         u"Input tokens per request, prefix included "
                                         "(default 1500)."_s,
                                         u"n"_s, u"1500"_s);
    const QCommandLineOption outputTokens(
        u"output-tokens"_s, u"Output tokens per request (default 300)."_s, u"n"_s, u"300"_s);
    const QCommandLineOption model(u"model"_s, u"The model (default claude-sonnet-4-6)."_s, u"id"_s,
                                   u"claude-sonnet-4-6"_s);
    const QCommandLineOption routeShare(
        u"route-share"_s, u"Share of requests routed to the cheap model, 0 to 1."_s, u"share"_s);
    const QCommandLineOption routeModel(u"route-model"_s,
                                        u"The cheap model (default claude-haiku-4-5)."_s, u"id"_s,
                                        u"claude-haiku-4-5"_s);
    const QCommandLineOption prefixTokens(
        u"cached-prefix-tokens"_s, u"Tokens of each prompt served from the cache."_s, u"n"_s);
    const QCommandLineOption hitRate(u"cache-hit-rate"_s,
                                     u"Share of requests that read the prefix, 0 to 1 "
                                     "(default 0.8 when a prefix is given)."_s,
                                     u"r"_s, u"0.8"_s);
    const QCommandLineOption daysPerMonth(u"days-per-month"_s, u"Default 30."_s, u"n"_s, u"30"_s);
    const QCommandLineOption limits(u"limits"_s,
                                    u"A JSON rate-limit table to use instead of "
                                    "the built-in one."_s,
                                    u"file"_s);
    const QCommandLineOption json(u"json"_s, u"Print one JSON object."_s);
    parser.addOptions({requests, peakRatio, inputTokens, outputTokens, model, routeShare,
                       routeModel, prefixTokens, hitRate, daysPerMonth, limits, json,
                       Cli::pricesOption()});
    if (const std::optional<ExitStatus> early = Cli::parse(parser, arguments))
        return *early;
    if (!parser.positionalArguments().isEmpty())
        return Cli::fail(ExitStatus::BadUsage, u"plan takes no arguments, only options"_s);

    CapacityScenario scenario;
    scenario.modelId = parser.value(model);
    const auto requestsValue = Cli::readNumber(parser, u"requests-per-day"_s, 0, 1e12);
    const auto peakValue = Cli::readNumber(parser, u"peak-ratio"_s, 1, 1e6);
    const auto inputValue = Cli::readInteger(parser, u"input-tokens"_s, 0, 100'000'000);
    const auto outputValue = Cli::readInteger(parser, u"output-tokens"_s, 0, 100'000'000);
    const auto daysValue = Cli::readNumber(parser, u"days-per-month"_s, 1, 31);
    if (!requestsValue || !peakValue || !inputValue || !outputValue || !daysValue)
        return ExitStatus::BadUsage;
    scenario.requestsPerDay = *requestsValue;
    scenario.peakRatio = *peakValue;
    scenario.inputTokensPerRequest = *inputValue;
    scenario.outputTokensPerRequest = *outputValue;
    scenario.daysPerMonth = *daysValue;

    if (parser.isSet(routeShare)) {
        const auto share = Cli::readNumber(parser, u"route-share"_s, 0, 1);
        if (!share)
            return ExitStatus::BadUsage;
        scenario.routing = RoutingShare{*share, parser.value(routeModel)};
    }
    if (parser.isSet(prefixTokens)) {
        const auto tokens = Cli::readInteger(parser, u"cached-prefix-tokens"_s, 0, 100'000'000);
        const auto rate = Cli::readNumber(parser, u"cache-hit-rate"_s, 0, 1);
        if (!tokens || !rate)
            return ExitStatus::BadUsage;
        scenario.caching = PrefixCaching{*tokens, *rate};
    }

    const std::optional<PriceBook> prices = Cli::loadPrices(parser);
    if (!prices)
        return ExitStatus::Failure;
    const Expected<RateLimitTable> table = RateLimitTable::load(parser.value(limits));
    if (!table)
        return Cli::fail(ExitStatus::Failure, table.error());
    const Expected<CapacityPlan> plan = CapacityPlan::compute(scenario, *prices, *table);
    if (!plan)
        return Cli::fail(ExitStatus::Failure, plan.error());

    if (parser.isSet(json))
        Cli::printJson(toJson(scenario, *plan));
    else
        printPlan(scenario, *plan);
    return ExitStatus::Success;
}
