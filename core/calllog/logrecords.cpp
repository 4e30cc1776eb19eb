#include "logrecords.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>

namespace {

constexpr double largestWhole = 9007199254740992.0; // 2^53: every integer up to it is a double

// The whole number n with n / 10^exponent == value, bit for bit, if there is one below 2^53.
std::optional<qint64> asDecimal(double value, int exponent, double powerOfTen)
{
    const double scaled = value * powerOfTen;
    if (!(std::abs(scaled) < largestWhole))
        return std::nullopt; // too large, or not a number
    // Rounded by hand: this runs for every cost of every block. Near 2^53 it may miss the
    // nearest whole number, which the check below then refuses; no value is ever misread.
    const auto whole = qint64(scaled + (scaled < 0 ? -0.5 : 0.5));
    const double back = exponent == 0 ? double(whole) : double(whole) / powerOfTen;
    if (std::bit_cast<quint64>(back) != std::bit_cast<quint64>(value))
        return std::nullopt; // -0.0 ends here too: it would read back as +0.0
    return whole;
}

// The smallest of `count` values, taken as signed or unsigned, and the largest difference from
// it: the base and the largest code of a packed column.
template<typename T, typename ValueAt>
std::pair<quint64, quint64> spreadOf(qsizetype count, const ValueAt &valueAt)
{
    if (count == 0)
        return {0, 0};
    T lowest = std::numeric_limits<T>::max();
    T highest = std::numeric_limits<T>::lowest();
    for (qsizetype i = 0; i < count; ++i) {
        const T value = valueAt(i);
        lowest = std::min(lowest, value);
        highest = std::max(highest, value);
    }
    // The difference of two 64-bit integers always fits 64 unsigned bits.
    return {quint64(lowest), quint64(highest) - quint64(lowest)};
}

} // namespace

PackedColumn::PackedColumn(std::byte *bytes, int bits, quint64 base)
    : m_bytes(bytes)
    , m_base(base)
    , m_mask(bits >= 64 ? ~quint64(0) : (quint64(1) << bits) - 1)
    , m_bits(bits)
{
    Q_ASSERT((bits >= 0 && bits <= maxPackedBits) || bits == 64);
}

std::size_t PackedColumn::bytesFor(qsizetype count, int bits)
{
    const std::size_t bytes = (std::size_t(count) * std::size_t(bits) + 7) / 8 + 8;
    return (bytes + 7) / 8 * 8; // the next column starts on a word
}

int PackedColumn::bitsFor(quint64 largestCode)
{
    const int bits = int(std::bit_width(largestCode));
    return bits <= maxPackedBits ? bits : 64;
}

LogRecords::Block::Block()
{
    // Whole words, so that a code can be stored while another thread reads the ones before it.
    std::array<int, FieldCount> bits;
    bits.fill(32);
    for (const Field field : {Offset, Time, Latency, Cost})
        bits[field] = 64;
    for (const int fieldBits : bits)
        m_bytes += PackedColumn::bytesFor(blockSize, fieldBits);
    // Not zeroed: only the codes written are read, and pages never written stay unallocated.
    m_storage = std::make_unique_for_overwrite<std::byte[]>(m_bytes);
    std::byte *next = m_storage.get();
    for (int field = 0; field < FieldCount; ++field) {
        m_columns[field] = PackedColumn(next, bits[field], 0);
        next += PackedColumn::bytesFor(blockSize, bits[field]);
    }
    m_exponents.fill(doubleBits);
}

std::shared_ptr<const LogRecords::Block> LogRecords::Block::packed(const Block &full)
{
    return std::make_shared<const Block>(PackTag(), full);
}

