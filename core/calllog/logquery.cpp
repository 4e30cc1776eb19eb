#include "logquery.h"

#include "calllog/compensatedsum.h"
#include "calllog/percentiles.h"

#include <QByteArrayMatcher>
#include <QFile>
#include <QLatin1StringView>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

using namespace Qt::Literals::StringLiterals;

namespace {

qint64 resolve(const NameTable &table, const QString &name)
{
    if (name.isEmpty())
        return -1;
    const qint64 id = table.find(name);
    return id < 0 ? -2 : id;
}

std::vector<bool> containing(const NameTable &table, const QString &text)
{
    std::vector<bool> hits;
    if (text.isEmpty())
        return hits;
    hits.reserve(std::size_t(table.size()));
    for (const QString &name : table.names())
        hits.push_back(name.contains(text, Qt::CaseInsensitive));
    return hits;
}

std::vector<quint32> alphabeticalRanks(const NameTable &table)
{
    std::vector<quint32> ids(std::size_t(table.size()));
    std::iota(ids.begin(), ids.end(), 0u);
    std::sort(ids.begin(), ids.end(), [&table](quint32 a, quint32 b) {
        return QString::compare(table.name(a), table.name(b), Qt::CaseInsensitive) < 0;
    });
    std::vector<quint32> ranks(ids.size());
    for (std::size_t rank = 0; rank < ids.size(); ++rank)
        ranks[ids[rank]] = quint32(rank);
    return ranks;
}

// Reads the lines of a log at ascending offsets through a window of a few megabytes. Reading,
// not mapping: a log truncated while it is searched must end the search, not the program.
class LineWindow
{
public:
    explicit LineWindow(const QString &path)
        : m_file(path)
    {
        m_open = !path.isEmpty() && m_file.open(QIODevice::ReadOnly);
    }

    bool isOpen() const { return m_open; }

    // The line at `offset`, without its newline; empty when it cannot be read.
    QByteArrayView lineAt(qint64 offset)
    {
        QByteArrayView line = find(offset);
        if (line.isNull() && fill(offset))
            line = find(offset);
        return line;
    }

private:
    static constexpr qint64 windowBytes = 4 * 1024 * 1024;

    QByteArrayView find(qint64 offset) const
    {
        const qint64 at = offset - m_start;
        if (at < 0 || at >= m_window.size())
            return {};
        const qsizetype end = m_window.indexOf('\n', at);
        return end < 0 ? QByteArrayView() : m_window.sliced(at, end - at);
    }

    bool fill(qint64 offset)
    {
        if (!m_open || !m_file.seek(offset))
            return false;
        m_start = offset;
        // One buffer for the whole search: a block this large has pages of its own, which a
        // new one for every window would have the system find and clear again.
        m_buffer.resize(windowBytes);
        const qint64 read = m_file.read(m_buffer.data(), windowBytes);
        m_window = QByteArrayView(m_buffer.constData(), std::max<qint64>(read, 0));
        return !m_window.isEmpty();
    }

    QFile m_file;
    bool m_open = false;
    QByteArray m_buffer;
    QByteArrayView m_window; // the bytes of m_buffer read from m_start on
    qint64 m_start = 0;
};

// The request id of one line. Writers put it first and never escape a UUID, so a plain search
// within the line is enough.
QByteArrayView requestIdOf(QByteArrayView line)
{
    static constexpr QByteArrayView key = "\"request_id\"";
    qsizetype at = line.indexOf(key);
    if (at < 0)
        return {};
    at += key.size();
    while (at < line.size() && (line[at] == ' ' || line[at] == ':'))
        ++at;
    if (at >= line.size() || line[at] != '"')
        return {};
    const qsizetype end = line.indexOf('"', at + 1);
    return end < 0 ? QByteArrayView() : line.sliced(at + 1, end - at - 1);
}

// The key a column sorts by. Doubles hold every key exactly: times in ms stay below 2^53.
double sortKey(const LogRecords::Block &b, qsizetype i, LogColumn column,
               const std::vector<quint32> &rank)
{
    switch (column) {
    case LogColumn::Time:
        return double(b.timestampMs(i));
    case LogColumn::Model:
        return rank[b.model(i)];
    case LogColumn::Feature:
        return rank[b.feature(i)];
    case LogColumn::User:
        return rank[b.user(i)];
    case LogColumn::FinishReason:
        return rank[b.finishReason(i)];
    case LogColumn::InputTokens:
        return b.inputTokens(i);
    case LogColumn::OutputTokens:
        return b.outputTokens(i);
    case LogColumn::CacheReadTokens:
        return b.cacheReadTokens(i);
    case LogColumn::CacheWriteTokens:
        return b.cacheWriteTokens(i);
    case LogColumn::Cost:
        return b.costUsd(i);
    case LogColumn::Latency:
        return b.latencyMs(i);
    case LogColumn::Count:
        break;
    }
    return 0;
}

} // namespace

