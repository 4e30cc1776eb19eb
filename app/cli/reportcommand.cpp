#include "cachescenariooptions.h"
#include "clicommand.h"
#include "clicommands.h"

#include "reports/cachereport.h"

#include <QFile>
#include <QSaveFile>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace {

// Writes the report to --out, or to standard output when it is not given.
ExitStatus writeReport(const QString &text, const QString &outPath)
{
    const QByteArray bytes = text.toUtf8();
    if (outPath.isEmpty()) {
        std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
        return ExitStatus::Success;
    }
    QSaveFile file(outPath);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        return Cli::fail(ExitStatus::Failure,
                         u"--out: cannot write %1: %2"_s.arg(outPath, file.errorString()));
    }
    return ExitStatus::Success;
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
    const QCommandLineOption out(u"out"_s, u"Write the report to this file, not stdout."_s,
                                 u"file"_s);
    scenarioOptions.addTo(parser);
    parser.addOptions({log, feature, out});
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
    return writeReport(*text, parser.value(out));
}

// The reports, one row each: "opsbench-cli report NAME".
const QList<CliCommand> &reports()
{
    static const QList<CliCommand> all = {
        {u"cache"_s, u"prompt caching in theory and as measured (exercise_03_solution.md)"_s,
         runCacheReport},
    };
    return all;
}

QString reportList()
{
    QString text = u"Reports:\n"_s;
    for (const CliCommand &report : reports())
        text += u"  %1  %2\n"_s.arg(report.name.leftJustified(10), report.summary);
    return text;
}

} // namespace

ExitStatus runReport(const QStringList &arguments)
{
    const QString name = arguments.value(1);
    if (name.isEmpty() || name == "-h"_L1 || name == "--help"_L1) {
        Cli::printLine(u"Usage: %1 REPORT [OPTIONS]\n\nA markdown document with the working "
                       "shown; REPORT --help for its options.\n"_s.arg(arguments.value(0)));
        Cli::printLine(reportList());
        return name.isEmpty() ? ExitStatus::BadUsage : ExitStatus::Success;
    }
    for (const CliCommand &report : reports()) {
        if (report.name == name) {
            QStringList rest = arguments;
            rest.removeAt(1);
            rest.first() += u" "_s + name;
            return report.run(rest);
        }
    }
    return Cli::fail(
        ExitStatus::BadUsage,
        u"unknown report \"%1\"; run %2 --help for the list"_s.arg(name, arguments.value(0)));
}
