#pragma once

#include "calllog/compensatedsum.h"
#include "calllog/latencylist.h"
#include "pricing/tokenusage.h"

#include <QList>
#include <QString>

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

struct LogLine;

// The figures of one group of calls: the whole log, one model or one feature.
struct GroupStats
{
    QString name; // the model id or feature as logged; empty for the whole log
    qint64 records = 0;
    double costUsd = 0;
    TokenUsage tokens; // sums over the group
    qint64 errors = 0; // calls whose finish_reason is "error"
    double latencySumMs = 0;
    // Nearest rank: the value at rank ceil(p/100 * records) of the sorted latencies, so every
    // percentile is a latency that was actually logged. Zero for an empty group.
    double p50LatencyMs = 0;
    double p95LatencyMs = 0;
    double p99LatencyMs = 0;

    double meanLatencyMs() const { return records > 0 ? latencySumMs / double(records) : 0; }
    // Token weighted: the share of all prompt tokens that were read from the cache.
    double cacheHitRate() const;
};

// A malformed line: where it is and why it was not counted as a call.
struct MalformedLine
{
    qint64 number = 0; // 1-based
    QString reason;
};

// What a call log adds up to: its calls overall, per model and per feature, and the lines
// that were not calls. It is filled one LogLine at a time (CallLogReader does that) and holds
// only sums plus one 8-byte latency per call; every figure is computed when asked for.
//
// Several LogStats built over consecutive parts of one file combine with merge(), in file
// order, into exactly what one pass over the whole file gives; that is how a log can be read
// on several threads.
class LogStats
{
public:
    // Only the first this many malformed lines keep their number and reason; all are counted.
    static constexpr qsizetype malformedDetailLimit = 1000;

    void add(const LogLine &line);

    // Appends the figures of the part of the file that follows this one. Line numbers in
    // `later` count from the first line of its part and are shifted to follow this part's
    // lines; its incomplete tail, if any, becomes the tail of the whole.
    void merge(const LogStats &later);
    // The same, taking over the latencies of `later` instead of copying them.
    void merge(LogStats &&later);

    // The percentiles below sort a copy of the group's latencies: each call costs time in
    // proportion to the records, so callers keep the result rather than ask again.
    GroupStats overall() const;
    QList<GroupStats> byModel() const;   // sorted by model id
    QList<GroupStats> byFeature() const; // sorted by feature

    qint64 records() const;
    qint64 malformedCount() const { return m_malformedCount; }
    const QList<MalformedLine> &malformedLines() const { return m_malformedLines; }
    qint64 blankLines() const { return m_blankLines; }
    // Complete lines seen: calls, malformed and blank lines.
    qint64 lineCount() const { return records() + m_malformedCount + m_blankLines; }

    // A last line without its newline is neither a call nor malformed: a writer may be
    // appending it right now.
    bool hasIncompleteTail() const { return m_incompleteTailBytes > 0; }
    qint64 incompleteTailBytes() const { return m_incompleteTailBytes; }

private:
    // The running figures of the calls with one (model, feature) pair. Per-model, per-feature
    // and overall figures are all sums of cells, so a call's latency is stored once, not once
    // per grouping.
    struct Cell
    {
        QString model;
        QString feature;
        CompensatedSum costUsd;
        TokenUsage tokens;
        qint64 errors = 0;
        CompensatedSum latencySumMs;
        LatencyList latenciesMs; // one per call, in file order

        void merge(const Cell &other);
        void merge(Cell &&other);
    };

    // A cell's name pair as UTF-8, looked up without building strings for every line.
    using CellKey = std::pair<std::string, std::string>;
    using CellKeyView = std::pair<std::string_view, std::string_view>;
    struct CellKeyHash
    {
        using is_transparent = void;
        std::size_t operator()(CellKeyView key) const;
        std::size_t operator()(const CellKey &key) const { return (*this)(CellKeyView(key)); }
    };
    struct CellKeyEqual
    {
        using is_transparent = void;
        bool operator()(CellKeyView a, CellKeyView b) const { return a == b; }
    };

    Cell &cellFor(std::string_view model, std::string_view feature);
    template<typename Stats>
    void mergeFrom(Stats &&later);
    QList<GroupStats> groupBy(QString Cell::*name) const;
    static GroupStats summarize(const QString &name, const std::vector<const Cell *> &cells);

    std::vector<Cell> m_cells;
    std::unordered_map<CellKey, std::size_t, CellKeyHash, CellKeyEqual> m_cellIndex;
    std::vector<CellKey> m_cellKeys; // the key of each of m_cells
    std::size_t m_lastCell = 0;      // the cell of the previous call, tried first
    qint64 m_malformedCount = 0;
    QList<MalformedLine> m_malformedLines;
    qint64 m_blankLines = 0;
    qint64 m_incompleteTailBytes = 0;
};
