#pragma once

#include "calllog/logrecords.h"
#include "calllog/logstats.h"

#include <QList>
#include <QString>

#include <string>
#include <string_view>
#include <vector>

struct LogLine;

// The distinct values of one text field of a log (its models, features, users or finish
// reasons), each named once and referred to by a small id in the order first seen.
//
// Every call of a log is looked up in four of these, and every part of a large log read on its
// own starts tables of its own, which meet thousands of users each: the names are kept in flat
// arrays with an open-addressed table of ids, so neither a lookup nor a new name chases or makes
// a node of its own.
class NameTable
{
public:
    quint32 intern(std::string_view utf8);
    const QString &name(quint32 id) const { return m_names[id]; }
    qsizetype size() const { return qsizetype(m_names.size()); }
    // The id of `name`, or -1 when the log never had it.
    qint64 find(const QString &name) const;
    const std::vector<QString> &names() const { return m_names; }
    // The names as they were read, by id.
    const std::vector<std::string> &utf8Names() const { return m_utf8; }

private:
    // The slot in m_slots that holds the id of `utf8`, or the empty slot where it would go.
    std::size_t slotOf(std::string_view utf8, std::size_t hash) const;
    void growSlots();

    std::vector<QString> m_names;
    std::vector<std::string> m_utf8;
    std::vector<std::size_t> m_hashes; // of m_utf8, so that growing needs no hashing again
    // Linear probing over a power-of-two count of slots, at most half of them used: a slot holds
    // an id plus one, 0 when empty.
    std::vector<quint32> m_slots;
    // The id last looked up: a log often names the same model or finish reason many times
    // running, and comparing with it costs less than hashing.
    quint32 m_lastId = 0;
};

// A compact, column-wise index of a call log: per call its offset in the file, time, name ids,
// token counts, cost, latency and retrieved documents; the lines that were not calls; and the
// incomplete tail. It is what a view of a log of millions of calls sorts, filters and adds up
// without keeping the text: a detail is read back from the file at the call's offset.
//
// An index is filled one LogLine at a time (add) or by appending the index of the lines that
// follow (append), which is how a worker thread hands over batches. It is not thread-safe;
// records() gives a snapshot another thread may read while this one appends.
class LogIndex
{
public:
    // Only the first this many malformed lines keep their reason; all are counted.
    static constexpr qsizetype malformedDetailLimit = 10000;

    void add(const LogLine &line);
    // Adds the lines of `later`, which follow this index's lines in the same file; its names
    // are mapped to this index's ids and its tail replaces this one's.
    void append(const LogIndex &later);
    // Numbers this index's lines as if `lines` lines came before them: for the index of a part
    // of a file read on its own, numbered from 1, before it is appended to the parts before it.
    void shiftLineNumbers(qint64 lines);
    // Forgets the bytes after the last newline, for a tail the caller saw completed.
    void setIncompleteTailBytes(qint64 bytes) { m_tailBytes = bytes; }

    qsizetype size() const { return m_records.size(); }
    IndexedCall at(qsizetype row) const { return m_records.at(row); }
    const LogRecords &records() const { return m_records; }
    // The 1-based line number of call `row`.
    qint64 lineNumber(qsizetype row) const;

    const NameTable &models() const { return m_models; }
    const NameTable &features() const { return m_features; }
    const NameTable &users() const { return m_users; }
    const NameTable &finishReasons() const { return m_finishReasons; }

    qint64 malformedCount() const { return m_malformedCount; }
    const QList<MalformedLine> &malformedLines() const { return m_malformedLines; }
    qint64 blankLines() const { return qint64(m_skippedLines.size()) - m_malformedCount; }
    // Complete lines seen, and the bytes they take: where the next line starts.
    qint64 lineCount() const { return m_lineCount; }
    qint64 endOffset() const { return m_endOffset; }
    bool hasIncompleteTail() const { return m_tailBytes > 0; }
    qint64 incompleteTailBytes() const { return m_tailBytes; }

    std::size_t memoryBytes() const;

    // Milliseconds since the epoch of an ISO 8601 time ("2026-01-15T09:30:00.125Z", or with a
    // "+hh:mm" offset), or IndexedCall::noTimestamp when it is not one.
    static qint64 parseTimestamp(std::string_view text);

private:
    LogRecords m_records;
    NameTable m_models;
    NameTable m_features;
    NameTable m_users;
    NameTable m_finishReasons;
    std::vector<qint64> m_skippedLines; // numbers of blank and malformed lines, ascending
    qint64 m_malformedCount = 0;
    QList<MalformedLine> m_malformedLines;
    qint64 m_lineCount = 0;
    qint64 m_endOffset = 0;
    qint64 m_tailBytes = 0;
};