LogQuery::LogQuery(const LogIndex &index, const QString &path, const LogFilter &filter,
                   LogColumn sortColumn, Qt::SortOrder order)
    : m_records(index.records())
    , m_path(path)
    , m_filter(filter)
    , m_sortColumn(sortColumn)
    , m_order(order)
    , m_model(resolve(index.models(), filter.model))
    , m_feature(resolve(index.features(), filter.feature))
    , m_user(resolve(index.users(), filter.user))
    , m_finishReason(resolve(index.finishReasons(), filter.finishReason))
    , m_errorId(index.finishReasons().find(u"error"_s))
    , m_modelHit(containing(index.models(), filter.text))
    , m_featureHit(containing(index.features(), filter.text))
    , m_userHit(containing(index.users(), filter.text))
{
    switch (sortColumn) {
    case LogColumn::Model:
        m_rank = alphabeticalRanks(index.models());
        break;
    case LogColumn::Feature:
        m_rank = alphabeticalRanks(index.features());
        break;
    case LogColumn::User:
        m_rank = alphabeticalRanks(index.users());
        break;
    case LogColumn::FinishReason:
        m_rank = alphabeticalRanks(index.finishReasons());
        break;
    default:
        break;
    }
}

bool LogQuery::matches(const LogRecords::Block &b, qsizetype i) const
{
    const auto idIs = [](qint64 wanted, quint32 id) { return wanted == -1 || wanted == id; };
    return idIs(m_model, b.model(i)) && idIs(m_feature, b.feature(i)) && idIs(m_user, b.user(i))
           && idIs(m_finishReason, b.finishReason(i)) && b.timestampMs(i) >= m_filter.fromMs
           && b.timestampMs(i) <= m_filter.toMs;
}

std::vector<quint32> LogQuery::filtered(const std::atomic_bool &cancelled, qsizetype fromRow) const
{
    const qsizetype count = m_records.size();
    fromRow = std::clamp<qsizetype>(fromRow, 0, count);
    std::vector<quint32> rows;
    if (m_filter.isEmpty()) {
        rows.resize(std::size_t(count - fromRow));
        std::iota(rows.begin(), rows.end(), quint32(fromRow));
        return rows;
    }

    // Request ids are not in the index: they are read back from the file.
    LineWindow lines(m_filter.text.isEmpty() ? QString() : m_path);
    const QByteArray needle = m_filter.text.toUtf8();

    for (qsizetype row = fromRow; row < count; ++row) {
        if (row % LogRecords::blockSize == 0 && cancelled.load(std::memory_order_relaxed))
            return {};
        const LogRecords::Block &b = m_records.block(row);
        const qsizetype i = LogRecords::slot(row);
        if (!matches(b, i))
            continue;
        if (!needle.isEmpty() && !m_modelHit[b.model(i)] && !m_featureHit[b.feature(i)]
            && !m_userHit[b.user(i)]) {
            if (!lines.isOpen())
                continue;
            const QByteArrayView id = requestIdOf(lines.lineAt(b.offset(i)));
            if (!QLatin1StringView(id).contains(QLatin1StringView(needle), Qt::CaseInsensitive))
                continue;
        }
        rows.push_back(quint32(row));
    }
    return rows;
}

