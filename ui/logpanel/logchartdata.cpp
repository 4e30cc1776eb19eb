#include "logchartdata.h"

#include <algorithm>
#include <cmath>

CumulativeCostLine::CumulativeCostLine(int maxBuckets)
    : m_maxBuckets(std::max(2, maxBuckets))
{}

void CumulativeCostLine::add(qint64 timeMs, double costUsd)
{
    if (m_buckets.empty())
        m_firstTimeMs = timeMs;
    m_lastTimeMs = timeMs;
    m_total += costUsd;
    while ((timeMs - m_firstTimeMs) / m_widthMs >= m_maxBuckets) {
        // Bucket k of twice the width is buckets 2k and 2k + 1 of this one.
        std::vector<std::optional<Bucket>> wider((m_buckets.size() + 1) / 2);
        for (std::size_t i = 0; i < wider.size(); ++i) {
            wider[i] =
                merged(m_buckets[2 * i], 2 * i + 1 < m_buckets.size() ? m_buckets[2 * i + 1]
                                                                      : std::optional<Bucket>());
        }
        m_buckets = std::move(wider);
        m_widthMs *= 2;
    }

    const auto index = std::size_t((timeMs - m_firstTimeMs) / m_widthMs);
    if (index >= m_buckets.size())
        m_buckets.resize(index + 1);
    const QPointF point(double(timeMs), m_total);
    std::optional<Bucket> &bucket = m_buckets[index];
    if (!bucket) {
        bucket = Bucket{point, point};
        return;
    }
    if (m_total < bucket->low.y())
        bucket->low = point;
    if (m_total >= bucket->high.y())
        bucket->high = point;
}

std::optional<CumulativeCostLine::Bucket>
CumulativeCostLine::merged(const std::optional<Bucket> &earlier, const std::optional<Bucket> &later)
{
    if (!earlier || !later)
        return earlier ? earlier : later;
    // As if the later bucket's calls had been added to the earlier one: a lower total replaces
    // the lowest only when strictly lower, a higher or equal one replaces the highest.
    Bucket bucket = *earlier;
    if (later->low.y() < bucket.low.y())
        bucket.low = later->low;
    if (later->high.y() >= bucket.high.y())
        bucket.high = later->high;
    return bucket;
}

QList<QPointF> CumulativeCostLine::points() const
{
    QList<QPointF> points;
    points.reserve(qsizetype(2 * m_buckets.size()));
    for (const std::optional<Bucket> &bucket : m_buckets) {
        if (!bucket)
            continue;
        points.append(bucket->low);
        if (bucket->high != bucket->low)
            points.append(bucket->high);
    }
    return points;
}

void CostById::add(quint32 id, double costUsd)
{
    if (id >= m_sums.size()) {
        m_sums.resize(id + 1, 0);
        m_seen.resize(id + 1, false);
    }
    m_sums[id] += costUsd;
    m_seen[id] = true;
}

QList<LogChartData::Share> CostById::shares() const
{
    QList<LogChartData::Share> shares;
    for (quint32 id = 0; id < m_sums.size(); ++id) {
        if (m_seen[id])
            shares.append({id, m_sums[id]});
    }
    std::stable_sort(shares.begin(), shares.end(),
                     [](const auto &a, const auto &b) { return a.costUsd > b.costUsd; });
    return shares;
}

QList<LogChartData::Bin> LogChartData::emptyLatencyBins(double p99LatencyMs, int latencyBinCount)
{
    const double top = std::max(1.0, p99LatencyMs * 1.2);
    const double width = top / latencyBinCount;
    QList<Bin> bins;
    bins.reserve(latencyBinCount);
    for (int i = 0; i < latencyBinCount; ++i)
        bins.append({i * width, (i + 1) * width, 0});
    return bins;
}

int LogChartData::binOf(const QList<Bin> &bins, double latencyMs)
{
    const double width = bins.first().toMs - bins.first().fromMs;
    return std::clamp(int(latencyMs / width), 0, int(bins.size()) - 1);
}

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
        return records.block(row).timestampMs(LogRecords::slot(row));
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
    CumulativeCostLine line(buckets);
    for (const quint32 row : timed)
        line.add(time(row), records.block(row).costUsd(LogRecords::slot(row)));
    data.cumulativeCost = line.points();

    data.latencyBins = emptyLatencyBins(summary.p99LatencyMs, latencyBinCount);
    CostById models;
    CostById features;
    for (const quint32 row : rows) {
        const LogRecords::Block &b = records.block(row);
        const qsizetype i = LogRecords::slot(row);
        ++data.latencyBins[binOf(data.latencyBins, b.latencyMs(i))].calls;
        models.add(b.model(i), b.costUsd(i));
        features.add(b.feature(i), b.costUsd(i));
    }
    data.costByModel = models.shares();
    data.costByFeature = features.shares();
    return data;
}
