// The packed blocks of a LogIndex: the bytes are read as a list of calls, repeated to fill a
// block and more, and every call must read back exactly as written, bit for bit, from the
// packed block and from the block being written. The bytes pick how each value is made, so
// the search reaches blocks of decimal costs with one odd value, times with gaps, and spreads
// near the 57 bits a packed code may take.

#include "calllog/logrecords.h"
#include "fuzzinput.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace {

// Reads values off the front of the input; zeros once it is used up.
class Bytes
{
public:
    explicit Bytes(QByteArrayView bytes)
        : m_bytes(bytes)
    {}

    bool atEnd() const { return m_at >= m_bytes.size(); }

    template<typename T>
    T take()
    {
        T value{};
        const auto count = std::min<qsizetype>(qsizetype(sizeof(T)), m_bytes.size() - m_at);
        if (count > 0)
            std::memcpy(&value, m_bytes.data() + m_at, std::size_t(count));
        m_at += qsizetype(sizeof(T));
        return value;
    }

private:
    QByteArrayView m_bytes;
    qsizetype m_at = 0;
};

// A double as a log has them: a short decimal, a whole number, or any bits at all.
double takeDouble(Bytes &bytes)
{
    const auto kind = bytes.take<quint8>();
    switch (kind % 4) {
    case 0: {
        const auto whole = bytes.take<qint32>();
        return double(whole) / std::pow(10.0, double(bytes.take<quint8>() % 20));
    }
    case 1:
        return double(bytes.take<qint32>());
    case 2:
        return double(bytes.take<qint64>());
    default:
        return std::bit_cast<double>(bytes.take<quint64>());
    }
}

// A 64-bit value near the one before (most calls) or anywhere.
qint64 takeNear(Bytes &bytes, qint64 previous)
{
    const auto kind = bytes.take<quint8>();
    if (kind % 2 == 0)
        return qint64(quint64(previous) + quint64(bytes.take<qint16>()));
    return bytes.take<qint64>();
}

bool sameCall(IndexedCall a, IndexedCall b)
{
    const bool doublesMatch =
        std::bit_cast<quint64>(a.costUsd) == std::bit_cast<quint64>(b.costUsd)
        && std::bit_cast<quint64>(a.latencyMs) == std::bit_cast<quint64>(b.latencyMs);
    a.costUsd = b.costUsd = a.latencyMs = b.latencyMs = 0;
    return doublesMatch && a == b;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    Bytes bytes(fuzzBytes(data, size));
    std::vector<IndexedCall> calls;
    qint64 offset = 0;
    qint64 time = 0;
    while (!bytes.atEnd() && calls.size() < 256) {
        IndexedCall call;
        call.offset = offset = takeNear(bytes, offset);
        const auto timeKind = bytes.take<quint8>();
        call.timestampMs =
            timeKind % 8 == 0 ? IndexedCall::noTimestamp : (time = takeNear(bytes, time));
        call.costUsd = takeDouble(bytes);
        call.latencyMs = takeDouble(bytes);
        call.model = bytes.take<quint8>();
        call.feature = bytes.take<quint8>();
        call.user = bytes.take<quint32>();
        call.finishReason = bytes.take<quint8>();
        call.inputTokens = bytes.take<quint32>();
        call.outputTokens = bytes.take<quint16>();
        call.cacheReadTokens = bytes.take<quint32>();
        call.cacheWriteTokens = bytes.take<quint32>();
        call.retrievedDocs = bytes.take<quint16>();
        calls.push_back(call);
    }
    if (calls.empty())
        return 0;

    // The calls over and over: a full block that is packed, then some in the next.
    const qsizetype count = LogRecords::blockSize + qsizetype(calls.size());
    const auto written = [&calls](qsizetype row) {
        IndexedCall call = calls[std::size_t(row) % calls.size()];
        // Every lap a little later in the file, so that offsets are not all alike.
        call.offset = qint64(quint64(call.offset) + quint64(row / qsizetype(calls.size())) * 512);
        return call;
    };
    LogRecords records;
    for (qsizetype row = 0; row < count; ++row)
        records.append(written(row));
    require(records.blockAt(0).isPacked(), "a full block is packed");
    require(records.blockAt(0).bitsPerCall() <= 13 * 64, "a packed call takes at most 13 words");
    for (qsizetype row = 0; row < count; ++row)
        require(sameCall(records.at(row), written(row)), "a call reads back as it was written");
    return 0;
}
