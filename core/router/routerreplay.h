#pragma once

#include "common/expected.h"
#include "router/routedecision.h"

#include <QString>
#include <QStringView>

#include <array>
#include <optional>

class PriceBook;
struct RouterRules;

// The calls of a log priced again under other model choices, from the tokens each call logged.
// A log keeps no prompt, so a call cannot be routed afresh: "as routed" keeps the tier the call
// was served on (Haiku, Sonnet or Opus, read from its model id) and prices it on the rules'
// model for that tier, which shows what changing the rules' model ids would have cost. The
// all-on-one-tier totals price every call on that tier's model.
//
// fromLog() fails, naming the path, when the log cannot be read, and naming the model id when
// one of the rules' models has no price. A call whose model names no tier keeps its logged cost
// in the "as routed" total and is counted in untieredCalls.
struct RouterReplay
{
    int calls = 0;
    int untieredCalls = 0;
    double loggedUsd = 0; // the calls as the log priced them
    double routedUsd = 0;
    std::array<double, 3> allOnTierUsd{}; // indexed by RouteTier

    static Expected<RouterReplay> fromLog(const QString &path, const RouterRules &rules,
                                          const PriceBook &prices);

    // The tier a model id belongs to by its family name ("claude-haiku-4-5" is Haiku).
    static std::optional<RouteTier> tierOf(QStringView modelId);
};
