#include "clicommand.h"
#include "clicommands.h"

#include <QCoreApplication>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace {

const QList<CliCommand> &commands()
{
    static const QList<CliCommand> all = {
        {u"cache-calc"_s, u"what prompt caching costs and saves over a day"_s, runCacheCalc},
        {u"plan"_s, u"capacity, cost and rate-limit tier for a deployment"_s, runPlan},
        {u"report"_s, u"a markdown document with the working: cache, capacity"_s, runReport},
        {u"route"_s, u"which model the router picks for a query, and why"_s, runRoute},
        {u"run"_s, u"send queries, log every call, and add up the run"_s, runRun},
        {u"scenario"_s, u"list or run the seeded classroom scenarios"_s, runScenario},
        {u"sim"_s, u"serve the built-in Anthropic-compatible simulator"_s, runSim},
        {u"stats"_s, u"cost, tokens, latency and cache hits of a call log"_s, runStats},
    };
    return all;
}

void printOverview()
{
    std::puts("Usage: opsbench-cli COMMAND [OPTIONS]\n\n"
              "Every figure the Opsbench window shows, computed headless.\n"
              "Add --json to a command for one JSON object; --help for its options.\n\n"
              "Commands:");
    for (const CliCommand &command : commands())
        std::printf("  %-12s %s\n", qUtf8Printable(command.name), qUtf8Printable(command.summary));
    std::puts("\nExit status: 0 success, 1 failure, 2 bad usage.");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"opsbench-cli"_s);
    QCoreApplication::setOrganizationName(u"Opsbench"_s);
    QCoreApplication::setApplicationVersion(u"" OPSBENCH_VERSION ""_s);

    QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 2) {
        printOverview();
        return int(ExitStatus::BadUsage);
    }
    const QString name = arguments.at(1);
    if (name == "-h"_L1 || name == "--help"_L1 || name == "help"_L1) {
        printOverview();
        return int(ExitStatus::Success);
    }
    if (name == "--version"_L1) {
        std::printf("opsbench-cli %s\n", OPSBENCH_VERSION);
        return int(ExitStatus::Success);
    }

    for (const CliCommand &command : commands()) {
        if (command.name == name) {
            arguments.removeAt(1);
            arguments.first() = u"opsbench-cli "_s + name;
            return int(command.run(arguments));
        }
    }
    return int(
        Cli::fail(ExitStatus::BadUsage,
                  u"unknown command \"%1\"; run opsbench-cli --help for the list"_s.arg(name)));
}
