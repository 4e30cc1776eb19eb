#include "logging.h"

Q_LOGGING_CATEGORY(lcPricing, "opsbench.pricing", QtInfoMsg)
Q_LOGGING_CATEGORY(lcLog, "opsbench.log", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRouter, "opsbench.router", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEconomics, "opsbench.economics", QtInfoMsg)
Q_LOGGING_CATEGORY(lcClient, "opsbench.client", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRetry, "opsbench.retry", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSim, "opsbench.sim", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRag, "opsbench.rag", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCli, "opsbench.cli", QtInfoMsg)
