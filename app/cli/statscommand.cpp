#include "clicommand.h"
#include "clicommands.h"

#include "calllog/logsummarizer.h"

#include <QJsonArray>
#include <QLocale>
#include <QThread>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

// How many malformed line numbers the human output lists before saying "and N more".
constexpr qsizetype malformedLinesShown = 10;

QJsonObject groupToJson(const GroupStats &group)
{
    return QJsonObject{
        {"records"_L1, group.records},
        {"cost_usd"_L1, group.costUsd},
        {"avg_latency_ms"_L1, group.meanLatencyMs()},
        {"p50_latency_ms"_L1, group.p50LatencyMs},
        {"p95_latency_ms"_L1, group.p95LatencyMs},
        {"p99_latency_ms"_L1, group.p99LatencyMs},
        {"input_tokens"_L1, group.tokens.inputTokens},
        {"output_tokens"_L1, group.tokens.outputTokens},
        {"cache_read_input_tokens"_L1, group.tokens.cacheReadInputTokens},
        {"cache_creation_input_tokens"_L1, group.tokens.cacheCreationInputTokens},
        {"cache_hit_rate"_L1, group.cacheHitRate()},
        {"errors"_L1, group.errors},
    };
}

QJsonObject groupsToJson(const QList<GroupStats> &groups)
{
    QJsonObject json;
    for (const GroupStats &group : groups)
        json.insert(group.name, groupToJson(group));
    return json;
}

QJsonObject statsToJson(const QString &path, const LogStats &stats)
{
    const GroupStats all = stats.overall();
    QJsonArray malformed;
    for (const MalformedLine &line : stats.malformedLines())
        malformed.append(QJsonObject{{"line"_L1, line.number}, {"reason"_L1, line.reason}});
    return QJsonObject{
        {"file"_L1, path},
        {"records"_L1, all.records},
        {"malformed_lines"_L1, stats.malformedCount()},
        {"malformed"_L1, malformed},
        {"incomplete_tail"_L1, stats.hasIncompleteTail()},
        {"incomplete_tail_bytes"_L1, stats.incompleteTailBytes()},
        {"total_cost_usd"_L1, all.costUsd},
        {"input_tokens"_L1, all.tokens.inputTokens},
        {"output_tokens"_L1, all.tokens.outputTokens},
        {"cache_read_input_tokens"_L1, all.tokens.cacheReadInputTokens},
        {"cache_creation_input_tokens"_L1, all.tokens.cacheCreationInputTokens},
        {"avg_latency_ms"_L1, all.meanLatencyMs()},
        {"p50_latency_ms"_L1, all.p50LatencyMs},
        {"p95_latency_ms"_L1, all.p95LatencyMs},
        {"p99_latency_ms"_L1, all.p99LatencyMs},
        {"cache_hit_rate"_L1, all.cacheHitRate()},
        {"errors"_L1, all.errors},
        {"by_model"_L1, groupsToJson(stats.byModel())},
        {"by_feature"_L1, groupsToJson(stats.byFeature())},
    };
}

QString count(qint64 value)
{
    return QLocale(QLocale::English).toString(value);
}

QString milliseconds(double value)
{
    return QLocale(QLocale::English).toString(value, 'f', value == std::floor(value) ? 0 : 1)
           + u" ms"_s;
}

void printGroups(const QString &heading, const QList<GroupStats> &groups)
{
    qsizetype width = heading.size();
    for (const GroupStats &group : groups)
        width = std::max(width, group.name.size());
    Cli::printLine();
    Cli::printLine(u"%1  %2  %3  %4  %5"_s.arg(heading.leftJustified(width), u"records"_s,
                                               u"cost (USD)"_s.rightJustified(14),
                                               u"mean latency"_s, u"p99 latency"_s));
    for (const GroupStats &group : groups) {
        Cli::printLine(u"%1  %2  %3  %4  %5"_s.arg(
            group.name.leftJustified(width), count(group.records).rightJustified(7),
            QString::number(group.costUsd, 'f', 6).rightJustified(14),
            milliseconds(group.meanLatencyMs()).rightJustified(12),
            milliseconds(group.p99LatencyMs).rightJustified(11)));
    }
}

