#pragma once

#include "calllog/logquery.h"

#include <QList>
#include <QPointF>

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

    // `rows` in any order; `buckets` time buckets (about the chart's width in pixels).
    static LogChartData compute(const LogRecords &records, const std::vector<quint32> &rows,
                                const LogViewSummary &summary, int buckets = 1500,
                                int latencyBinCount = 40);
};