LogRecords::Block::Block(PackTag, const Block &full)
    : m_packed(true)
{
    // Each field's values are read twice from `full`: for their spread, which sets how many
    // bits the field takes, and to pack them once every field's place is known.
    std::array<std::pair<quint64, quint64>, FieldCount> spreads; // base, largest code
    spreads[Offset] = spreadOf<qint64>(blockSize, [&full](qsizetype i) { return full.offset(i); });

    // Calls without a time take code 0, the others their distance from one before the first.
    qsizetype timed = 0;
    qint64 earliest = std::numeric_limits<qint64>::max();
    qint64 latest = std::numeric_limits<qint64>::lowest();
    for (qsizetype i = 0; i < blockSize; ++i) {
        const qint64 ms = full.timestampMs(i);
        if (ms == IndexedCall::noTimestamp)
            continue;
        ++timed;
        earliest = std::min(earliest, ms);
        latest = std::max(latest, ms);
    }
    m_timeHasGaps = timed > 0 && timed < blockSize;
    const qint64 noTime = m_timeHasGaps ? earliest - 1 : IndexedCall::noTimestamp;
    const auto timeAt = [&full, noTime](qsizetype i) {
        const qint64 ms = full.timestampMs(i);
        return ms == IndexedCall::noTimestamp ? noTime : ms;
    };
    spreads[Time] = spreadOf<qint64>(blockSize, timeAt);

    // As whole numbers of the fewest decimals that give back every value of the block exactly,
    // or failing that as the doubles' bits.
    for (const Field field : {Latency, Cost}) {
        m_exponents[field] = doubleBits;
        spreads[field] = {0, ~quint64(0)};
        for (int exponent = 0; exponent < int(powersOfTen.size()); ++exponent) {
            const double power = powersOfTen[std::size_t(exponent)];
            qint64 lowest = std::numeric_limits<qint64>::max();
            qint64 highest = std::numeric_limits<qint64>::lowest();
            qsizetype i = 0;
            for (; i < blockSize; ++i) {
                const std::optional<qint64> whole =
                    asDecimal(full.decimal(field, i), exponent, power);
                if (!whole)
                    break;
                lowest = std::min(lowest, *whole);
                highest = std::max(highest, *whole);
            }
            if (i == blockSize) {
                m_exponents[field] = exponent;
                spreads[field] = {quint64(lowest), quint64(highest) - quint64(lowest)};
                break;
            }
        }
    }

    constexpr std::array narrowFields{Model,           Feature,          User,
                                      FinishReason,    InputTokens,      OutputTokens,
                                      CacheReadTokens, CacheWriteTokens, RetrievedDocs};
    for (const Field field : narrowFields) {
        spreads[field] = spreadOf<quint32>(
            blockSize, [&full, field](qsizetype i) { return full.narrow(field, i); });
    }

    std::array<int, FieldCount> bits;
    for (int field = 0; field < FieldCount; ++field) {
        bits[field] = PackedColumn::bitsFor(spreads[field].second);
        m_bytes += PackedColumn::bytesFor(blockSize, bits[field]);
    }
    // Not zeroed: packAll() writes every byte a code is read from.
    m_storage = std::make_unique_for_overwrite<std::byte[]>(m_bytes);
    std::byte *next = m_storage.get();
    for (int field = 0; field < FieldCount; ++field) {
        m_columns[field] = PackedColumn(next, bits[field], spreads[field].first);
        next += PackedColumn::bytesFor(blockSize, bits[field]);
    }

    m_columns[Offset].packAll(blockSize, [&full](qsizetype i) { return full.offset(i); });
    m_columns[Time].packAll(blockSize, timeAt);
    for (const Field field : {Latency, Cost}) {
        const int exponent = m_exponents[field];
        if (exponent == doubleBits) {
            m_columns[field].packAll(blockSize, [&full, field](qsizetype i) {
                return std::bit_cast<quint64>(full.decimal(field, i));
            });
            continue;
        }
        const double power = powersOfTen[std::size_t(exponent)];
        m_columns[field].packAll(blockSize, [&full, field, exponent, power](qsizetype i) {
            return *asDecimal(full.decimal(field, i), exponent, power);
        });
    }
    for (const Field field : narrowFields) {
        m_columns[field].packAll(blockSize,
                                 [&full, field](qsizetype i) { return full.narrow(field, i); });
    }
}

IndexedCall LogRecords::Block::at(qsizetype i) const
{
    IndexedCall call;
    call.offset = offset(i);
    call.timestampMs = timestampMs(i);
    call.model = model(i);
    call.feature = feature(i);
    call.user = user(i);
    call.finishReason = finishReason(i);
    call.inputTokens = inputTokens(i);
    call.outputTokens = outputTokens(i);
    call.cacheReadTokens = cacheReadTokens(i);
    call.cacheWriteTokens = cacheWriteTokens(i);
    call.costUsd = costUsd(i);
    call.latencyMs = latencyMs(i);
    call.retrievedDocs = retrievedDocs(i);
    return call;
}