void printStats(const QString &path, const LogStats &stats)
{
    const GroupStats all = stats.overall();
    Cli::printLine(u"%1: %2 calls"_s.arg(path, count(all.records)));
    if (stats.malformedCount() > 0) {
        QStringList numbers;
        for (const MalformedLine &line : stats.malformedLines().first(
                 std::min(stats.malformedLines().size(), malformedLinesShown)))
            numbers.append(QString::number(line.number));
        QString list = numbers.join(u", "_s);
        if (stats.malformedCount() > numbers.size())
            list += u" and %1 more"_s.arg(count(stats.malformedCount() - numbers.size()));
        Cli::printLine(u"Malformed lines  %1 (%2 %3), skipped"_s.arg(
            count(stats.malformedCount()), numbers.size() == 1 ? u"line"_s : u"lines"_s, list));
    }
    if (stats.hasIncompleteTail()) {
        Cli::printLine(u"Incomplete tail  the last %1 bytes have no newline yet, not counted"_s.arg(
            stats.incompleteTailBytes()));
    }
    Cli::printLine(u"Total cost       "_s + Cli::formatUsd(all.costUsd));
    Cli::printLine(u"Tokens           %1 input, %2 output, %3 cache read, %4 cache write"_s.arg(
        count(all.tokens.inputTokens), count(all.tokens.outputTokens),
        count(all.tokens.cacheReadInputTokens), count(all.tokens.cacheCreationInputTokens)));
    Cli::printLine(u"Latency          mean %1, p50 %2, p95 %3, p99 %4"_s.arg(
        milliseconds(all.meanLatencyMs()), milliseconds(all.p50LatencyMs),
        milliseconds(all.p95LatencyMs), milliseconds(all.p99LatencyMs)));
    Cli::printLine(u"Cache hit rate   %1% of input tokens read from the cache"_s.arg(
        all.cacheHitRate() * 100, 0, 'f', 2));
    if (all.errors > 0)
        Cli::printLine(u"Errors           %1 failed calls"_s.arg(count(all.errors)));
    printGroups(u"model"_s, stats.byModel());
    printGroups(u"feature"_s, stats.byFeature());
}

} // namespace

ExitStatus runStats(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Adds up a call log: cost, tokens, latency percentiles (nearest rank) and cache hit\n"
        "rate, overall, per model and per feature. Malformed lines are counted and skipped."_s);
    parser.addPositionalArgument(u"file"_s, u"The call log (llm_calls.jsonl)."_s);
    const QCommandLineOption json(u"json"_s, u"Print one JSON object."_s);
    const QCommandLineOption threads(
        u"threads"_s, u"Read the log on N threads (default: one per core)."_s, u"n"_s);
    parser.addOptions({json, threads, Cli::pricesOption()});
    if (const std::optional<ExitStatus> early = Cli::parse(parser, arguments))
        return *early;
    if (parser.positionalArguments().size() != 1)
        return Cli::fail(ExitStatus::BadUsage, u"stats: give exactly one log file"_s);

    std::optional<qint64> threadCount = QThread::idealThreadCount();
    if (parser.isSet(threads))
        threadCount = Cli::readInteger(parser, threads.names().constFirst(), 1, 256);
    if (!threadCount)
        return ExitStatus::BadUsage;

    const std::optional<PriceBook> prices = Cli::loadPrices(parser);
    if (!prices)
        return ExitStatus::Failure;
    const QString path = parser.positionalArguments().constFirst();
    const Expected<LogStats> stats = LogSummarizer::summarize(path, *prices, int(*threadCount));
    if (!stats)
        return Cli::fail(ExitStatus::Failure, stats.error());

    if (parser.isSet(json))
        Cli::printJson(statsToJson(path, *stats));
    else
        printStats(path, *stats);
    return ExitStatus::Success;
}
