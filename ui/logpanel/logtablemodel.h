#pragma once

#include "logviewrows.h"

#include "calllog/logquery.h"

#include <QAbstractTableModel>

#include <vector>

class LogIndex;

// The calls of a LogIndex as table rows, in the order and selection a LogQuery computed: row r
// shows call rows()[r]. Cells are formatted from the index when asked for, so a view of a
// million calls costs nothing here in file order and four bytes a row in any other. The model
// does not own the index; whoever does calls setRows() or appendRows() after changing it.
class LogTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    // The value behind a cell, unformatted: a number, or the name for name columns.
    static constexpr int SortRole = Qt::UserRole;

    explicit LogTableModel(QObject *parent = nullptr);

    // Shows `rows` of `index` (nullptr for none) from scratch.
    void setRows(const LogIndex *index, std::vector<quint32> rows);
    // Adds index rows at the end of the view, for calls appended in file order.
    void appendRows(const std::vector<quint32> &rows);
    const LogViewRows &rows() const { return m_rows; }
    // The index row behind view row `row`, or -1.
    qint64 indexRow(int row) const;
    // The view row showing index row `indexRow`, or -1.
    int viewRow(quint32 indexRow) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QString columnTitle(LogColumn column);
    // A cell as shown, and as exported: times in UTC, costs with six decimals.
    static QString text(const LogIndex &index, quint32 indexRow, LogColumn column);

private:
    const LogIndex *m_index = nullptr;
    LogViewRows m_rows;
};
