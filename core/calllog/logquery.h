#pragma once

#include "calllog/logindex.h"

#include <QString>

#include <atomic>
#include <limits>
#include <optional>
#include <vector>

// The columns a view of a log shows and sorts by.
enum class LogColumn {
    Time,
    Model,
    Feature,
    User,
    InputTokens,
    OutputTokens,
    CacheReadTokens,
    CacheWriteTokens,
    Cost,
    Latency,
    FinishReason,
    Count
};

// Which calls of a LogIndex a view shows. Names are given as text and resolved to the index's
// ids by LogQuery, so a filter can be kept while the index is rebuilt.
struct LogFilter
{
    QString model; // exact names; empty for any
    QString feature;
    QString user;
    QString finishReason;
    qint64 fromMs = std::numeric_limits<qint64>::min(); // inclusive, ms since the epoch
    qint64 toMs = std::numeric_limits<qint64>::max();   // inclusive
    // Matched, ignoring case, as a part of the request id, model, feature or user.
    QString text;

    bool operator==(const LogFilter &) const = default;
    bool isEmpty() const { return *this == LogFilter(); }
};

// The figures of the calls in a view, as LogStats computes them for a whole log: latency
// percentiles by nearest rank, cache hit rate weighted by tokens.
struct LogViewSummary
{
    qint64 calls = 0;
    double costUsd = 0;
    double meanLatencyMs = 0;
    double p50LatencyMs = 0;
    double p95LatencyMs = 0;
    double p99LatencyMs = 0;
    double cacheHitRate = 0;
    qint64 errors = 0;

    double errorRate() const { return calls > 0 ? double(errors) / double(calls) : 0; }
};

// A filter and an order over the first calls of an index, prepared on the index's thread and
// run on any thread (run() reads only the snapshot it was given and the file).
//
// Sorting is stable: calls that compare equal keep their file order. Failing to read the file
// only makes request ids unsearchable; the other fields still match.
class LogQuery
{
public:
    LogQuery(const LogIndex &index, const QString &path, const LogFilter &filter,
             LogColumn sortColumn, Qt::SortOrder order);

    struct Result
    {
        std::vector<quint32> rows; // index rows in view order
        LogViewSummary summary;
    };

    // Filters, summarizes and sorts; returns nothing when `cancelled` became true on the way.
    std::optional<Result> run(const std::atomic_bool &cancelled) const;
    // The steps of run(), for a caller with more to compute from the calls in file order:
    // filtered() gives them in file order (empty if cancelled), from index row `fromRow` on;
    // sort() puts them in view order.
    std::vector<quint32> filtered(const std::atomic_bool &cancelled, qsizetype fromRow = 0) const;
    void sort(std::vector<quint32> &rows) const;
    // For a view that grew: `shown` in view order (as this query would sort them) with `added`,
    // rows after all of them in file order, sorted and merged in. The result is what sort()
    // gives for all of them; when the added rows all sort last, as new calls of a log in time
    // order do, they are only appended.
    std::vector<quint32> merged(std::vector<quint32> shown, std::vector<quint32> added) const;
    qint64 errorId() const { return m_errorId; }

    const LogRecords &records() const { return m_records; }

    static LogViewSummary summarize(const LogRecords &records, const std::vector<quint32> &rows,
                                    qint64 errorId);

private:
    bool matches(const LogRecords::Block &block, qsizetype slot) const;

    const LogRecords m_records; // a snapshot: calls appended later are not seen
    QString m_path;
    LogFilter m_filter;
    LogColumn m_sortColumn;
    Qt::SortOrder m_order;
    // Resolved names: -1 for no condition, -2 for a name the log does not have.
    qint64 m_model = -1;
    qint64 m_feature = -1;
    qint64 m_user = -1;
    qint64 m_finishReason = -1;
    qint64 m_errorId = -1;
    // Per id: whether the name contains the free text; empty without free text.
    std::vector<bool> m_modelHit;
    std::vector<bool> m_featureHit;
    std::vector<bool> m_userHit;
    // Per id: the rank of its name in alphabetical order, for sorting by a name column.
    std::vector<quint32> m_rank;
};
