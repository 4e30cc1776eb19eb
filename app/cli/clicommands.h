#pragma once

#include "clicommand.h"

// The commands of opsbench-cli, one file each. Each takes the arguments after its name.
ExitStatus runCacheCalc(const QStringList &arguments);
ExitStatus runPlan(const QStringList &arguments);
ExitStatus runReport(const QStringList &arguments);
ExitStatus runRoute(const QStringList &arguments);
ExitStatus runRun(const QStringList &arguments);
ExitStatus runScenario(const QStringList &arguments);
ExitStatus runSim(const QStringList &arguments);
ExitStatus runStats(const QStringList &arguments);
