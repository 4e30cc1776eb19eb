#pragma once

#include "calllog/compensatedsum.h"
#include "logchartdata.h"

#include <span>
#include <vector>

// The tiles' and charts' figures of the calls in a view, added up call by call in file order,
// so that a view of a log that is followed takes in only the calls appended since it was last
// worked out instead of adding up a million calls again.
//
// While it stays extendable() it gives exactly what LogQuery::summarize() and
// LogChartData::compute() give for the same calls: the same sums in the same order, and
// percentiles and latency bins from a count of each whole millisecond. It stops being
// extendable when a call arrives out of time order or with a latency that is not a whole number
// of milliseconds in a modest span (logs Opsbench writes have neither); the view is then worked
// out from scratch.
class LogViewFigures
{
public:
    // `errorId` is the finish reason id of "error" (or -1); `timeBuckets` as for
    // LogChartData::compute().
    LogViewFigures(qint64 errorId, int timeBuckets, int latencyBinCount = 40);

    // Adds the calls at `rows`, ascending and after every row added before.
    void add(const LogRecords &records, std::span<const quint32> rows);
    bool extendable() const { return m_extendable; }
    qint64 calls() const { return m_calls; }
    int timeBuckets() const { return m_timeBuckets; }

    LogViewSummary summary() const;
    LogChartData charts(const LogViewSummary &summary) const;

private:
    void countLatency(double latencyMs);

    qint64 m_errorId;
    int m_timeBuckets;
    int m_latencyBinCount;
    bool m_extendable = true;

    qint64 m_calls = 0;
    qint64 m_errors = 0;
    CompensatedSum m_cost;
    CompensatedSum m_latency;
    qint64 m_promptTokens = 0;
    qint64 m_cacheReadTokens = 0;
    // Calls per whole millisecond of latency, from m_lowestLatencyMs up.
    std::vector<quint32> m_latencyCounts;
    qint64 m_lowestLatencyMs = 0;

    CumulativeCostLine m_costLine;
    CostById m_costByModel;
    CostById m_costByFeature;
};
