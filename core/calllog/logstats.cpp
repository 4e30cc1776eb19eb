#include "logstats.h"

#include "calllog/logline.h"
#include "calllog/percentiles.h"

#include <QMap>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <type_traits>

namespace {

void addTokens(TokenUsage &sum, const TokenUsage &more)
{
    sum.inputTokens += more.inputTokens;
    sum.outputTokens += more.outputTokens;
    sum.cacheReadInputTokens += more.cacheReadInputTokens;
    sum.cacheCreationInputTokens += more.cacheCreationInputTokens;
    sum.cacheCreation1hInputTokens += more.cacheCreation1hInputTokens;
}

} // namespace

double GroupStats::cacheHitRate() const
{
    const qint64 prompt = tokens.totalInputTokens();
    return prompt > 0 ? double(tokens.cacheReadInputTokens) / double(prompt) : 0;
}

void LogStats::Cell::merge(const Cell &other)
{
    costUsd.add(other.costUsd);
    addTokens(tokens, other.tokens);
    errors += other.errors;
    latencySumMs.add(other.latencySumMs);
    latenciesMs.append(other.latenciesMs);
}

void LogStats::Cell::merge(Cell &&other)
{
    costUsd.add(other.costUsd);
    addTokens(tokens, other.tokens);
    errors += other.errors;
    latencySumMs.add(other.latencySumMs);
    latenciesMs.append(std::move(other.latenciesMs));
}

std::size_t LogStats::CellKeyHash::operator()(CellKeyView key) const
{
    const std::hash<std::string_view> hash;
    return hash(key.first) * 31 + hash(key.second);
}

void LogStats::add(const LogLine &line)
{
    switch (line.kind) {
    case LogLine::Kind::Record: {
        Cell &cell = cellFor(std::string_view(line.model.data(), line.model.size()),
                             std::string_view(line.feature.data(), line.feature.size()));
        cell.costUsd.add(line.costUsd);
        addTokens(cell.tokens, line.usage);
        if (line.isError())
            ++cell.errors;
        cell.latencySumMs.add(line.latencyMs);
        cell.latenciesMs.append(line.latencyMs);
        break;
    }
    case LogLine::Kind::Blank:
        ++m_blankLines;
        break;
    case LogLine::Kind::Malformed:
        ++m_malformedCount;
        if (m_malformedLines.size() < malformedDetailLimit)
            m_malformedLines.append({line.number, line.problem});
        break;
    case LogLine::Kind::IncompleteTail:
        m_incompleteTailBytes = line.length;
        break;
    }
}

void LogStats::merge(const LogStats &later)
{
    if (&later == this) {
        const LogStats copy = later;
        mergeFrom(copy);
        return;
    }
    mergeFrom(later);
}

void LogStats::merge(LogStats &&later)
{
    if (&later == this) {
        merge(std::as_const(later));
        return;
    }
    mergeFrom(std::move(later));
}

// Both merges in one: `Stats` is const LogStats & or LogStats, whose cells are then moved.
template<typename Stats>
void LogStats::mergeFrom(Stats &&later)
{
    const qint64 shift = lineCount();

    for (auto &theirs : later.m_cells) {
        Cell &ours = cellFor(theirs.model.toStdString(), theirs.feature.toStdString());
        if constexpr (std::is_const_v<std::remove_reference_t<Stats>>)
            ours.merge(theirs);
        else
            ours.merge(std::move(theirs));
    }

    m_malformedCount += later.m_malformedCount;
    for (const MalformedLine &malformed : later.m_malformedLines) {
        if (m_malformedLines.size() >= malformedDetailLimit)
            break;
        m_malformedLines.append({malformed.number + shift, malformed.reason});
    }
    m_blankLines += later.m_blankLines;
    // Only the part that ends the file can end in a tail; an empty part changes nothing.
    if (later.lineCount() > 0 || later.hasIncompleteTail())
        m_incompleteTailBytes = later.m_incompleteTailBytes;
}

GroupStats LogStats::overall() const
{
    std::vector<const Cell *> all;
    all.reserve(m_cells.size());
    for (const Cell &cell : m_cells)
        all.push_back(&cell);
    return summarize(QString(), all);
}

QList<GroupStats> LogStats::byModel() const
{
    return groupBy(&Cell::model);
}

QList<GroupStats> LogStats::byFeature() const
{
    return groupBy(&Cell::feature);
}

qint64 LogStats::records() const
{
    qint64 count = 0;
    for (const Cell &cell : m_cells)
        count += cell.latenciesMs.size();
    return count;
}

LogStats::Cell &LogStats::cellFor(std::string_view model, std::string_view feature)
{
    // A log has a few (model, feature) pairs and often one many times in a row: comparing the
    // names with a handful of cells costs less than hashing them for every call.
    constexpr std::size_t searchedCells = 16;
    const auto isCell = [&](std::size_t index) {
        return m_cellKeys[index].first == model && m_cellKeys[index].second == feature;
    };
    if (m_lastCell < m_cells.size() && isCell(m_lastCell))
        return m_cells[m_lastCell];
    if (m_cells.size() <= searchedCells) {
        for (std::size_t index = 0; index < m_cells.size(); ++index) {
            if (isCell(index)) {
                m_lastCell = index;
                return m_cells[index];
            }
        }
    } else if (const auto found = m_cellIndex.find(CellKeyView(model, feature));
               found != m_cellIndex.end()) {
        m_lastCell = found->second;
        return m_cells[m_lastCell];
    }

    Cell cell;
    cell.model = QString::fromUtf8(model);
    cell.feature = QString::fromUtf8(feature);
    m_cells.push_back(std::move(cell));
    m_cellKeys.emplace_back(model, feature);
    m_cellIndex.emplace(m_cellKeys.back(), m_cells.size() - 1);
    m_lastCell = m_cells.size() - 1;
    return m_cells.back();
}

QList<GroupStats> LogStats::groupBy(QString Cell::*name) const
{
    QMap<QString, std::vector<const Cell *>> groups;
    for (const Cell &cell : m_cells)
        groups[cell.*name].push_back(&cell);

    QList<GroupStats> result;
    result.reserve(groups.size());
    for (auto group = groups.cbegin(); group != groups.cend(); ++group)
        result.append(summarize(group.key(), group.value()));
    return result;
}

GroupStats LogStats::summarize(const QString &name, const std::vector<const Cell *> &cells)
{
    GroupStats stats;
    stats.name = name;
    CompensatedSum cost;
    CompensatedSum latencySum;
    for (const Cell *cell : cells) {
        stats.records += cell->latenciesMs.size();
        cost.add(cell->costUsd);
        addTokens(stats.tokens, cell->tokens);
        stats.errors += cell->errors;
        latencySum.add(cell->latencySumMs);
    }
    stats.costUsd = cost.value();
    stats.latencySumMs = latencySum.value();
    if (stats.records == 0)
        return stats;

    const double percentiles[3] = {50, 95, 99};
    double *const results[3] = {&stats.p50LatencyMs, &stats.p95LatencyMs, &stats.p99LatencyMs};
    const auto forEachLatency = [&cells](const auto &visit) {
        for (const Cell *cell : cells)
            cell->latenciesMs.forEach(visit);
    };
    if (Percentiles::byCounting(forEachLatency, std::size_t(stats.records), percentiles, results))
        return stats;

    std::vector<double> latencies;
    latencies.reserve(std::size_t(stats.records));
    for (const Cell *cell : cells)
        cell->latenciesMs.copyTo(latencies);
    Percentiles::bySelection(latencies, percentiles, results);
    return stats;
}
