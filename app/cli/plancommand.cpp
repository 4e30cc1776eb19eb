#include "clicommand.h"
#include "clicommands.h"
#include "scenariooptions.h"

#include "economics/calculationstep.h"
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

// Large counts with thousands separators; rates keep one decimal.
QString count(double value)
{
    const QLocale english(QLocale::English);
    return value == std::floor(value) ? english.toString(qint64(value))
                                      : english.toString(value, 'f', 1);
}

QString costLine(const QString &label, const CostStep &step, bool showSaving)
{
    QString line = u"%1 %2/day, %3/month"_s.arg(label.leftJustified(22), formatDollars(step.daily),
                                                formatDollars(step.monthly));
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
    const QCommandLineOption json(u"json"_s, u"Print one JSON object."_s);
    parser.addOptions(Cli::scenarioOptions());
    parser.addOptions({json, Cli::pricesOption()});
    if (const std::optional<ExitStatus> early = Cli::parse(parser, arguments))
        return *early;
    if (!parser.positionalArguments().isEmpty())
        return Cli::fail(ExitStatus::BadUsage, u"plan takes no arguments, only options"_s);

    const std::optional<CapacityScenario> scenario = Cli::readScenario(parser);
    if (!scenario)
        return ExitStatus::BadUsage;
    const std::optional<PriceBook> prices = Cli::loadPrices(parser);
    const std::optional<RateLimitTable> table = prices ? Cli::loadLimits(parser) : std::nullopt;
    if (!table)
        return ExitStatus::Failure;
    const Expected<CapacityPlan> plan = CapacityPlan::compute(*scenario, *prices, *table);
    if (!plan)
        return Cli::fail(ExitStatus::Failure, plan.error());

    if (parser.isSet(json))
        Cli::printJson(toJson(*scenario, *plan));
    else
        printPlan(*scenario, *plan);
    return ExitStatus::Success;
}
