#include "logtablemodel.h"

#include "calllog/logindex.h"

#include <QDateTime>
#include <QLocale>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace {

bool isNumeric(LogColumn column)
{
    switch (column) {
    case LogColumn::InputTokens:
    case LogColumn::OutputTokens:
    case LogColumn::CacheReadTokens:
    case LogColumn::CacheWriteTokens:
    case LogColumn::Cost:
    case LogColumn::Latency:
        return true;
    default:
        return false;
    }
}

QVariant value(const LogIndex &index, const IndexedCall &call, LogColumn column)
{
    switch (column) {
    case LogColumn::Time:
        return call.timestampMs;
    case LogColumn::Model:
        return index.models().name(call.model);
    case LogColumn::Feature:
        return index.features().name(call.feature);
    case LogColumn::User:
        return index.users().name(call.user);
    case LogColumn::InputTokens:
        return call.inputTokens;
    case LogColumn::OutputTokens:
        return call.outputTokens;
    case LogColumn::CacheReadTokens:
        return call.cacheReadTokens;
    case LogColumn::CacheWriteTokens:
        return call.cacheWriteTokens;
    case LogColumn::Cost:
        return call.costUsd;
    case LogColumn::Latency:
        return call.latencyMs;
    case LogColumn::FinishReason:
        return index.finishReasons().name(call.finishReason);
    case LogColumn::Count:
        break;
    }
    return {};
}

} // namespace

LogTableModel::LogTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void LogTableModel::setRows(const LogIndex *index, std::vector<quint32> rows)
{
    beginResetModel();
    m_index = index;
    m_rows = LogViewRows(index ? std::move(rows) : std::vector<quint32>());
    endResetModel();
}

void LogTableModel::appendRows(const std::vector<quint32> &rows)
{
    if (rows.empty() || !m_index)
        return;
    const int first = int(m_rows.size());
    beginInsertRows(QModelIndex(), first, first + int(rows.size()) - 1);
    m_rows.append(rows);
    endInsertRows();
}

qint64 LogTableModel::indexRow(int row) const
{
    return row >= 0 && row < m_rows.size() ? qint64(m_rows[row]) : -1;
}

int LogTableModel::viewRow(quint32 indexRow) const
{
    if (m_rows.isFileOrder())
        return qsizetype(indexRow) < m_rows.size() ? int(indexRow) : -1;
    for (qsizetype row = 0; row < m_rows.size(); ++row) {
        if (m_rows[row] == indexRow)
            return int(row);
    }
    return -1;
}

int LogTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LogTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(LogColumn::Count);
}

QVariant LogTableModel::data(const QModelIndex &index, int role) const
{
    if (!m_index || !index.isValid()
        || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const quint32 row = m_rows[index.row()];
    if (qsizetype(row) >= m_index->size())
        return {};
    const auto column = LogColumn(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return text(*m_index, row, column);
    case SortRole:
        return value(*m_index, m_index->at(row), column);
    case Qt::TextAlignmentRole:
        return isNumeric(column) ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                 : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant LogTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= int(LogColumn::Count))
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return columnTitle(LogColumn(section));
    if (role == Qt::TextAlignmentRole && isNumeric(LogColumn(section)))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QString LogTableModel::columnTitle(LogColumn column)
{
    switch (column) {
    case LogColumn::Time:
        return u"Time (UTC)"_s;
    case LogColumn::Model:
        return u"Model"_s;
    case LogColumn::Feature:
        return u"Feature"_s;
    case LogColumn::User:
        return u"User"_s;
    case LogColumn::InputTokens:
        return u"Input"_s;
    case LogColumn::OutputTokens:
        return u"Output"_s;
    case LogColumn::CacheReadTokens:
        return u"Cache read"_s;
    case LogColumn::CacheWriteTokens:
        return u"Cache write"_s;
    case LogColumn::Cost:
        return u"Cost (USD)"_s;
    case LogColumn::Latency:
        return u"Latency (ms)"_s;
    case LogColumn::FinishReason:
        return u"Finish reason"_s;
    case LogColumn::Count:
        break;
    }
    return QString();
}

QString LogTableModel::text(const LogIndex &index, quint32 indexRow, LogColumn column)
{
    const IndexedCall call = index.at(indexRow);
    switch (column) {
    case LogColumn::Time:
        if (call.timestampMs == IndexedCall::noTimestamp)
            return QString();
        return QDateTime::fromMSecsSinceEpoch(call.timestampMs, QTimeZone::utc())
            .toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s);
    case LogColumn::Cost:
        return QString::number(call.costUsd, 'f', 6);
    case LogColumn::Latency:
        return QString::number(call.latencyMs, 'f',
                               call.latencyMs == qint64(call.latencyMs) ? 0 : 1);
    default:
        return value(index, call, column).toString();
    }
}
