#pragma once

#include <QtEndian>
#include <QtGlobal>

#include <array>
#include <bit>
#include <limits>
#include <memory>
#include <vector>

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

    bool operator==(const IndexedCall &) const = default;
};

// The values of one field of a block of calls, as unsigned codes of `bits()` bits each, laid
// end to end in little-endian order; a value is base() plus its code, in 64-bit arithmetic.
// Codes of 32 or 64 bits are whole words, which is how a block being written keeps them (it
// can store one code while another thread reads the others). A block that is full packs each
// field in as few bits as its largest code needs, after taking away the smallest value.
//
// The column does not own its bytes; the block that does keeps eight spare bytes after them, so
// a packed code can be read with one 8-byte load wherever it starts.
class PackedColumn
{
public:
    static constexpr int maxPackedBits = 57; // one 8-byte load, shifted by up to 7 bits

    PackedColumn() = default;
    PackedColumn(std::byte *bytes, int bits, quint64 base);

    // The bytes `count` codes of `bits` take, with the spare bytes after them.
    static std::size_t bytesFor(qsizetype count, int bits);
    // The fewest bits (0 to maxPackedBits, or 64) that hold every code up to `largestCode`.
    static int bitsFor(quint64 largestCode);

    int bits() const { return m_bits; }
    quint64 base() const { return m_base; }

    quint64 code(qsizetype i) const
    {
        if (m_bits == 32)
            return qFromLittleEndian<quint32>(m_bytes + 4 * i);
        if (m_bits == 64)
            return qFromLittleEndian<quint64>(m_bytes + 8 * i);
        const quint64 bit = quint64(i) * quint64(m_bits);
        return (qFromLittleEndian<quint64>(m_bytes + bit / 8) >> (bit % 8)) & m_mask;
    }
    quint64 value(qsizetype i) const { return m_base + code(i); }

    // Stores code `i` of a 32- or 64-bit column.
    void setWord(qsizetype i, quint64 code)
    {
        Q_ASSERT(m_bits == 32 || m_bits == 64);
        if (m_bits == 32)
            storeWord32(m_bytes + 4 * i, quint32(code));
        else
            storeWord(m_bytes + 8 * i, code);
    }
    // Stores valueAt(0), valueAt(1), … valueAt(count - 1), less base(), as the codes from the
    // first on, and zeroes the spare bytes after them.
    template<typename ValueAt>
    void packAll(qsizetype count, const ValueAt &valueAt)
    {
        // Codes go into a word from its low bits up; a full word is stored, and what did not
        // fit of the last code goes on in the next.
        std::byte *out = m_bytes;
        quint64 word = 0;
        int used = 0;
        for (qsizetype i = 0; i < count && m_bits > 0; ++i) {
            const quint64 code = quint64(valueAt(i)) - m_base;
            Q_ASSERT(code <= m_mask);
            word |= code << used;
            used += m_bits;
            if (used >= 64) {
                storeWord(out, word);
                out += 8;
                used -= 64;
                word = used > 0 ? code >> (m_bits - used) : 0;
            }
        }
        if (used > 0) {
            storeWord(out, word);
            out += 8;
        }
        storeWord(out, 0);
    }

private:
    static void storeWord(std::byte *at, quint64 word) { qToLittleEndian(word, at); }
    static void storeWord32(std::byte *at, quint32 word) { qToLittleEndian(word, at); }

    std::byte *m_bytes = nullptr;
    quint64 m_base = 0;
    quint64 m_mask = 0;
    int m_bits = 0;
};

// The calls of a log held column by column in fixed blocks that never change once written, so a
// copy of the block list (a snapshot) can be read on another thread while the owner appends
// calls after the snapshot's end. Copies share the block being written: only one of them may
// append, the others read the calls they had when they were made.
//
// The block being written keeps every field in a whole word (68 bytes a call). Once full it is
// packed into a new block that takes its place in the list (snapshots keep the one they had):
// each field takes as many bits as the spread of its values in that block needs, which for an
// ordinary log is about 20 bytes a call. Costs and latencies are packed as whole numbers of a
// power of ten (millionths of a dollar, whole milliseconds) when every value in the block reads
// back from that number as the same double, bit for bit, and kept as doubles otherwise; nothing
// is rounded, and every call reads back exactly as it was appended.
class LogRecords
{
public:
    static constexpr qsizetype blockSize = 16384;

    // For calls taken from the records of another log: the id there of each name, as this one
    // numbers it (an empty list keeps the ids).
    struct IdMaps
    {
        std::vector<quint32> models;
        std::vector<quint32> features;
        std::vector<quint32> users;
        std::vector<quint32> finishReasons;
    };

    class Block
    {
        struct PackTag
        {};

