#include "logviewfigures.h"

#include "calllog/percentiles.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

// Counting stops being worth it, in memory, past this span of latencies (a little over half an
// hour in milliseconds) unless there are even more calls; LogQuery::summarize() draws the same
// line between counting and selecting.
constexpr qint64 countedSpanMs = 65536;

} // namespace

LogViewFigures::LogViewFigures(qint64 errorId, int timeBuckets, int latencyBinCount)
    : m_errorId(errorId)
    , m_timeBuckets(timeBuckets)
    , m_latencyBinCount(latencyBinCount)
    , m_costLine(timeBuckets)
{}

void LogViewFigures::add(const LogRecords &records, std::span<const quint32> rows)
{
    for (const quint32 row : rows) {
        if (!m_extendable)
            return;
        const LogRecords::Block &b = records.block(row);
        const qsizetype i = LogRecords::slot(row);
        ++m_calls;
        m_cost.add(b.costUsd(i));
        m_latency.add(b.latencyMs(i));
        m_promptTokens += qint64(b.inputTokens(i)) + b.cacheReadTokens(i) + b.cacheWriteTokens(i);
        m_cacheReadTokens += b.cacheReadTokens(i);
        if (b.finishReason(i) == m_errorId)
            ++m_errors;
        countLatency(b.latencyMs(i));
        m_costByModel.add(b.model(i), b.costUsd(i));
        m_costByFeature.add(b.feature(i), b.costUsd(i));

        const qint64 time = b.timestampMs(i);
        if (time == IndexedCall::noTimestamp)
            continue; // not on the time line, as in LogChartData::compute()
        if (!m_costLine.isEmpty() && time < m_costLine.lastTimeMs())
            m_extendable = false;
        else
            m_costLine.add(time, b.costUsd(i));
    }
}

void LogViewFigures::countLatency(double latencyMs)
{
    const qint64 allowedSpan = std::max<qint64>(countedSpanMs, m_calls);
    if (latencyMs != std::trunc(latencyMs) || !(std::abs(latencyMs) < 1e15)
        || m_calls > std::numeric_limits<quint32>::max()) {
        m_extendable = false;
        return;
    }
    const auto ms = qint64(latencyMs);
    if (m_latencyCounts.empty()) {
        m_lowestLatencyMs = ms;
        m_latencyCounts.assign(1, 0);
    } else if (ms < m_lowestLatencyMs) {
        const qint64 highest = m_lowestLatencyMs + qint64(m_latencyCounts.size()) - 1;
        if (highest - ms + 1 > allowedSpan) {
            m_extendable = false;
            return;
        }
        m_latencyCounts.insert(m_latencyCounts.begin(), std::size_t(m_lowestLatencyMs - ms), 0);
        m_lowestLatencyMs = ms;
    } else if (ms - m_lowestLatencyMs >= qint64(m_latencyCounts.size())) {
        if (ms - m_lowestLatencyMs + 1 > allowedSpan) {
            m_extendable = false;
            return;
        }
        m_latencyCounts.resize(std::size_t(ms - m_lowestLatencyMs + 1), 0);
    }
    ++m_latencyCounts[std::size_t(ms - m_lowestLatencyMs)];
}

LogViewSummary LogViewFigures::summary() const
{
    LogViewSummary summary;
    summary.calls = m_calls;
    if (m_calls == 0)
        return summary;
    summary.errors = m_errors;
    summary.costUsd = m_cost.value();
    summary.meanLatencyMs = m_latency.value() / double(m_calls);
    summary.cacheHitRate =
        m_promptTokens > 0 ? double(m_cacheReadTokens) / double(m_promptTokens) : 0;

    const double percentiles[3] = {50, 95, 99};
    double *const results[3] = {&summary.p50LatencyMs, &summary.p95LatencyMs,
                                &summary.p99LatencyMs};
    Percentiles::fromCounts(m_latencyCounts, double(m_lowestLatencyMs), std::size_t(m_calls),
                            percentiles, results);
    return summary;
}

LogChartData LogViewFigures::charts(const LogViewSummary &summary) const
{
    LogChartData data;
    data.p50LatencyMs = summary.p50LatencyMs;
    data.p95LatencyMs = summary.p95LatencyMs;
    data.p99LatencyMs = summary.p99LatencyMs;
    if (m_calls == 0)
        return data;
    data.cumulativeCost = m_costLine.points();
    data.latencyBins = LogChartData::emptyLatencyBins(summary.p99LatencyMs, m_latencyBinCount);
    for (std::size_t i = 0; i < m_latencyCounts.size(); ++i) {
        if (m_latencyCounts[i] > 0) {
            const double latencyMs = double(m_lowestLatencyMs + qint64(i));
            data.latencyBins[LogChartData::binOf(data.latencyBins, latencyMs)].calls +=
                m_latencyCounts[i];
        }
    }
    data.costByModel = m_costByModel.shares();
    data.costByFeature = m_costByFeature.shares();
    return data;
}
