#pragma once

#include "calllog/logquery.h"

#include <QList>
#include <QPointF>

#include <optional>
#include <vector>

// What the log panel's charts draw for the calls in view, reduced to a few thousand points
// whatever the number of calls, so that it can be computed on a worker thread and drawn at once.
struct LogChartData
{
    // Cumulative cost in USD against time in ms since the epoch, in time order. Per time bucket
    // only the lowest and highest running total are kept, which is all a pixel column can show.
    QList<QPointF> cumulativeCost;

    struct Bin
    {
        double fromMs = 0;
        double toMs = 0;
        qint64 calls = 0;
    };
    // Equal-width bins from 0 ms; the last also holds every slower call.
    QList<Bin> latencyBins;
    double p50LatencyMs = 0;
    double p95LatencyMs = 0;
    double p99LatencyMs = 0;

    struct Share
    {
        quint32 id = 0; // into the index's model or feature names
        double costUsd = 0;
    };
    QList<Share> costByModel; // highest cost first
    QList<Share> costByFeature;

    // `rows` in any order; `buckets` time buckets at most (about the chart's width in pixels).
    static LogChartData compute(const LogRecords &records, const std::vector<quint32> &rows,
                                const LogViewSummary &summary, int buckets = 1500,
                                int latencyBinCount = 40);

    // The bins up to a little past p99 (so that rare outliers do not squeeze the bulk of the
    // calls), empty; binOf() says where a latency goes.
    static QList<Bin> emptyLatencyBins(double p99LatencyMs, int latencyBinCount);
    static int binOf(const QList<Bin> &bins, double latencyMs);
};

// The cumulative cost line, built call by call in time order. Calls fall into buckets of a
// width that doubles (merging neighbours) whenever the calls span more buckets than allowed,
// so the line depends only on the calls, never on how they were handed in: a line extended
// with the calls appended to a log equals the line drawn from scratch.
class CumulativeCostLine
{
public:
    explicit CumulativeCostLine(int maxBuckets);

    // Calls must come in time order: `timeMs` never below the last one added.
    void add(qint64 timeMs, double costUsd);
    bool isEmpty() const { return m_buckets.empty(); }
    qint64 lastTimeMs() const { return m_lastTimeMs; }
    // Per bucket its lowest point and, if different, its highest.
    QList<QPointF> points() const;

private:
    struct Bucket
    {
        QPointF low;  // the first lowest running total in the bucket
        QPointF high; // the last highest
    };
    static std::optional<Bucket> merged(const std::optional<Bucket> &earlier,
                                        const std::optional<Bucket> &later);

    int m_maxBuckets;
    qint64 m_firstTimeMs = 0;
    qint64 m_lastTimeMs = 0;
    qint64 m_widthMs = 1;
    double m_total = 0;
    std::vector<std::optional<Bucket>> m_buckets;
};

// Cost per name id (model or feature), in the order calls are added.
class CostById
{
public:
    void add(quint32 id, double costUsd);
    // The ids that had calls, highest cost first.
    QList<LogChartData::Share> shares() const;

private:
    std::vector<double> m_sums; // ids are small and dense: a vector beats a map by far
    std::vector<bool> m_seen;
};
