#include "clicommand.h"
#include "clicommands.h"

#include "session/callsession.h"
#include "session/queryrun.h"
#include "sim/simulator.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLocale>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace {

QString count(qint64 value)
{
    return QLocale(QLocale::English).toString(value);
}

QString callLine(int index, int total, const QueryOutcome &outcome)
{
    const QString position = u"[%1/%2]"_s.arg(index + 1).arg(total);
    if (!outcome.record) // refused by the router's cost guard: nothing was sent
        return u"%1 not sent: %2"_s.arg(position, outcome.error->message);
    const CallRecord &record = *outcome.record;
    QString line = u"%1 %2  %3  in %4 · cache write %5 · cache read %6 · out %7  %8  %9 ms"_s.arg(
        position, record.model, record.finishReason, count(record.inputTokens),
        count(record.cacheCreationInputTokens), count(record.cacheReadInputTokens),
        count(record.outputTokens), Cli::formatUsd(record.costUsd), count(record.latencyMs));
    if (outcome.attempts > 1)
        line += u"  (%1 attempts)"_s.arg(outcome.attempts);
    if (outcome.error)
        line += u"\n      failed: "_s + outcome.error->describe();
    return line;
}

QJsonObject summaryToJson(const GroupStats &all)
{
    return QJsonObject{{"records"_L1, all.records},
                       {"total_cost_usd"_L1, all.costUsd},
                       {"avg_latency_ms"_L1, all.meanLatencyMs()},
                       {"p50_latency_ms"_L1, all.p50LatencyMs},
                       {"p95_latency_ms"_L1, all.p95LatencyMs},
                       {"p99_latency_ms"_L1, all.p99LatencyMs},
                       {"cache_hit_rate"_L1, all.cacheHitRate()},
                       {"errors"_L1, all.errors}};
}

std::optional<double> secondsOption(const QCommandLineParser &parser, const QString &name)
{
    return Cli::readNumber(parser, name, 0, 3600);
}

} // namespace

