#include "routerreplay.h"

#include "calllog/calllogreader.h"
#include "pricing/pricebook.h"
#include "router/routerrules.h"

using namespace Qt::Literals::StringLiterals;

std::optional<RouteTier> RouterReplay::tierOf(QStringView modelId)
{
    for (RouteTier tier : allRouteTiers) {
        if (modelId.contains(routeTierName(tier), Qt::CaseInsensitive))
            return tier;
    }
    return std::nullopt;
}

Expected<RouterReplay> RouterReplay::fromLog(const QString &path, const RouterRules &rules,
                                             const PriceBook &prices)
{
    std::array<ModelPrice, 3> tierPrices;
    for (RouteTier tier : allRouteTiers) {
        const Expected<ModelPrice> price = prices.lookup(rules.model(tier));
        if (!price)
            return Failure{price.error()};
        tierPrices[size_t(tier)] = *price;
    }

    RouterReplay replay;
    CallLogReader reader(prices);
    const Expected<void> scanned = reader.scan(path, [&](const LogLine &line) {
        if (line.kind != LogLine::Kind::Record || line.isError())
            return;
        ++replay.calls;
        replay.loggedUsd += line.costUsd;
        for (RouteTier tier : allRouteTiers)
            replay.allOnTierUsd[size_t(tier)] += tierPrices[size_t(tier)].cost(line.usage);
        const std::optional<RouteTier> tier = tierOf(line.model.toString());
        if (tier) {
            replay.routedUsd += tierPrices[size_t(*tier)].cost(line.usage);
        } else {
            ++replay.untieredCalls;
            replay.routedUsd += line.costUsd;
        }
    });
    if (!scanned)
        return Failure{scanned.error()};
    return replay;
}
