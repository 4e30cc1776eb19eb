#pragma once

#include "calllog/logstats.h"

#include <QList>
#include <QString>

#include <array>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct LogLine;

// The distinct values of one text field of a log (its models, features, users or finish
// reasons), each named once and referred to by a small id in the order first seen.
class NameTable
{
public:
    quint32 intern(std::string_view utf8);
    const QString &name(quint32 id) const { return m_names[id]; }
    qsizetype size() const { return qsizetype(m_names.size()); }
    // The id of `name`, or -1 when the log never had it.
    qint64 find(const QString &name) const;
    const std::vector<QString> &names() const { return m_names; }

private:
    struct Hash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const
        {
            return std::hash<std::string_view>()(text);
        }
    };

    std::vector<QString> m_names;
    std::unordered_map<std::string, quint32, Hash, std::equal_to<>> m_ids;
};

// One call as the index keeps it: numbers and name ids, no text. The rest of the line (request
// id, system prompt hash, extra keys) stays in the file, at `offset`.
struct IndexedCall
{
    static constexpr qint64 noTimestamp = std::numeric_limits<qint64>::min();

    qint64 offset = 0;
    qint64 timestampMs = noTimestamp; // since the epoch, UTC; noTimestamp when absent or unreadable
    quint32 model = 0;                // ids into the index's NameTables
    quint32 feature = 0;
    quint32 user = 0;
    quint32 finishReason = 0;
    quint32 inputTokens = 0; // token counts saturate at 2^32 - 1
    quint32 outputTokens = 0;
    quint32 cacheReadTokens = 0;
    quint32 cacheWriteTokens = 0;
    double costUsd = 0;
    double latencyMs = 0;
    quint16 retrievedDocs = 0; // saturates at 65535
};

// The calls of a log held column by column in fixed blocks that never move once written, so a
// copy of the block list (a snapshot) can be read on another thread while the owner appends
// calls after the snapshot's end. A call costs 48 bytes here (see bytesPerCall()).
//
// Offsets, times and latencies take 4 bytes rather than 8: offsets and times are kept relative
// to the block's first, and latencies as whole milliseconds. A value that does not fit (a call
// more than 4 GB into a block, or 24 days away from its first call, or a fractional latency) is
// kept whole in an array the block makes the first time it needs one; an ordinary log never
// needs one.
class LogRecords
{
public:
    static constexpr qsizetype blockSize = 16384;

    class Block
    {
    public:
        qint64 offset(qsizetype i) const
        {
            return m_offset[i] != wideOffset ? m_firstOffset + m_offset[i] : (*m_wideOffsets)[i];
        }
        qint64 timestampMs(qsizetype i) const
        {
            const qint32 delta = m_time[i];
            if (delta == noTime)
                return IndexedCall::noTimestamp;
            return delta != wideTime ? m_baseTimeMs + delta : (*m_wideTimes)[i];
        }
        double latencyMs(qsizetype i) const
        {
            return m_latency[i] != wideLatency ? double(m_latency[i]) : (*m_wideLatencies)[i];
        }

        std::array<double, blockSize> costUsd;
        std::array<quint32, blockSize> inputTokens;
        std::array<quint32, blockSize> outputTokens;
        std::array<quint32, blockSize> cacheReadTokens;
        std::array<quint32, blockSize> cacheWriteTokens;
        std::array<quint32, blockSize> user;
        std::array<quint16, blockSize> model;
        std::array<quint16, blockSize> feature;
        std::array<quint16, blockSize> finishReason;
        std::array<quint16, blockSize> retrievedDocs;

    private:
        friend class LogRecords;
        static constexpr quint32 wideOffset = std::numeric_limits<quint32>::max();
        static constexpr qint32 noTime = std::numeric_limits<qint32>::min();
        static constexpr qint32 wideTime = noTime + 1;
        static constexpr quint32 wideLatency = std::numeric_limits<quint32>::max();

        void setOffset(qsizetype i, qint64 offset);
        void setTimestampMs(qsizetype i, qint64 ms);
        void setLatencyMs(qsizetype i, double ms);
        std::size_t wideBytes() const;
        // Slot `i` of a wide array, which is made the first time one is needed.
        template<typename T>
        static T &wideSlot(std::unique_ptr<std::array<T, blockSize>> &wide, qsizetype i);

        std::array<quint32, blockSize> m_offset;
        std::array<qint32, blockSize> m_time;
        std::array<quint32, blockSize> m_latency;
        qint64 m_firstOffset = -1;                      // of the block's first call
        qint64 m_baseTimeMs = IndexedCall::noTimestamp; // of its first call with a time
        // Made before the first call that needs them is written, and never replaced.
        std::unique_ptr<std::array<qint64, blockSize>> m_wideOffsets;
        std::unique_ptr<std::array<qint64, blockSize>> m_wideTimes;
        std::unique_ptr<std::array<double, blockSize>> m_wideLatencies;
    };
    static constexpr std::size_t bytesPerCall() { return sizeof(Block) / blockSize; }

    qsizetype size() const { return m_size; }
    IndexedCall at(qsizetype row) const;
    void append(const IndexedCall &call);

    const Block &block(qsizetype row) const { return *m_blocks[std::size_t(row / blockSize)]; }
    static qsizetype slot(qsizetype row) { return row % blockSize; }

    // Bytes held, including the unused end of the last block.
    std::size_t memoryBytes() const;

private:
    std::vector<std::shared_ptr<Block>> m_blocks;
    qsizetype m_size = 0;
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