ExitStatus runRun(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Sends queries one after another (the five bundled test questions by default), logs\n"
        "every call, and prints each call and the run's totals. With no API key and no base\n"
        "URL the calls go to the built-in simulator."_s);
    const QCommandLineOption baseUrl(u"base-url"_s, u"Send to this base URL."_s, u"url"_s);
    const QCommandLineOption apiVersion(u"api-version"_s,
                                        u"2023-06-01 (x-api-key, the default) or 2026-10-21 "
                                        "(Authorization: Bearer)."_s,
                                        u"version"_s, u"2023-06-01"_s);
    const QCommandLineOption model(u"model"_s, u"The model for every query."_s, u"id"_s,
                                   u"claude-haiku-4-5-20251001"_s);
    const QCommandLineOption route(u"route"_s, u"Let the router pick each query's model."_s);
    const QCommandLineOption rules(u"rules"_s, u"Router rules file (with --route)."_s, u"file"_s);
    const QCommandLineOption cache(u"cache"_s, u"Cache the system prompt (5 minutes)."_s);
    const QCommandLineOption cacheTtl(u"cache-ttl"_s, u"5m (default) or 1h, with --cache."_s,
                                      u"ttl"_s, u"5m"_s);
    const QCommandLineOption rag(u"rag"_s, u"Put retrieved passages before each question."_s);
    const QCommandLineOption corpus(u"corpus"_s,
                                    u"Folder of .md/.txt documents (default: the bundled help "
                                    "centre)."_s,
                                    u"dir"_s);
    const QCommandLineOption topK(u"top-k"_s, u"Passages per question (default 3)."_s, u"n"_s,
                                  u"3"_s);
    const QCommandLineOption queries(u"queries"_s, u"A file with one query per line."_s, u"file"_s);
    const QCommandLineOption systemPrompt(u"system-prompt-file"_s,
                                          u"The system prompt (default: the bundled support "
                                          "agent's handbook)."_s,
                                          u"file"_s);
    const QCommandLineOption stream(u"stream"_s, u"Stream the answers."_s);
    const QCommandLineOption maxTokens(u"max-tokens"_s, u"Default 400."_s, u"n"_s, u"400"_s);
    const QCommandLineOption log(u"log"_s, u"The call log (default ./llm_calls.jsonl)."_s,
                                 u"file"_s, u"llm_calls.jsonl"_s);
    const QCommandLineOption logPrompts(
        u"log-prompts"_s,
        u"Also write each query and its answer into the --log file (off by default: the log "
        "holds counts and a hash of the system prompt only). Anyone who can read that file can "
        "then read them."_s);
    const QCommandLineOption feature(u"feature"_s,
                                     u"The feature name logged (default rag_answer with --rag, "
                                     "else prompt)."_s,
                                     u"name"_s);
    const QCommandLineOption userId(u"user-id"_s, u"The user id logged."_s, u"id"_s,
                                    u"anonymous"_s);
    const QCommandLineOption maxAttempts(u"max-attempts"_s, u"Default 5."_s, u"n"_s, u"5"_s);
    const QCommandLineOption baseDelay(
        u"base-delay"_s, u"Seconds before the first retry (default 1)."_s, u"s"_s, u"1"_s);
    const QCommandLineOption maxDelay(u"max-delay"_s, u"Longest wait in seconds (default 60)."_s,
                                      u"s"_s, u"60"_s);
    const QCommandLineOption timeout(u"timeout"_s,
                                     u"Seconds without data before an attempt fails (default "
                                     "600)."_s,
                                     u"s"_s, u"600"_s);
    const QCommandLineOption simLatency(u"sim-latency-scale"_s,
                                        u"Built-in simulator only: 0 answers at once, 1 "
                                        "(default) as the real API."_s,
                                        u"x"_s, u"1"_s);
    const QCommandLineOption json(u"json"_s, u"Print one JSON object."_s);
    parser.addOptions({baseUrl,    apiVersion,   model,      route,       rules,
                       cache,      cacheTtl,     rag,        corpus,      topK,
                       queries,    systemPrompt, stream,     maxTokens,   log,
                       logPrompts, feature,      userId,     maxAttempts, baseDelay,
                       maxDelay,   timeout,      simLatency, json,        Cli::pricesOption()});
    if (const std::optional<ExitStatus> early = Cli::parse(parser, arguments))
        return *early;
    if (!parser.positionalArguments().isEmpty())
        return Cli::fail(ExitStatus::BadUsage, u"run takes no arguments, only options"_s);
    if (parser.isSet(route) && parser.isSet(model))
        return Cli::fail(ExitStatus::BadUsage, u"give --model or --route, not both"_s);

    SessionOptions session;
    session.baseUrl = parser.value(baseUrl);
    session.logPath = parser.value(log);
    session.logPrompts = parser.isSet(logPrompts);
    session.pricesPath = parser.value(u"prices"_s);
    const QString version = parser.value(apiVersion);
    if (version == "2026-10-21"_L1)
        session.version = ApiVersion::Version2026;
    else if (version != "2023-06-01"_L1)
        return Cli::fail(
            ExitStatus::BadUsage,
            u"--api-version: \"%1\" is neither 2023-06-01 nor 2026-10-21"_s.arg(version));
    const auto attempts = Cli::readInteger(parser, u"max-attempts"_s, 1, 100);
    const auto firstDelay = secondsOption(parser, u"base-delay"_s);
    const auto longestDelay = secondsOption(parser, u"max-delay"_s);
    const auto timeoutSeconds = Cli::readNumber(parser, u"timeout"_s, 0.1, 3600);
    const auto latencyScale = Cli::readNumber(parser, u"sim-latency-scale"_s, 0, 100);
    const auto tokens = Cli::readInteger(parser, u"max-tokens"_s, 1, 128'000);
    const auto passages = Cli::readInteger(parser, u"top-k"_s, 1, 50);
    if (!attempts || !firstDelay || !longestDelay || !timeoutSeconds || !latencyScale || !tokens
        || !passages)
        return ExitStatus::BadUsage;
    session.retry.setMaxAttempts(int(*attempts));
    session.retry.setBaseDelayMs(qint64(*firstDelay * 1000));
    session.retry.setMaxDelayMs(qint64(*longestDelay * 1000));
    session.transferTimeoutMs = int(*timeoutSeconds * 1000);
    session.simulatorLatencyScale = *latencyScale;

    QueryRunOptions options;
    options.model = parser.value(model);
    options.maxTokens = int(*tokens);
    options.topK = int(*passages);
    options.stream = parser.isSet(stream);
    options.userId = parser.value(userId);
    options.feature = parser.isSet(feature) ? parser.value(feature)
                                            : (parser.isSet(rag) ? u"rag_answer"_s : u"prompt"_s);
    if (parser.isSet(cache)) {
        const QString ttl = parser.value(cacheTtl);
        if (ttl != "5m"_L1 && ttl != "1h"_L1)
            return Cli::fail(ExitStatus::BadUsage,
                             u"--cache-ttl: \"%1\" is neither 5m nor 1h"_s.arg(ttl));
        options.cache = ttl == "1h"_L1 ? CacheTtl::OneHour : CacheTtl::FiveMinutes;
    }
    if (parser.isSet(systemPrompt)) {
        const std::optional<QString> text = Cli::readTextFile(
            parser.value(systemPrompt), u"the system prompt file"_s, MessageRequest::maxBodyBytes);
        if (!text)
            return ExitStatus::Failure;
        options.systemPrompt = *text;
    } else {
        options.systemPrompt = QueryRun::builtInSystemPrompt();
    }
    QStringList queryList = QueryRun::builtInQueries();
    if (parser.isSet(queries)) {
        const std::optional<QString> text = Cli::readTextFile(
            parser.value(queries), u"the queries file"_s, MessageRequest::maxBodyBytes);
        if (!text)
            return ExitStatus::Failure;
        queryList.clear();
        for (const QString &line : text->split(u'\n')) {
            if (!line.trimmed().isEmpty())
                queryList.append(line.trimmed());
        }
        if (queryList.isEmpty())
            return Cli::fail(ExitStatus::Failure,
                             u"%1: no queries in it"_s.arg(parser.value(queries)));
    }

    CallSession callSession;
    if (const Expected<void> started = callSession.start(session); !started)
        return Cli::fail(ExitStatus::Failure, started.error());
    if (callSession.backend() == Backend::Simulator) {
        std::fprintf(stderr, "opsbench-cli: no API key, so the built-in simulator answers (%s)\n",
                     qUtf8Printable(callSession.baseUrl().toString()));
    }

    QueryRun run(&callSession);
    run.setQueries(queryList);
    run.setOptions(options);
    if (parser.isSet(rag)) {
        Expected<Retriever> retriever = parser.isSet(corpus)
                                            ? Retriever::fromFolder(parser.value(corpus))
                                            : Retriever::builtInCorpus();
        if (!retriever)
            return Cli::fail(ExitStatus::Failure, retriever.error());
        run.setRetriever(std::make_shared<const Retriever>(std::move(retriever).value()));
    }
    if (parser.isSet(route)) {
        Expected<RouterRules> loaded = RouterRules::load(parser.value(rules));
        if (!loaded)
            return Cli::fail(ExitStatus::Failure, loaded.error());
        Expected<ModelRouter> router =
            ModelRouter::create(std::move(loaded).value(), callSession.prices());
        if (!router)
            return Cli::fail(ExitStatus::Failure, router.error());
        run.setRouter(std::make_shared<const ModelRouter>(std::move(router).value()));
    }

    const bool asJson = parser.isSet(json);
    if (!asJson) {
        Cli::printLine(u"Calls go to %1; logged to %2"_s.arg(callSession.backendDescription(),
                                                             callSession.logPath()));
        QObject::connect(&run, &QueryRun::retryScheduled, &run,
                         [](int index, int attempt, qint64 waitMs, const ApiError &error) {
                             Cli::printLine(
                                 u"[%1] attempt %2 failed (%3); retrying in %4 s"_s.arg(index + 1)
                                     .arg(attempt)
                                     .arg(error.type.isEmpty() ? error.message : error.type)
                                     .arg(waitMs / 1000.0, 0, 'f', 2));
                         });
        QObject::connect(&run, &QueryRun::queryFinished, &run, [&run, &queryList](int index) {
            Cli::printLine(callLine(index, int(queryList.size()), run.outcomes().at(index)));
        });
    }
    QObject::connect(&run, &QueryRun::finished, QCoreApplication::instance(),
                     &QCoreApplication::quit);
    run.start();
    QCoreApplication::exec();

    const Expected<LogStats> summary = run.summary();
    if (!summary)
        return Cli::fail(ExitStatus::Failure, summary.error());
    const GroupStats all = summary->overall();
    if (asJson) {
        QJsonArray calls;
        for (const QueryOutcome &outcome : run.outcomes())
            calls.append(Cli::outcomeToJson(outcome));
        Cli::printJson(QJsonObject{{"backend"_L1, callSession.backendDescription()},
                                   {"base_url"_L1, callSession.baseUrl().toString()},
                                   {"log"_L1, callSession.logPath()},
                                   {"calls"_L1, calls},
                                   {"summary"_L1, summaryToJson(all)}});
    } else {
        Cli::printLine();
        Cli::printLine(
            u"%1 calls: total cost %2, average latency %3 ms, cache hit rate %4% "
            "(%5 of %6 input tokens read from the cache)"_s.arg(all.records)
                .arg(Cli::formatUsd(all.costUsd))
                .arg(QLocale(QLocale::English).toString(all.meanLatencyMs(), 'f', 0))
                .arg(all.cacheHitRate() * 100, 0, 'f', 1)
                .arg(count(all.tokens.cacheReadInputTokens), count(all.tokens.totalInputTokens())));
    }
    if (const int failed = run.failures(); failed > 0) {
        return Cli::fail(ExitStatus::Failure,
                         u"%1 of %2 calls failed"_s.arg(failed).arg(queryList.size()));
    }
    return ExitStatus::Success;
}
