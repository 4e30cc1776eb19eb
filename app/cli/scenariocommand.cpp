#include "clicommand.h"
#include "clicommands.h"

#include "scenario/scenario.h"
#include "scenario/scenariorunner.h"
#include "session/callsession.h"

#include <QCoreApplication>
#include <QJsonArray>

using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject callToJson(const ScenarioCall &call)
{
    QJsonArray retries;
    for (const ScenarioRetry &retry : call.retries) {
        retries.append(QJsonObject{{"attempt"_L1, retry.attempt},
                                   {"http_status"_L1, retry.httpStatus},
                                   {"error_type"_L1, retry.errorType},
                                   {"wait_ms"_L1, retry.waitMs},
                                   {"retry_after"_L1, retry.serverHint}});
    }
    QJsonObject json = Cli::outcomeToJson(call.outcome);
    json.insert("retries"_L1, retries);
    return json;
}

QString callLine(int index, const ScenarioCall &call)
{
    const QueryOutcome &outcome = call.outcome;
    if (!outcome.record)
        return u"[%1] not sent: %2"_s.arg(index + 1).arg(outcome.error->message);
    const CallRecord &record = *outcome.record;
    QString line = u"[%1] %2  in %3 · cache write %4 · cache read %5 · out %6  %7"_s.arg(index + 1)
                       .arg(record.model)
                       .arg(record.inputTokens)
                       .arg(record.cacheCreationInputTokens)
                       .arg(record.cacheReadInputTokens)
                       .arg(record.outputTokens)
                       .arg(Cli::formatUsd(record.costUsd));
    for (const ScenarioRetry &retry : call.retries) {
        line += u"\n      attempt %1: %2 %3, waited %4 ms%5"_s.arg(retry.attempt)
                    .arg(retry.httpStatus)
                    .arg(retry.errorType)
                    .arg(retry.waitMs)
                    .arg(retry.serverHint ? u" (retry-after)"_s : QString());
    }
    if (outcome.error)
        line += u"\n      failed: "_s + outcome.error->describe();
    return line;
}

ExitStatus listScenarios(bool asJson)
{
    const Expected<QList<Scenario>> all = Scenario::bundled();
    if (!all)
        return Cli::fail(ExitStatus::Failure, all.error());
    QJsonArray list;
    for (const Scenario &scenario : *all) {
        if (asJson) {
            list.append(QJsonObject{{"id"_L1, scenario.id},
                                    {"name"_L1, scenario.name},
                                    {"summary"_L1, scenario.summary},
                                    {"panel"_L1, scenario.panel},
                                    {"seed"_L1, qint64(scenario.seed)}});
        } else {
            Cli::printLine(
                u"%1  %2\n    %3"_s.arg(scenario.id, -20).arg(scenario.name, scenario.summary));
        }
    }
    if (asJson)
        Cli::printJson(QJsonObject{{"scenarios"_L1, list}});
    return ExitStatus::Success;
}

ExitStatus runOne(const Scenario &scenario, const QString &logPath, double latencyScale,
                  bool asJson)
{
    SessionOptions options;
    options.logPath = logPath;
    options.forceSimulator = true;
    options.simulatorLatencyScale = latencyScale;
    CallSession session;
    if (const Expected<void> started = session.start(options); !started)
        return Cli::fail(ExitStatus::Failure, started.error());

    ScenarioRunner runner(&session);
    if (!asJson) {
        Cli::printLine(u"%1 (seed %2), on the built-in simulator; logged to %3"_s.arg(
            scenario.name, QString::number(scenario.seed), session.logPath()));
        QObject::connect(&runner, &ScenarioRunner::callFinished, &runner, [&runner](int index) {
            Cli::printLine(callLine(index, runner.calls().at(index)));
        });
    }
    QObject::connect(&runner, &ScenarioRunner::finished, QCoreApplication::instance(),
                     &QCoreApplication::quit, Qt::QueuedConnection);
    runner.start(scenario);
    QCoreApplication::exec();
    if (!runner.error().isEmpty())
        return Cli::fail(ExitStatus::Failure, runner.error());

    if (asJson) {
        QJsonArray calls;
        for (const ScenarioCall &call : runner.calls())
            calls.append(callToJson(call));
        QJsonObject json{{"scenario"_L1, scenario.id},
                         {"seed"_L1, qint64(scenario.seed)},
                         {"log"_L1, session.logPath()},
                         {"calls"_L1, calls},
                         {"total_cost_usd"_L1, runner.totalUsd()}};
        if (scenario.compareAllSonnet)
            json.insert("all_sonnet_cost_usd"_L1, runner.allSonnetUsd());
        Cli::printJson(json);
    } else {
        Cli::printLine();
        QString total = u"%1 calls, total %2"_s.arg(runner.calls().size())
                            .arg(Cli::formatUsd(runner.totalUsd()));
        if (scenario.compareAllSonnet)
            total += u", against %1 had every call gone to Sonnet"_s.arg(
                Cli::formatUsd(runner.allSonnetUsd()));
        Cli::printLine(total);
    }
    if (const int failed = runner.failures(); failed > 0)
        return Cli::fail(ExitStatus::Failure,
                         u"%1 of %2 calls failed"_s.arg(failed).arg(runner.calls().size()));
    return ExitStatus::Success;
}

} // namespace

ExitStatus runScenario(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"The classroom scenarios: seeded setups of the built-in simulator that replay the same\n"
        "calls every time.\n\n"
        "  scenario list            the bundled scenarios\n"
        "  scenario run NAME        run one (by id or name) and log its calls"_s);
    const QCommandLineOption log(u"log"_s, u"The call log (default ./llm_calls.jsonl)."_s,
                                 u"file"_s, u"llm_calls.jsonl"_s);
    const QCommandLineOption simLatency(u"sim-latency-scale"_s,
                                        u"0 answers at once, 1 (default) as the real API."_s,
                                        u"x"_s, u"1"_s);
    const QCommandLineOption json(u"json"_s, u"Print one JSON object."_s);
    parser.addOptions({log, simLatency, json});
    if (const std::optional<ExitStatus> early = Cli::parse(parser, arguments))
        return *early;

    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0);
    if (action == "list"_L1 && positional.size() == 1)
        return listScenarios(parser.isSet(json));
    if (action != "run"_L1 || positional.size() != 2)
        return Cli::fail(ExitStatus::BadUsage, u"use \"scenario list\" or \"scenario run NAME\""_s);
    const auto latencyScale = Cli::readNumber(parser, u"sim-latency-scale"_s, 0, 100);
    if (!latencyScale)
        return ExitStatus::BadUsage;
    const Expected<Scenario> scenario = Scenario::findBundled(positional.at(1));
    if (!scenario)
        return Cli::fail(ExitStatus::BadUsage, scenario.error());
    return runOne(*scenario, parser.value(log), *latencyScale, parser.isSet(json));
}
