#include "logchartdata.h"

#include <algorithm>
#include <cmath>

namespace {

// Sums per name id; ids are small and dense, so a vector beats a map by far on a million calls.
class CostById
{
public:
    void add(quint32 id, double costUsd)
    {
        if (id >= m_sums.size()) {
            m_sums.resize(id + 1, 0);
            m_seen.resize(id + 1, false);
        }
        m_sums[id] += costUsd;
        m_seen[id] = true;
    }
    const std::vector<double> &sums() const { return m_sums; }
    bool seen(quint32 id) const { return m_seen[id]; }

private:
    std::vector<double> m_sums;
    std::vector<bool> m_seen;
};

QList<LogChartData::Share> byCost(const CostById &sums)
{
    QList<LogChartData::Share> shares;
    for (quint32 id = 0; id < sums.sums().size(); ++id) {
        if (sums.seen(id))
            shares.append({id, sums.sums()[id]});
    }
    std::sort(shares.begin(), shares.end(),
              [](const auto &a, const auto &b) { return a.costUsd > b.costUsd; });
    return shares;
}

} // namespace

LogChartData LogChartData::compute(const LogRecords &records, const std::vector<quint32> &rows,
                                   const LogViewSummary &summary, int buckets, int latencyBinCount)
{
    LogChartData data;
    data.p50LatencyMs = summary.p50LatencyMs;
    data.p95LatencyMs = summary.p95LatencyMs;
    data.p99LatencyMs = summary.p99LatencyMs;
    if (rows.empty())
        return data;

    const auto time = [&records](quint32 row) {
        return records.block(row).timestampMs[LogRecords::slot(row)];
    };
    std::vector<quint32> timed;
    timed.reserve(rows.size());
    for (const quint32 row : rows) {
        if (time(row) != IndexedCall::noTimestamp)
            timed.push_back(row);
    }
    const auto earlier = [&time](quint32 a, quint32 b) {
        return time(a) < time(b) || (time(a) == time(b) && a < b);
    };
    if (!std::is_sorted(timed.begin(), timed.end(), earlier))
        std::sort(timed.begin(), timed.end(), earlier);

    if (!timed.empty()) {
        const double first = double(time(timed.front()));
        const double span = std::max(1.0, double(time(timed.back())) - first);
        double total = 0;
        int bucket = -1;
        QPointF low;
        QPointF high;
        const auto flush = [&] {
            data.cumulativeCost.append(low);
            if (high != low)
                data.cumulativeCost.append(high);
        };
        for (const quint32 row : timed) {
            total += records.block(row).costUsd[LogRecords::slot(row)];
            const double t = double(time(row));
            const int b = std::min(buckets - 1, int((t - first) / span * buckets));
            const QPointF point(t, total);
            if (b != bucket) {
                if (bucket >= 0)
                    flush();
                bucket = b;
                low = high = point;
            } else {
                if (total < low.y())
                    low = point;
                if (total >= high.y())
                    high = point;
            }
        }
        flush();
    }

    // Bins up to a little past p99, so the bulk of the calls is not squeezed by rare outliers.
    const double top = std::max(1.0, summary.p99LatencyMs * 1.2);
    const double width = top / latencyBinCount;
    for (int i = 0; i < latencyBinCount; ++i)
        data.latencyBins.append({i * width, (i + 1) * width, 0});
    CostById models;
    CostById features;
    for (const quint32 row : rows) {
        const LogRecords::Block &b = records.block(row);
        const qsizetype i = LogRecords::slot(row);
        const int bin = std::clamp(int(b.latencyMs[i] / width), 0, latencyBinCount - 1);
        ++data.latencyBins[bin].calls;
        models.add(b.model[i], b.costUsd[i]);
        features.add(b.feature[i], b.costUsd[i]);
    }
    data.costByModel = byCost(models);
    data.costByFeature = byCost(features);
    return data;
}
