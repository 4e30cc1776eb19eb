#pragma once

#include "clicommand.h"

// The commands of opsbench-cli, one file each. Each takes the arguments after its name.
ExitStatus runRoute(const QStringList &arguments);
