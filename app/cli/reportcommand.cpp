#include "cachescenariooptions.h"
#include "clicommand.h"
#include "clicommands.h"
#include "scenariooptions.h"

#include "calllog/calllogreader.h"
#include "reports/cachereport.h"
#include "reports/capacityreport.h"

#include <QSaveFile>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace {

// Writes `markdown` to the --out file, or to standard output without one.
ExitStatus writeMarkdown(const QCommandLineParser &parser, const QString &markdown)
{
    const QString path = parser.value(u"out"_s);
    if (path.isEmpty()) {
        std::fputs(markdown.toUtf8().constData(), stdout);
        return ExitStatus::Success;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(markdown.toUtf8()) < 0 || !file.commit())
        return Cli::fail(ExitStatus::Failure, u"%1: %2"_s.arg(path, file.errorString()));
    return ExitStatus::Success;
}

QCommandLineOption outOption()
{
    return {u"out"_s, u"Write the markdown to this file instead of standard output."_s, u"file"_s};
}

ExitStatus runCapacityReport(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Writes the design document for serving the scenario under a P99 target at the lowest\n"
        "cost: capacity, routing, caching, infrastructure, latency budget, observability and\n"
        "rate limits, with every figure's working."_s);
    const LatencyInputs defaults;
    parser.addOptions(Cli::scenarioOptions());
    parser.addOptions({
        {u"p99-target-ms"_s, u"The P99 latency to meet (default 2000)."_s, u"ms"_s, u"2000"_s},
        {u"network-ms"_s, u"Network round trip to the API."_s, u"ms"_s,
         QString::number(defaults.networkMs)},
        {u"queueing-ms"_s, u"Queueing at peak."_s, u"ms"_s, QString::number(defaults.queueingMs)},
        {u"ttft-ms"_s, u"The API's time to first token."_s, u"ms"_s,
         QString::number(defaults.ttftMs)},
        {u"tokens-per-second"_s, u"Output tokens generated per second."_s, u"n"_s,
         QString::number(defaults.outputTokensPerSecond)},
        {u"latency-sigma"_s, u"Log-normal spread of the latency around its median."_s, u"s"_s,
         QString::number(defaults.spreadSigma)},
        {u"log"_s, u"Fit the latency spread to the median and P99 of this call log."_s, u"file"_s},
        outOption(),
        Cli::pricesOption(),
    });
    if (const std::optional<ExitStatus> early = Cli::parse(parser, arguments))
        return *early;
    if (!parser.positionalArguments().isEmpty())
        return Cli::fail(ExitStatus::BadUsage, u"report capacity takes only options"_s);

    const std::optional<CapacityScenario> scenario = Cli::readScenario(parser);
    const auto target = Cli::readNumber(parser, u"p99-target-ms"_s, 1, 1e9);
    const auto network = Cli::readNumber(parser, u"network-ms"_s, 0, 1e9);
    const auto queueing = Cli::readNumber(parser, u"queueing-ms"_s, 0, 1e9);
    const auto ttft = Cli::readNumber(parser, u"ttft-ms"_s, 0, 1e9);
    const auto speed = Cli::readNumber(parser, u"tokens-per-second"_s, 0.001, 1e9);
    const auto sigma = Cli::readNumber(parser, u"latency-sigma"_s, 0, 10);
    if (!scenario || !target || !network || !queueing || !ttft || !speed || !sigma)
        return ExitStatus::BadUsage;
    const LatencyInputs latency{*network, *queueing, *ttft, *speed, 0, *sigma};

    const std::optional<PriceBook> prices = Cli::loadPrices(parser);
    const std::optional<RateLimitTable> table = prices ? Cli::loadLimits(parser) : std::nullopt;
    if (!table)
        return ExitStatus::Failure;
    std::optional<MeasuredLatency> measured;
    if (parser.isSet(u"log"_s)) {
        const Expected<LogStats> stats = CallLogReader::summarize(parser.value(u"log"_s), *prices);
        if (!stats)
            return Cli::fail(ExitStatus::Failure, stats.error());
        measured = LatencyBudget::measure(stats->overall());
    }

    const Expected<CapacityReport> report =
        CapacityReport::build(*scenario, *prices, *table, latency, measured, *target);
    if (!report)
        return Cli::fail(ExitStatus::Failure, report.error());
    return writeMarkdown(parser, report->markdown());
}

