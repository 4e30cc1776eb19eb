#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

// Nearest-rank percentiles, the definition behind every latency percentile Opsbench shows: the
// p-th percentile of n values is the value at rank ceil(p/100 * n) in ascending order. Two ways
// to find them, so that a million latencies never need a full sort: counting, when they are
// whole milliseconds in a modest span (the usual log), and selection in a copy otherwise.
namespace Percentiles {

// Zero-based index of the nearest-rank percentile p of n values. For a whole p and n below 2^53
// the product is exact, so the ceiling never rounds up by accident.
inline std::size_t nearestRankIndex(double p, std::size_t n)
{
    const auto rank = std::size_t(std::ceil(p * double(n) / 100));
    return std::clamp<std::size_t>(rank, 1, n) - 1;
}

// The percentiles `p` (ascending) of `count` whole values, not zero, counted per value:
// counts[i] of them equal lowest + i.
template<std::size_t N>
void fromCounts(const std::vector<std::uint32_t> &counts, double lowest, std::size_t count,
                const double (&p)[N], double *const (&results)[N])
{
    std::size_t seen = 0;
    std::size_t value = 0;
    for (std::size_t i = 0; i < N; ++i) {
        const std::size_t rank = nearestRankIndex(p[i], count) + 1;
        while (seen + counts[value] < rank)
            seen += counts[value++];
        *results[i] = lowest + double(value);
    }
}

// The percentiles `p` (ascending) of the `count` values that `forEach` visits (it calls its
// argument once per value), when every value is a whole number and their span is no wider than
// their count (or 65,536): one pass for the span, one to count each value, and no copy.
// Returns false, leaving `results` alone, for any other values.
template<typename ForEach, std::size_t N>
bool byCounting(const ForEach &forEach, std::size_t count, const double (&p)[N],
                double *const (&results)[N])
{
    double lowest = std::numeric_limits<double>::infinity();
    double highest = -lowest;
    bool whole = true;
    forEach([&](double value) {
        lowest = std::min(lowest, value);
        highest = std::max(highest, value);
        whole = whole && value == std::trunc(value);
    });
    const double span = highest - lowest + 1;
    if (count == 0 || !whole || !(span <= double(std::max<std::size_t>(count, 65536)))
        || count > std::numeric_limits<std::uint32_t>::max())
        return false;

    std::vector<std::uint32_t> counts(std::size_t(span), 0);
    forEach([&](double value) { ++counts[std::size_t(value - lowest)]; });
    fromCounts(counts, lowest, count, p, results);
    return true;
}

// The percentiles `p` (ascending) of `values`, which must not be empty and are reordered.
template<std::size_t N>
void bySelection(std::vector<double> &values, const double (&p)[N], double *const (&results)[N])
{
    // Each selection only has to look right of the previous one, which nth_element left
    // holding the larger values.
    auto from = values.begin();
    for (std::size_t i = 0; i < N; ++i) {
        const auto at = values.begin() + std::ptrdiff_t(nearestRankIndex(p[i], values.size()));
        std::nth_element(from, at, values.end());
        *results[i] = *at;
        from = at;
    }
}

} // namespace Percentiles
