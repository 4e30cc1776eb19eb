#include "clicommand.h"
#include "clicommands.h"

#include "sim/simulator.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace {

// SIGINT and SIGTERM end the server cleanly: the handler only writes a byte to a socket, and the
// event loop, seeing it, quits (nothing else is safe inside a signal handler).
int signalSockets[2] = {-1, -1};

void onStopSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(signalSockets[0], &byte, 1);
}

bool quitOnStopSignals()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalSockets) != 0)
        return false;
    auto *notifier =
        new QSocketNotifier(signalSockets[1], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, QCoreApplication::instance(),
                     &QCoreApplication::quit);
    struct sigaction action = {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGINT, &action, nullptr) == 0
           && ::sigaction(SIGTERM, &action, nullptr) == 0;
}

QString exchangeLine(const SimExchange &exchange)
{
    QString line = u"%1 %2 %3 %4"_s.arg(exchange.requestId, exchange.method, exchange.path)
                       .arg(exchange.status);
    if (!exchange.model.isEmpty())
        line += u' ' + exchange.model;
    if (exchange.status == 200 && exchange.path.endsWith("/messages"_L1)) {
        line += u" in %1 read %2 write %3 out %4"_s.arg(exchange.usage.inputTokens)
                    .arg(exchange.usage.cacheReadInputTokens)
                    .arg(exchange.usage.cacheCreationInputTokens)
                    .arg(exchange.usage.outputTokens);
    }
    if (!exchange.errorType.isEmpty())
        line += u' ' + exchange.errorType;
    if (!exchange.fault.isEmpty())
        line += u" [fault: %1]"_s.arg(exchange.fault);
    return line + u" %1 ms"_s.arg(exchange.latencyMs);
}

} // namespace

