#pragma once

#include "pricing/pricebook.h"
#include "session/queryrun.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

// The exit statuses every command shares: scripts rely on them.
enum class ExitStatus : int {
    Success = 0,
    Failure = 1,  // the work could not be done: a missing file, an unknown model
    BadUsage = 2, // the command line itself is wrong
};

// A subcommand of opsbench-cli: its name, a line for the overview, and the function that runs
// it with the arguments that follow the name (arguments.first() is "opsbench-cli NAME").
struct CliCommand
{
    QString name;
    QString summary;
    ExitStatus (*run)(const QStringList &arguments);
};

// The helpers below print to standard output and error and hold no state.
namespace Cli {

// Prints "opsbench-cli: <message>" on standard error and returns `status`, so a command can
// end with `return Cli::fail(ExitStatus::BadUsage, ...)`.
ExitStatus fail(ExitStatus status, const QString &message);

// Parses the command line; on a usage error it prints the reason and returns BadUsage. With
// --help it prints the help text and returns Success. Otherwise it returns nothing and the
// command goes on.
std::optional<ExitStatus> parse(QCommandLineParser &parser, const QStringList &arguments);

// Reads option `name` as a number in [minimum, maximum]; on failure prints a message naming
// the option and the text and returns nothing.
std::optional<double> readNumber(const QCommandLineParser &parser, const QString &name,
                                 double minimum, double maximum);
std::optional<qint64> readInteger(const QCommandLineParser &parser, const QString &name,
                                  qint64 minimum, qint64 maximum);

// The option every pricing command takes: --prices FILE, a file that overrides or adds prices.
QCommandLineOption pricesOption();

// The built-in prices with the --prices file applied; on failure prints the reason (naming the
// file) and returns nothing.
std::optional<PriceBook> loadPrices(const QCommandLineParser &parser);

// A whole UTF-8 text file, or nothing after printing a reason that names it; `what` names it
// ("the system prompt file"). A file over `maxBytes` is refused before it is read.
std::optional<QString> readTextFile(const QString &path, const QString &what, qint64 maxBytes);

void printJson(const QJsonObject &object);
// One query of a run as JSON: the query, attempts, route reason, the record's figures, the error.
QJsonObject outcomeToJson(const QueryOutcome &outcome);
void printLine(const QString &line = QString());

// USD with enough decimals that no cent, and no micro-dollar, is hidden: "$0.002235".
QString formatUsd(double usd);

} // namespace Cli
