#pragma once

#include <QLoggingCategory>

// One category per area. Debug output is off by default; turn an area on with, for example,
// QT_LOGGING_RULES="opsbench.retry.debug=true". Keys, prompts and answers are never logged.
Q_DECLARE_LOGGING_CATEGORY(lcPricing)
Q_DECLARE_LOGGING_CATEGORY(lcLog)
Q_DECLARE_LOGGING_CATEGORY(lcRouter)
Q_DECLARE_LOGGING_CATEGORY(lcEconomics)
Q_DECLARE_LOGGING_CATEGORY(lcClient)
Q_DECLARE_LOGGING_CATEGORY(lcRetry)
Q_DECLARE_LOGGING_CATEGORY(lcSim)
Q_DECLARE_LOGGING_CATEGORY(lcRag)
Q_DECLARE_LOGGING_CATEGORY(lcCli)
