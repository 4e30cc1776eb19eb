#include "costbreakdown.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>

using namespace Qt::Literals::StringLiterals;

namespace {

QString formatRate(double usdPerMillion)
{
    return u"$"_s + QString::number(usdPerMillion, 'f', 2) + u"/M"_s;
}

// Rounds the parts to whole micro-dollars so that they add up to `total`: each part is rounded
// down, and the micro-dollars still missing go to the parts that lost the most.
void apportion(std::array<CostPart, CostBreakdown::partCount> &parts, qint64 total)
{
    std::array<int, CostBreakdown::partCount> order{};
    std::iota(order.begin(), order.end(), 0);
    qint64 shown = 0;
    for (CostPart &part : parts) {
        part.shownMicroUsd = qint64(std::floor(part.microUsd));
        shown += part.shownMicroUsd;
    }
    std::stable_sort(order.begin(), order.end(), [&parts](int a, int b) {
        const double lostA = parts.at(a).microUsd - double(parts.at(a).shownMicroUsd);
        const double lostB = parts.at(b).microUsd - double(parts.at(b).shownMicroUsd);
        return lostA > lostB;
    });
    for (int i = 0; shown < total && i < CostBreakdown::partCount; ++i, ++shown)
        ++parts.at(order.at(i)).shownMicroUsd;
}

} // namespace

CostBreakdown CostBreakdown::of(const ModelPrice &price, const TokenUsage &usage)
{
    const qint64 written1h = usage.cacheCreation1hInputTokens;
    const qint64 written5m = usage.cacheCreationInputTokens - written1h;
    const double write5m = double(written5m) * price.cacheWrite5m;
    const double write1h = double(written1h) * price.cacheWrite1h;

    CostBreakdown breakdown;
    breakdown.m_parts = {{
        {u"Uncached input"_s, usage.inputTokens, formatRate(price.input),
         double(usage.inputTokens) * price.input, 0},
        {u"Cache write"_s, usage.cacheCreationInputTokens,
         written1h == 0 ? formatRate(price.cacheWrite5m)
         : written5m == 0
             ? formatRate(price.cacheWrite1h)
             : formatRate(price.cacheWrite5m) + u" + "_s + formatRate(price.cacheWrite1h),
         write5m + write1h, 0},
        {u"Cache read"_s, usage.cacheReadInputTokens, formatRate(price.cacheRead),
         double(usage.cacheReadInputTokens) * price.cacheRead, 0},
        {u"Output"_s, usage.outputTokens, formatRate(price.output),
         double(usage.outputTokens) * price.output, 0},
    }};

    // The same terms in the same order as ModelPrice::cost(), so the totals agree exactly.
    const double microUsd = breakdown.m_parts[UncachedInput].microUsd
                            + breakdown.m_parts[Output].microUsd
                            + breakdown.m_parts[CacheRead].microUsd + write5m + write1h;
    breakdown.m_totalUsd = microUsd / 1e6;
    breakdown.m_shownTotalMicroUsd = std::llround(microUsd);
    apportion(breakdown.m_parts, breakdown.m_shownTotalMicroUsd);
    return breakdown;
}

QString CostBreakdown::formatMicroUsd(qint64 microUsd)
{
    const QString sign = microUsd < 0 ? u"-"_s : QString();
    const qint64 magnitude = std::abs(microUsd);
    return sign + u"$"_s + QString::number(magnitude / 1'000'000) + u'.'
           + QString::number(magnitude % 1'000'000).rightJustified(6, u'0');
}
