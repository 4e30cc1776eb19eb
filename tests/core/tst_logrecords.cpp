#include "calllog/logrecords.h"

#include <QRandomGenerator>
#include <QTest>

#include <bit>
#include <cmath>
#include <functional>

namespace {

using CallMaker = std::function<IndexedCall(qsizetype row, QRandomGenerator &random)>;

// Calls as a busy service logs them: times 0.6 s apart, a line of about 420 bytes each, three
// models and four features, costs in millionths of a dollar, whole-millisecond latencies.
IndexedCall ordinaryCall(qsizetype row, QRandomGenerator &random)
{
    IndexedCall call;
    call.offset = row * 420 + random.bounded(40);
    call.timestampMs = 1'769'904'000'000 + row * 600 + random.bounded(500);
    call.model = random.bounded(3);
    call.feature = random.bounded(4);
    call.user = random.bounded(5001);
    call.finishReason = random.bounded(4);
    call.inputTokens = random.bounded(1, 20'000);
    call.outputTokens = random.bounded(1, 2'000);
    call.cacheReadTokens = random.bounded(2) ? random.bounded(8'000) : 0;
    call.cacheWriteTokens = random.bounded(10) == 0 ? random.bounded(8'000) : 0;
    call.costUsd = double(random.bounded(1, 150'000)) / 1e6;
    call.latencyMs = random.bounded(100, 9'000);
    call.retrievedDocs = quint16(random.bounded(7));
    return call;
}

double anyDouble(QRandomGenerator &random)
{
    return std::bit_cast<double>(random.generate64());
}

bool sameBits(double a, double b)
{
    return std::bit_cast<quint64>(a) == std::bit_cast<quint64>(b);
}

// Compares doubles bit for bit, so that -0.0 and NaN payloads count too.
bool readsBackAs(const IndexedCall &read, const IndexedCall &written)
{
    IndexedCall a = read;
    IndexedCall b = written;
    const bool doublesMatch = sameBits(a.costUsd, b.costUsd) && sameBits(a.latencyMs, b.latencyMs);
    a.costUsd = b.costUsd = a.latencyMs = b.latencyMs = 0;
    return doublesMatch && a == b;
}

QByteArray describe(const IndexedCall &call)
{
    return QByteArray("offset %1 time %2 cost %3 latency %4 tokens %5/%6/%7/%8")
        .replace("%1", QByteArray::number(call.offset))
        .replace("%2", QByteArray::number(call.timestampMs))
        .replace("%3", QByteArray::number(call.costUsd, 'g', 17))
        .replace("%4", QByteArray::number(call.latencyMs, 'g', 17))
        .replace("%5", QByteArray::number(call.inputTokens))
        .replace("%6", QByteArray::number(call.outputTokens))
        .replace("%7", QByteArray::number(call.cacheReadTokens))
        .replace("%8", QByteArray::number(call.cacheWriteTokens));
}

} // namespace

Q_DECLARE_METATYPE(CallMaker)

class tst_LogRecords : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void packedCodesReadBack();
    void readsBackEveryCallExactly_data();
    void readsBackEveryCallExactly();
    void appendsTheRecordsOfAnotherLog_data();
    void appendsTheRecordsOfAnotherLog();
    void packsEachFieldInTheBitsItsSpreadNeeds();
    void packsAnOrdinaryLogTightly();
};

void tst_LogRecords::packedCodesReadBack()
{
    QCOMPARE(PackedColumn::bitsFor(0), 0);
    QCOMPARE(PackedColumn::bitsFor(1), 1);
    QCOMPARE(PackedColumn::bitsFor(255), 8);
    QCOMPARE(PackedColumn::bitsFor(256), 9);
    QCOMPARE(PackedColumn::bitsFor((quint64(1) << 57) - 1), 57);
    QCOMPARE(PackedColumn::bitsFor(quint64(1) << 57), 64);

    // Every width, with codes of all ones next to codes of zero, where a shift or mask that is
    // off by one shows.
    QRandomGenerator random(7);
    constexpr qsizetype count = 1000;
    for (const int bits : {1, 2, 3, 7, 8, 9, 13, 16, 17, 23, 31, 32, 33, 48, 56, 57, 64}) {
        const quint64 largest = bits == 64 ? ~quint64(0) : (quint64(1) << bits) - 1;
        std::vector<std::byte> bytes(PackedColumn::bytesFor(count, bits));
        PackedColumn column(bytes.data(), bits, 12345);
        std::vector<quint64> codes(count);
        std::vector<quint64> values(count);
        for (qsizetype i = 0; i < count; ++i) {
            const int kind = int(i % 4);
            codes[i] = kind == 0 ? largest : kind == 1 ? 0 : random.generate64() & largest;
            values[i] = 12345 + codes[i];
        }
        column.packAll(count, [&values](qsizetype i) { return values[std::size_t(i)]; });
        for (qsizetype i = 0; i < count; ++i) {
            QCOMPARE(column.code(i), codes[i]);
            QCOMPARE(column.value(i), 12345 + codes[i]);
        }
    }
}

void tst_LogRecords::readsBackEveryCallExactly_data()
{
    QTest::addColumn<CallMaker>("make");
    const auto row = [](const char *name, CallMaker make) { QTest::newRow(name) << make; };

    row("an ordinary log", ordinaryCall);
    row("fractional latencies and long costs", [](qsizetype r, QRandomGenerator &random) {
        IndexedCall call = ordinaryCall(r, random);
        call.latencyMs = random.bounded(100'000) / 8.0 + 0.1;
        call.costUsd = random.bounded(1.0) * 3e-3; // seventeen digits, as a double prints
        return call;
    });
    row("one long cost among short ones", [](qsizetype r, QRandomGenerator &random) {
        IndexedCall call = ordinaryCall(r, random);
        if (r == 9000)
            call.costUsd = 0.1 + 0.2;
        return call;
    });
    row("signs, zeros, infinities and NaN", [](qsizetype r, QRandomGenerator &random) {
        IndexedCall call = ordinaryCall(r, random);
        const double odd[] = {-0.0,          0.0,   -1.0,   -1e-300,
                              5e-324,        1e308, -1e308, std::numeric_limits<double>::infinity(),
                              std::nan("7"), 9e15};
        call.costUsd = odd[r % 10];
        call.latencyMs = odd[(r / 10) % 10];
        return call;
    });
    row("any bits at all", [](qsizetype r, QRandomGenerator &random) {
        IndexedCall call;
        call.offset = qint64(random.generate64());
        call.timestampMs = r % 5 == 0 ? IndexedCall::noTimestamp : qint64(random.generate64());
        call.model = random.generate();
        call.feature = random.generate();
        call.user = random.generate();
        call.finishReason = random.generate();
        call.inputTokens = random.generate();
        call.outputTokens = random.generate();
        call.cacheReadTokens = random.generate();
        call.cacheWriteTokens = random.generate();
        call.costUsd = anyDouble(random);
        call.latencyMs = anyDouble(random);
        call.retrievedDocs = quint16(random.generate());
        return call;
    });
    row("the limits of every field", [](qsizetype r, QRandomGenerator &) {
        IndexedCall call;
        const bool high = r % 2;
        call.offset = high ? std::numeric_limits<qint64>::max() : 0;
        call.timestampMs =
            high ? std::numeric_limits<qint64>::max() : std::numeric_limits<qint64>::min() + 1;
        call.model = call.feature = call.user = call.finishReason = high ? ~0u : 0u;
        call.inputTokens = call.outputTokens = high ? ~0u : 0u;
        call.cacheReadTokens = call.cacheWriteTokens = high ? ~0u : 0u;
        call.retrievedDocs = high ? 65535 : 0;
        call.costUsd = high ? 4503599627370495.0 : -4503599627370495.0;
        call.latencyMs = high ? 9007199254740991.0 : 0;
        return call;
    });
    row("some calls without a time", [](qsizetype r, QRandomGenerator &random) {
        IndexedCall call = ordinaryCall(r, random);
        if (r % 100 == 3)
            call.timestampMs = IndexedCall::noTimestamp;
        return call;
    });
    row("no call with a time", [](qsizetype r, QRandomGenerator &random) {
        IndexedCall call = ordinaryCall(r, random);
        call.timestampMs = IndexedCall::noTimestamp;
        return call;
    });
    row("times out of order, years apart", [](qsizetype r, QRandomGenerator &random) {
        IndexedCall call = ordinaryCall(r, random);
        call.timestampMs = (r % 2 ? 1 : -1) * qint64(random.bounded(1e13));
        return call;
    });
}

void tst_LogRecords::readsBackEveryCallExactly()
{
    QFETCH(CallMaker, make);
    QRandomGenerator random(42);
    constexpr qsizetype count = 2 * LogRecords::blockSize + 1000;
    std::vector<IndexedCall> written;
    written.reserve(count);
    LogRecords records;
    LogRecords snapshot;
    for (qsizetype row = 0; row < count; ++row) {
        written.push_back(make(row, random));
        records.append(written.back());
        // A copy taken while the first block is being written, which keeps reading that block
        // as it was while the original packs it and goes on.
        if (row == LogRecords::blockSize - 10)
            snapshot = records;
    }

    QCOMPARE(records.size(), count);
    QCOMPARE(records.blockCount(), 3);
    QVERIFY(records.blockAt(0).isPacked());
    QVERIFY(records.blockAt(1).isPacked());
    QVERIFY(!records.blockAt(2).isPacked());
    for (qsizetype row = 0; row < count; ++row) {
        if (!readsBackAs(records.at(row), written[std::size_t(row)])) {
            const QByteArray message = "row " + QByteArray::number(row) + " reads "
                                       + describe(records.at(row)) + ", not "
                                       + describe(written[std::size_t(row)]);
            QFAIL(message.constData());
        }
    }
    QVERIFY(!snapshot.blockAt(0).isPacked());
    for (qsizetype row = 0; row < snapshot.size(); ++row)
        QVERIFY(readsBackAs(snapshot.at(row), written[std::size_t(row)]));
}

void tst_LogRecords::appendsTheRecordsOfAnotherLog_data()
{
    QTest::addColumn<qsizetype>("before");
    QTest::addColumn<qsizetype>("later");

    constexpr qsizetype block = LogRecords::blockSize;
    QTest::newRow("into an empty log") << qsizetype(0) << 3 * block + 5;
    QTest::newRow("filling the block being written") << block - 100 << qsizetype(100);
    QTest::newRow("across blocks, from a packed one") << qsizetype(10'000) << 2 * block + 7;
    QTest::newRow("nothing") << qsizetype(500) << qsizetype(0);
}

void tst_LogRecords::appendsTheRecordsOfAnotherLog()
{
    QFETCH(qsizetype, before);
    QFETCH(qsizetype, later);
    QRandomGenerator random(5);
    LogRecords records;
    std::vector<IndexedCall> expected;
    for (qsizetype row = 0; row < before; ++row) {
        expected.push_back(ordinaryCall(row, random));
        records.append(expected.back());
    }
    // The other log numbers its names the other way round.
    LogRecords::IdMaps ids;
    ids.models = {2, 1, 0};
    ids.features = {3, 2, 1, 0};
    ids.finishReasons = {3, 2, 1, 0};
    for (quint32 user = 0; user <= 5000; ++user)
        ids.users.push_back(5000 - user);
    LogRecords other;
    for (qsizetype row = 0; row < later; ++row) {
        IndexedCall call = ordinaryCall(row, random);
        call.latencyMs += 0.5; // the other log's blocks keep other kinds of numbers
        other.append(call);
        call.model = ids.models[call.model];
        call.feature = ids.features[call.feature];
        call.user = ids.users[call.user];
        call.finishReason = ids.finishReasons[call.finishReason];
        expected.push_back(call);
    }

    records.append(other, ids);
    QCOMPARE(records.size(), before + later);
    for (qsizetype row = 0; row < records.size(); ++row) {
        if (!readsBackAs(records.at(row), expected[std::size_t(row)])) {
            const QByteArray message =
                "row " + QByteArray::number(row) + " reads " + describe(records.at(row));
            QFAIL(message.constData());
        }
    }
    for (qsizetype n = 0; n + 1 < records.blockCount(); ++n)
        QVERIFY(records.blockAt(n).isPacked());
}

void tst_LogRecords::packsEachFieldInTheBitsItsSpreadNeeds()
{
    LogRecords records;
    for (qsizetype row = 0; row < LogRecords::blockSize; ++row) {
        IndexedCall call;
        call.offset = 1'000'000 + row;                // 0 to 16383 past the first: 14 bits
        call.timestampMs = 5'000 + row % 256;         // 8 bits
        call.costUsd = 0.25 + double(row % 2) / 1000; // 250 or 251 thousandths: 1 bit
        call.latencyMs = 800;                         // the same for every call: no bits at all
        call.inputTokens = 70'000 + row % 4;          // 2 bits
        records.append(call);
    }

    const LogRecords::Block &block = records.blockAt(0);
    QVERIFY(block.isPacked());
    QCOMPARE(block.bitsPerCall(), 14 + 8 + 1 + 0 + 2);
    QCOMPARE(block.costUsd(1), 0.251);
    QCOMPARE(block.latencyMs(1), 800.0);
}

void tst_LogRecords::packsAnOrdinaryLogTightly()
{
    QRandomGenerator random(1);
    LogRecords records;
    for (qsizetype row = 0; row < 4 * LogRecords::blockSize; ++row)
        records.append(ordinaryCall(row, random));

    const double bytesPerCall = double(records.memoryBytes()) / double(records.size());
    qInfo("%.1f bytes per call, %d bits in the first block", bytesPerCall,
          records.blockAt(0).bitsPerCall());
    // Offsets 23 bits, times 24, costs 18, latencies 14, ids 2 + 2 + 13 + 2, tokens 15 + 11 +
    // 13 + 13, documents 3: 153 bits, a little over 19 bytes.
    QCOMPARE(records.blockAt(0).bitsPerCall(), 153);
    QVERIFY(bytesPerCall < 20);
}

QTEST_GUILESS_MAIN(tst_LogRecords)
#include "tst_logrecords.moc"
