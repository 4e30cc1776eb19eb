#pragma once

#include "pricing/pricebook.h"
#include "pricing/tokenusage.h"

#include <QString>

#include <array>

// One of the four things a call is billed for.
struct CostPart
{
    QString name; // "Uncached input", "Cache write", "Cache read", "Output"
    qint64 tokens = 0;
    QString rate;             // "$1.00/M", or "$1.25/M + $2.00/M" for mixed cache-write TTLs
    double microUsd = 0;      // tokens times the rate: USD per million tokens times tokens
    qint64 shownMicroUsd = 0; // rounded so that the four shown parts add up to the shown total
};

// A call's cost split into uncached input, cache write, cache read and output, at one model's
// prices. The parts are summed in the order ModelPrice::cost() sums them, so totalUsd() is
// bit for bit the cost_usd the client logs for the same usage.
//
// Shown with six decimals, each part is a whole number of micro-dollars. Rounding every part on
// its own could make the four disagree with the rounded total by a micro-dollar, so they are
// rounded together (largest remainder): what the card shows always adds up.
class CostBreakdown
{
public:
    enum Part { UncachedInput, CacheWrite, CacheRead, Output };
    static constexpr int partCount = 4;

    static CostBreakdown of(const ModelPrice &price, const TokenUsage &usage);

    const CostPart &part(Part which) const { return m_parts.at(which); }
    double totalUsd() const { return m_totalUsd; }
    qint64 shownTotalMicroUsd() const { return m_shownTotalMicroUsd; }

    // "$0.001234": micro-dollars written as dollars with six decimals.
    static QString formatMicroUsd(qint64 microUsd);

private:
    std::array<CostPart, partCount> m_parts;
    double m_totalUsd = 0;
    qint64 m_shownTotalMicroUsd = 0;
};