ExitStatus runCacheReport(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"The prompt-caching working as a markdown document: the theory under uniform and\n"
        "Poisson arrivals, and with --log what a run of cached calls measured.\n"_s
        + CacheScenarioOptions::defaultsDescription());
    const CacheScenarioOptions scenarioOptions;
    const QCommandLineOption log(
        u"log"_s, u"Measure the latest run of cached calls in this call log."_s, u"file"_s);
    const QCommandLineOption feature(u"feature"_s,
                                     u"Only the calls of this feature (with --log)."_s, u"name"_s);
    scenarioOptions.addTo(parser);
    parser.addOptions({log, feature, outOption()});
    if (const std::optional<ExitStatus> early = Cli::parse(parser, arguments))
        return *early;
    if (!parser.positionalArguments().isEmpty())
        return Cli::fail(ExitStatus::BadUsage, u"report cache takes no arguments, only options"_s);
    if (parser.isSet(feature) && !parser.isSet(log))
        return Cli::fail(ExitStatus::BadUsage, u"--feature needs --log"_s);

    const std::variant<CacheScenario, ExitStatus> read = scenarioOptions.read(parser);
    if (const ExitStatus *status = std::get_if<ExitStatus>(&read))
        return *status;
    const std::optional<PriceBook> prices = Cli::loadPrices(parser);
    if (!prices)
        return ExitStatus::Failure;

    CacheReport report(std::get<CacheScenario>(read));
    if (parser.isSet(log)) {
        const Expected<QList<MeasuredCall>> calls =
            MeasuredCall::readLog(parser.value(log), *prices, parser.value(feature));
        if (!calls)
            return Cli::fail(ExitStatus::Failure, u"--log: "_s + calls.error());
        report.setMeasuredCalls(MeasuredCall::latestCachedRun(*calls));
    }
    const Expected<QString> text = report.toMarkdown(*prices);
    if (!text)
        return Cli::fail(ExitStatus::Failure, text.error());
    return writeMarkdown(parser, *text);
}

// The reports, one row each: the deliverables the window's panels export, written headless.
const QList<CliCommand> &reports()
{
    static const QList<CliCommand> all = {
        {u"cache"_s, u"prompt caching in theory and as measured (exercise_03_solution.md)"_s,
         runCacheReport},
        {u"capacity"_s, u"design document: capacity, cost, latency budget, rate limits"_s,
         runCapacityReport},
    };
    return all;
}

ExitStatus printReports(ExitStatus status)
{
    std::FILE *stream = status == ExitStatus::Success ? stdout : stderr;
    std::fputs("Usage: opsbench-cli report NAME [OPTIONS]\n\nReports (markdown):\n", stream);
    for (const CliCommand &report : reports()) {
        std::fprintf(stream, "  %-12s %s\n", qUtf8Printable(report.name),
                     qUtf8Printable(report.summary));
    }
    return status;
}

} // namespace

ExitStatus runReport(const QStringList &arguments)
{
    if (arguments.size() < 2)
        return printReports(ExitStatus::BadUsage);
    const QString name = arguments.at(1);
    if (name == "-h"_L1 || name == "--help"_L1)
        return printReports(ExitStatus::Success);
    for (const CliCommand &report : reports()) {
        if (report.name == name) {
            QStringList rest = arguments.mid(1);
            rest.first() = arguments.first() + u' ' + name;
            return report.run(rest);
        }
    }
    return Cli::fail(
        ExitStatus::BadUsage,
        u"unknown report \"%1\"; run opsbench-cli report --help for the list"_s.arg(name));
}