ExitStatus runSim(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Serves an Anthropic-compatible Messages API on 127.0.0.1 until stopped (Ctrl+C).\n"
        "Any non-empty key is accepted. Faults apply to POST /v1/messages only."_s);
    const QCommandLineOption port(u"port"_s, u"Port to listen on; 0 picks a free one."_s, u"n"_s,
                                  u"0"_s);
    const QCommandLineOption seed(u"seed"_s, u"Seed for answers, latencies and faults."_s, u"n"_s,
                                  u"1"_s);
    const QCommandLineOption latencyScale(
        u"latency-scale"_s, u"0 answers at once; 1 (default) as the real API."_s, u"x"_s, u"1"_s);
    const QCommandLineOption cacheTtl(
        u"cache-ttl-s"_s, u"Replace both cache lifetimes with this many seconds."_s, u"s"_s);
    const QCommandLineOption tier(u"tier"_s, u"Rate-limit tier the headers report (1-4)."_s, u"n"_s,
                                  u"4"_s);
    const QCommandLineOption failFirst(u"fail-first"_s, u"Fail the first N requests."_s, u"n"_s,
                                       u"0"_s);
    const QCommandLineOption failStatus(u"fail-status"_s,
                                        u"Their status: 429 (default), 500, 502, 503, 504, 529."_s,
                                        u"code"_s, u"429"_s);
    const QCommandLineOption retryAfter(
        u"retry-after"_s, u"Send retry-after with this many seconds on faults."_s, u"s"_s, u"0"_s);
    const QCommandLineOption retryAfterMs(u"retry-after-ms"_s,
                                          u"Also send retry-after-ms with the same wait."_s);
    const QCommandLineOption errorRate(u"error-rate"_s, u"Fail this share of requests (0-1)."_s,
                                       u"p"_s, u"0"_s);
    const QCommandLineOption errorStatus(u"error-status"_s, u"Their status (default 529)."_s,
                                         u"code"_s, u"529"_s);
    const QCommandLineOption midStream(u"mid-stream-error-rate"_s,
                                       u"Share of streams that end with an overloaded_error "
                                       "event."_s,
                                       u"p"_s, u"0"_s);
    const QCommandLineOption stallRate(
        u"stall-rate"_s, u"Share of requests that stall before answering."_s, u"p"_s, u"0"_s);
    const QCommandLineOption stallMs(u"stall-ms"_s, u"How long a stall lasts (default 30000)."_s,
                                     u"ms"_s, u"30000"_s);
    const QCommandLineOption resetRate(
        u"reset-rate"_s, u"Share of answers whose connection is reset mid-body."_s, u"p"_s, u"0"_s);
    const QCommandLineOption truncateRate(
        u"truncate-rate"_s, u"Share of answers cut short by a clean close."_s, u"p"_s, u"0"_s);
    const QCommandLineOption quiet(u"quiet"_s, u"Print only the listening line."_s);
    parser.addOptions({port, seed, latencyScale, cacheTtl, tier, failFirst, failStatus, retryAfter,
                       retryAfterMs, errorRate, errorStatus, midStream, stallRate, stallMs,
                       resetRate, truncateRate, quiet});
    if (const std::optional<ExitStatus> early = Cli::parse(parser, arguments))
        return *early;
    if (!parser.positionalArguments().isEmpty())
        return Cli::fail(ExitStatus::BadUsage, u"sim takes no arguments, only options"_s);

    const auto portValue = Cli::readInteger(parser, u"port"_s, 0, 65535);
    const auto seedValue =
        Cli::readInteger(parser, u"seed"_s, 0, std::numeric_limits<qint64>::max());
    const auto scale = Cli::readNumber(parser, u"latency-scale"_s, 0, 100);
    const auto tierValue = Cli::readInteger(parser, u"tier"_s, 1, 4);
    const auto firstFailures = Cli::readInteger(parser, u"fail-first"_s, 0, 1'000'000);
    const auto failCode = Cli::readInteger(parser, u"fail-status"_s, 400, 599);
    const auto wait = Cli::readNumber(parser, u"retry-after"_s, 0, 86400);
    const auto rate = Cli::readNumber(parser, u"error-rate"_s, 0, 1);
    const auto rateCode = Cli::readInteger(parser, u"error-status"_s, 400, 599);
    const auto streamRate = Cli::readNumber(parser, u"mid-stream-error-rate"_s, 0, 1);
    const auto stalls = Cli::readNumber(parser, u"stall-rate"_s, 0, 1);
    const auto stallLength = Cli::readInteger(parser, u"stall-ms"_s, 0, 3'600'000);
    const auto resets = Cli::readNumber(parser, u"reset-rate"_s, 0, 1);
    const auto truncations = Cli::readNumber(parser, u"truncate-rate"_s, 0, 1);
    if (!portValue || !seedValue || !scale || !tierValue || !firstFailures || !failCode || !wait
        || !rate || !rateCode || !streamRate || !stalls || !stallLength || !resets || !truncations)
        return ExitStatus::BadUsage;

    Simulator simulator;
    simulator.setSeed(quint64(*seedValue));
    simulator.setLatencyScale(*scale);
    simulator.setRateLimitTier(int(*tierValue));
    if (parser.isSet(cacheTtl)) {
        const auto ttl = Cli::readInteger(parser, u"cache-ttl-s"_s, 1, 86400);
        if (!ttl)
            return ExitStatus::BadUsage;
        simulator.setCacheTtlOverride(int(*ttl));
    }
    SimFaults faults;
    faults.failFirst = int(*firstFailures);
    faults.failStatus = int(*failCode);
    faults.retryAfterSeconds = *wait;
    faults.retryAfterMs = parser.isSet(retryAfterMs);
    faults.errorRate = *rate;
    faults.errorStatus = int(*rateCode);
    faults.midStreamErrorRate = *streamRate;
    faults.stallRate = *stalls;
    faults.stallMs = int(*stallLength);
    faults.resetRate = *resets;
    faults.truncateRate = *truncations;
    simulator.setFaults(faults);

    if (const Expected<void> started = simulator.start(quint16(*portValue)); !started)
        return Cli::fail(ExitStatus::Failure, started.error());
    if (!quitOnStopSignals())
        return Cli::fail(ExitStatus::Failure, u"cannot watch for Ctrl+C"_s);
    if (!parser.isSet(quiet)) {
        QObject::connect(
            &simulator, &Simulator::responseFinished, &simulator,
            [](const SimExchange &exchange) { Cli::printLine(exchangeLine(exchange)); });
    }
    // Line-buffered even into a pipe, so a script waiting for the address sees it at once.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    Cli::printLine(u"listening on %1 (loopback only: other machines cannot connect)"_s.arg(
        simulator.baseUrl().toString()));
    std::fflush(stdout);
    QCoreApplication::exec();
    simulator.stop();
    return ExitStatus::Success;
}