void LogRecords::Block::set(qsizetype i, const IndexedCall &call)
{
    Q_ASSERT(!m_packed);
    m_columns[Offset].setWord(i, quint64(call.offset));
    m_columns[Time].setWord(i, quint64(call.timestampMs));
    m_columns[Latency].setWord(i, std::bit_cast<quint64>(call.latencyMs));
    m_columns[Cost].setWord(i, std::bit_cast<quint64>(call.costUsd));
    m_columns[Model].setWord(i, call.model);
    m_columns[Feature].setWord(i, call.feature);
    m_columns[User].setWord(i, call.user);
    m_columns[FinishReason].setWord(i, call.finishReason);
    m_columns[InputTokens].setWord(i, call.inputTokens);
    m_columns[OutputTokens].setWord(i, call.outputTokens);
    m_columns[CacheReadTokens].setWord(i, call.cacheReadTokens);
    m_columns[CacheWriteTokens].setWord(i, call.cacheWriteTokens);
    m_columns[RetrievedDocs].setWord(i, call.retrievedDocs);
}

void LogRecords::Block::copy(qsizetype at, const Block &block, qsizetype from, qsizetype count,
                             const IdMaps &ids)
{
    Q_ASSERT(!m_packed && at + count <= blockSize && from + count <= blockSize);
    const auto copyField = [&](Field field, const auto &valueAt) {
        PackedColumn &column = m_columns[field];
        for (qsizetype i = 0; i < count; ++i)
            column.setWord(at + i, quint64(valueAt(from + i)));
    };
    copyField(Offset, [&block](qsizetype i) { return block.offset(i); });
    copyField(Time, [&block](qsizetype i) { return block.timestampMs(i); });
    for (const Field field : {Latency, Cost}) {
        copyField(field, [&block, field](qsizetype i) {
            return std::bit_cast<quint64>(block.decimal(field, i));
        });
    }
    const std::pair<Field, const std::vector<quint32> *> named[] = {
        {Model, &ids.models},
        {Feature, &ids.features},
        {User, &ids.users},
        {FinishReason, &ids.finishReasons}};
    for (const auto &fieldAndMap : named) {
        // Not a structured binding: clang 14 cannot capture one in a lambda.
        const Field field = fieldAndMap.first;
        const std::vector<quint32> *const map = fieldAndMap.second;
        if (map->empty()) {
            copyField(field, [&block, field](qsizetype i) { return block.narrow(field, i); });
            continue;
        }
        copyField(field,
                  [&block, field, map](qsizetype i) { return (*map)[block.narrow(field, i)]; });
    }
    for (const Field field :
         {InputTokens, OutputTokens, CacheReadTokens, CacheWriteTokens, RetrievedDocs}) {
        copyField(field, [&block, field](qsizetype i) { return block.narrow(field, i); });
    }
}

int LogRecords::Block::bitsPerCall() const
{
    int bits = 0;
    for (const PackedColumn &column : m_columns)
        bits += column.bits();
    return bits;
}

void LogRecords::append(const IndexedCall &call)
{
    openBlock().set(slot(m_size), call);
    grew(1);
}

void LogRecords::append(const LogRecords &later, const IdMaps &ids)
{
    for (qsizetype row = 0; row < later.size();) {
        Block &open = openBlock();
        // As many as both blocks still hold.
        const qsizetype count =
            std::min({blockSize - slot(m_size), blockSize - slot(row), later.size() - row});
        open.copy(slot(m_size), later.block(row), slot(row), count, ids);
        grew(count);
        row += count;
    }
}

LogRecords::Block &LogRecords::openBlock()
{
    if (slot(m_size) == 0) {
        m_open = std::make_shared<Block>();
        m_blocks.push_back(m_open);
    }
    return *m_open;
}

void LogRecords::grew(qsizetype calls)
{
    m_size += calls;
    if (slot(m_size) == 0) {
        m_blocks.back() = Block::packed(*m_open);
        m_open.reset();
    }
}

std::size_t LogRecords::memoryBytes() const
{
    std::size_t bytes = 0;
    for (const std::shared_ptr<const Block> &block : m_blocks)
        bytes += block->memoryBytes();
    return bytes;
}
