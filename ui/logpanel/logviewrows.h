#pragma once

#include <QtGlobal>

#include <algorithm>
#include <numeric>
#include <vector>

// The index rows a view of a log shows, top to bottom. A view of every call in file order, the
// usual one, is kept as a count rather than a list: for a log of millions of calls that is
// four bytes a call not held.
class LogViewRows
{
public:
    LogViewRows() = default;
    // A list that is 0, 1, 2, … is kept as its length.
    explicit LogViewRows(std::vector<quint32> rows)
    {
        if (isCounting(rows, 0))
            m_count = qsizetype(rows.size());
        else
            m_rows = std::move(rows);
    }

    qsizetype size() const { return isFileOrder() ? m_count : qsizetype(m_rows.size()); }
    bool isEmpty() const { return size() == 0; }
    bool isFileOrder() const { return m_rows.empty(); }
    quint32 operator[](qsizetype row) const
    {
        return isFileOrder() ? quint32(row) : m_rows[std::size_t(row)];
    }

    // Adds `rows` after the last; they stay a count when they go on counting.
    void append(const std::vector<quint32> &rows)
    {
        if (isFileOrder() && isCounting(rows, m_count)) {
            m_count += qsizetype(rows.size());
            return;
        }
        if (isFileOrder()) {
            m_rows = list(m_count);
            m_count = 0;
        }
        m_rows.insert(m_rows.end(), rows.begin(), rows.end());
    }

    // The first `count` rows as a list.
    std::vector<quint32> list(qsizetype count) const
    {
        count = std::min(count, size());
        if (!isFileOrder())
            return std::vector<quint32>(m_rows.begin(), m_rows.begin() + std::ptrdiff_t(count));
        std::vector<quint32> rows(static_cast<std::size_t>(count));
        std::iota(rows.begin(), rows.end(), 0u);
        return rows;
    }
    std::vector<quint32> list() const { return list(size()); }

    // Whether `rows` begins with these rows, in this order.
    bool isPrefixOf(const std::vector<quint32> &rows) const
    {
        if (size() > qsizetype(rows.size()))
            return false;
        if (isFileOrder())
            return isCounting(rows.begin(), rows.begin() + std::ptrdiff_t(m_count), 0);
        return std::equal(m_rows.begin(), m_rows.end(), rows.begin());
    }

    // Whether `rows` are from, from + 1, from + 2, …
    static bool isCounting(const std::vector<quint32> &rows, qsizetype from)
    {
        return isCounting(rows.begin(), rows.end(), from);
    }

private:
    static bool isCounting(std::vector<quint32>::const_iterator begin,
                           std::vector<quint32>::const_iterator end, qsizetype from)
    {
        for (auto at = begin; at != end; ++at, ++from) {
            if (*at != quint32(from))
                return false;
        }
        return true;
    }

    std::vector<quint32> m_rows; // empty in file order
    qsizetype m_count = 0;       // in file order
};