    public:
        // A block to write: every field in whole words.
        Block();
        Block(const Block &) = delete;
        Block &operator=(const Block &) = delete;
        // The calls of `full`, a block of blockSize calls, each field in the fewest bits.
        static std::shared_ptr<const Block> packed(const Block &full);
        Block(PackTag, const Block &full); // for packed() only

        qint64 offset(qsizetype i) const { return qint64(m_columns[Offset].value(i)); }
        qint64 timestampMs(qsizetype i) const
        {
            const quint64 code = m_columns[Time].code(i);
            if (m_timeHasGaps && code == 0)
                return IndexedCall::noTimestamp;
            return qint64(m_columns[Time].base() + code);
        }
        double latencyMs(qsizetype i) const { return decimal(Latency, i); }
        double costUsd(qsizetype i) const { return decimal(Cost, i); }
        quint32 model(qsizetype i) const { return narrow(Model, i); }
        quint32 feature(qsizetype i) const { return narrow(Feature, i); }
        quint32 user(qsizetype i) const { return narrow(User, i); }
        quint32 finishReason(qsizetype i) const { return narrow(FinishReason, i); }
        quint32 inputTokens(qsizetype i) const { return narrow(InputTokens, i); }
        quint32 outputTokens(qsizetype i) const { return narrow(OutputTokens, i); }
        quint32 cacheReadTokens(qsizetype i) const { return narrow(CacheReadTokens, i); }
        quint32 cacheWriteTokens(qsizetype i) const { return narrow(CacheWriteTokens, i); }
        quint16 retrievedDocs(qsizetype i) const { return quint16(narrow(RetrievedDocs, i)); }

        IndexedCall at(qsizetype i) const;
        void set(qsizetype i, const IndexedCall &call);
        // Writes calls from..from + count - 1 of `block` as calls at..at + count - 1 of this one,
        // their name ids changed by `ids`.
        void copy(qsizetype at, const Block &block, qsizetype from, qsizetype count,
                  const IdMaps &ids);

        bool isPacked() const { return m_packed; }
        std::size_t memoryBytes() const { return m_bytes; }

        // The fields as the block keeps them, and the bits a call takes in each and in all, for
        // the benchmark's breakdown.
        enum Field {
            Offset,
            Time,
            Latency,
            Cost,
            Model,
            Feature,
            User,
            FinishReason,
            InputTokens,
            OutputTokens,
            CacheReadTokens,
            CacheWriteTokens,
            RetrievedDocs,
            FieldCount
        };
        int bits(Field field) const { return m_columns[field].bits(); }
        int bitsPerCall() const;

    private:
        // How a double field's codes read: a whole number over 10^exponent, or the bits of the
        // double itself.
        static constexpr int doubleBits = -1;

        // Exact doubles, the largest of them below 2^53.
        static constexpr std::array<double, 19> powersOfTen{
            1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
            1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

        quint32 narrow(Field field, qsizetype i) const
        {
            return quint32(m_columns[field].value(i));
        }
        double decimal(Field field, qsizetype i) const
        {
            const int exponent = m_exponents[field];
            if (exponent == doubleBits)
                return std::bit_cast<double>(m_columns[field].code(i));
            const double whole = double(qint64(m_columns[field].value(i)));
            return exponent == 0 ? whole : whole / powersOfTen[std::size_t(exponent)];
        }

        std::unique_ptr<std::byte[]> m_storage;
        std::size_t m_bytes = 0;
        std::array<PackedColumn, FieldCount> m_columns;
        std::array<int, FieldCount> m_exponents{}; // of Latency and Cost; doubleBits while written
        bool m_timeHasGaps = false; // code 0 is "no time" and base() is one before the first
        bool m_packed = false;
    };

    qsizetype size() const { return m_size; }
    IndexedCall at(qsizetype row) const { return block(row).at(slot(row)); }
    void append(const IndexedCall &call);
    // Appends every call of `later`, field by field, which is several times faster than one
    // call at a time.
    void append(const LogRecords &later, const IdMaps &ids);

    const Block &block(qsizetype row) const { return *m_blocks[std::size_t(row / blockSize)]; }
    static qsizetype slot(qsizetype row) { return row % blockSize; }
    qsizetype blockCount() const { return qsizetype(m_blocks.size()); }
    const Block &blockAt(qsizetype n) const { return *m_blocks[std::size_t(n)]; }

    // Bytes held, including the unused end of the last block.
    std::size_t memoryBytes() const;

private:
    // The block being written, made when the last one is full.
    Block &openBlock();
    // Counts `calls` just written to the open block, and packs it once it is full.
    void grew(qsizetype calls);

    std::vector<std::shared_ptr<const Block>> m_blocks;
    // The last of m_blocks while it is being written; null when it is full.
    std::shared_ptr<Block> m_open;
    qsizetype m_size = 0;
};
