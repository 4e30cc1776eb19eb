#pragma once

#include "economics/capacityplan.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>

#include <optional>

// The options that describe a deployment (traffic, tokens, model, routing, caching and the
// rate-limit table), shared by every command that sizes one.
namespace Cli {

QList<QCommandLineOption> scenarioOptions();

// The scenario the options describe; on a bad value prints a message naming the option and
// returns nothing (a usage error).
std::optional<CapacityScenario> readScenario(const QCommandLineParser &parser);

// The --limits table, or the built-in one; on failure prints the reason and returns nothing.
std::optional<RateLimitTable> loadLimits(const QCommandLineParser &parser);

} // namespace Cli