void LogQuery::sort(std::vector<quint32> &rows) const
{
    if (m_sortColumn == LogColumn::Time && m_order == Qt::AscendingOrder) {
        // Logs are written in time order; then there is nothing to do.
        const auto time = [this](quint32 row) {
            return m_records.block(row).timestampMs(LogRecords::slot(row));
        };
        if (std::is_sorted(rows.begin(), rows.end(),
                           [&time](quint32 a, quint32 b) { return time(a) < time(b); })) {
            return;
        }
    }

    std::vector<std::pair<double, quint32>> keyed;
    keyed.reserve(rows.size());
    for (const quint32 row : rows) {
        keyed.emplace_back(
            sortKey(m_records.block(row), LogRecords::slot(row), m_sortColumn, m_rank), row);
    }
    if (m_order == Qt::AscendingOrder) {
        std::sort(keyed.begin(), keyed.end());
    } else {
        std::sort(keyed.begin(), keyed.end(), [](const auto &a, const auto &b) {
            return a.first > b.first || (a.first == b.first && a.second < b.second);
        });
    }
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = keyed[i].second;
}

std::vector<quint32> LogQuery::merged(std::vector<quint32> shown, std::vector<quint32> added) const
{
    sort(added);
    // Equal keys keep file order, so a shown row goes first when it ties with an added one.
    const auto before = [this](quint32 a, quint32 b) {
        const double keyA = sortKey(m_records.block(a), LogRecords::slot(a), m_sortColumn, m_rank);
        const double keyB = sortKey(m_records.block(b), LogRecords::slot(b), m_sortColumn, m_rank);
        if (keyA != keyB)
            return m_order == Qt::AscendingOrder ? keyA < keyB : keyA > keyB;
        return a < b;
    };
    if (shown.empty() || added.empty() || before(shown.back(), added.front())) {
        shown.insert(shown.end(), added.begin(), added.end());
        return shown;
    }
    std::vector<quint32> rows(shown.size() + added.size());
    std::merge(shown.begin(), shown.end(), added.begin(), added.end(), rows.begin(), before);
    return rows;
}

std::optional<LogQuery::Result> LogQuery::run(const std::atomic_bool &cancelled) const
{
    Result result;
    result.rows = filtered(cancelled);
    if (cancelled)
        return std::nullopt;
    result.summary = summarize(m_records, result.rows, m_errorId);
    if (cancelled)
        return std::nullopt;
    sort(result.rows);
    if (cancelled)
        return std::nullopt;
    return result;
}

LogViewSummary LogQuery::summarize(const LogRecords &records, const std::vector<quint32> &rows,
                                   qint64 errorId)
{
    LogViewSummary summary;
    summary.calls = qint64(rows.size());
    if (rows.empty())
        return summary;

    CompensatedSum cost;
    CompensatedSum latency;
    qint64 prompt = 0;
    qint64 cacheRead = 0;
    for (const quint32 row : rows) {
        const LogRecords::Block &b = records.block(row);
        const qsizetype i = LogRecords::slot(row);
        cost.add(b.costUsd(i));
        latency.add(b.latencyMs(i));
        prompt += qint64(b.inputTokens(i)) + b.cacheReadTokens(i) + b.cacheWriteTokens(i);
        cacheRead += b.cacheReadTokens(i);
        if (b.finishReason(i) == errorId)
            ++summary.errors;
    }
    summary.costUsd = cost.value();
    summary.meanLatencyMs = latency.value() / double(rows.size());
    summary.cacheHitRate = prompt > 0 ? double(cacheRead) / double(prompt) : 0;

    // Nearest rank, as LogStats, and counted rather than selected in a copy where it can be:
    // a view of a log that is being followed is summarized again every few hundred ms.
    const double percentiles[3] = {50, 95, 99};
    double *const results[3] = {&summary.p50LatencyMs, &summary.p95LatencyMs,
                                &summary.p99LatencyMs};
    const auto forEachLatency = [&records, &rows](const auto &visit) {
        for (const quint32 row : rows)
            visit(records.block(row).latencyMs(LogRecords::slot(row)));
    };
    if (Percentiles::byCounting(forEachLatency, rows.size(), percentiles, results))
        return summary;
    std::vector<double> latencies;
    latencies.reserve(rows.size());
    forEachLatency([&latencies](double latencyMs) { latencies.push_back(latencyMs); });
    Percentiles::bySelection(latencies, percentiles, results);
    return summary;
}
