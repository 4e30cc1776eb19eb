#include "clicommand.h"

#include "common/jsonfile.h"

#include <QJsonDocument>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace Cli {

ExitStatus fail(ExitStatus status, const QString &message)
{
    std::fprintf(stderr, "opsbench-cli: %s\n", qUtf8Printable(message));
    return status;
}

std::optional<ExitStatus> parse(QCommandLineParser &parser, const QStringList &arguments)
{
    const QCommandLineOption help(QStringList{u"h"_s, u"help"_s}, u"Show this help."_s);
    parser.addOption(help);
    if (!parser.parse(arguments))
        return fail(ExitStatus::BadUsage, parser.errorText());
    if (parser.isSet(help)) {
        std::fputs(qUtf8Printable(parser.helpText()), stdout);
        return ExitStatus::Success;
    }
    return std::nullopt;
}

std::optional<double> readNumber(const QCommandLineParser &parser, const QString &name,
                                 double minimum, double maximum)
{
    const QString text = parser.value(name);
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !(value >= minimum && value <= maximum)) {
        fail(ExitStatus::BadUsage, u"--%1: \"%2\" is not a number from %3 to %4"_s.arg(name, text)
                                       .arg(minimum)
                                       .arg(maximum));
        return std::nullopt;
    }
    return value;
}

std::optional<qint64> readInteger(const QCommandLineParser &parser, const QString &name,
                                  qint64 minimum, qint64 maximum)
{
    const QString text = parser.value(name);
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < minimum || value > maximum) {
        fail(ExitStatus::BadUsage,
             u"--%1: \"%2\" is not a whole number from %3 to %4"_s.arg(name, text)
                 .arg(minimum)
                 .arg(maximum));
        return std::nullopt;
    }
    return value;
}

QCommandLineOption pricesOption()
{
    return QCommandLineOption(u"prices"_s,
                              u"A JSON price file that overrides or adds to the built-in prices."_s,
                              u"file"_s);
}

std::optional<PriceBook> loadPrices(const QCommandLineParser &parser)
{
    Expected<PriceBook> prices = PriceBook::load(parser.value(u"prices"_s));
    if (!prices) {
        fail(ExitStatus::Failure, prices.error());
        return std::nullopt;
    }
    return std::move(prices).value();
}

std::optional<QString> readTextFile(const QString &path, const QString &what, qint64 maxBytes)
{
    const Expected<QByteArray> bytes = readDataFile(path, what, maxBytes);
    if (!bytes) {
        fail(ExitStatus::Failure, bytes.error());
        return std::nullopt;
    }
    return QString::fromUtf8(*bytes).replace(u"\r\n"_s, u"\n"_s);
}

QJsonObject outcomeToJson(const QueryOutcome &outcome)
{
    QJsonObject json{{"query"_L1, outcome.query}, {"attempts"_L1, outcome.attempts}};
    if (outcome.route)
        json.insert("route_reason"_L1, outcome.route->reason);
    if (outcome.record) {
        const CallRecord &record = *outcome.record;
        json.insert("request_id"_L1, record.requestId);
        json.insert("model"_L1, record.model);
        json.insert("finish_reason"_L1, record.finishReason);
        json.insert("input_tokens"_L1, record.inputTokens);
        json.insert("output_tokens"_L1, record.outputTokens);
        json.insert("cache_read_input_tokens"_L1, record.cacheReadInputTokens);
        json.insert("cache_creation_input_tokens"_L1, record.cacheCreationInputTokens);
        json.insert("cost_usd"_L1, record.costUsd);
        json.insert("latency_ms"_L1, record.latencyMs);
        json.insert("num_retrieved_docs"_L1, record.numRetrievedDocs);
    }
    if (outcome.error)
        json.insert("error"_L1, outcome.error->describe());
    return json;
}

void printJson(const QJsonObject &object)
{
    std::fputs(QJsonDocument(object).toJson(QJsonDocument::Indented).constData(), stdout);
}

void printLine(const QString &line)
{
    std::fputs(qUtf8Printable(line), stdout);
    std::fputc('\n', stdout);
}

QString formatUsd(double usd)
{
    // Six decimals show micro-dollars, which is where single calls live; larger sums still
    // show every cent.
    return u"$"_s + QString::number(usd, 'f', 6);
}

} // namespace Cli
