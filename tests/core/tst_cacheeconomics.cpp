#include "economics/cacheeconomics.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace Qt::Literals::StringLiterals;

Q_DECLARE_METATYPE(CacheScenario)

namespace {

// The support-desk case: 1000 calls a day, 90 s apart, each with a 500-token prefix; input
// $0.30, cache read $0.03 and the write price left to its default, 1.25 x $0.30 = $0.375;
// TTL 300 s.
CacheScenario supportDesk()
{
    CacheScenario scenario;
    scenario.callsPerDay = 1000;
    scenario.cachedPromptTokens = 500;
    scenario.inputPrice = 0.30;
    scenario.cacheReadPrice = 0.03;
    scenario.intervalSeconds = 90;
    return scenario;
}

template<typename Change>
CacheScenario supportDeskWith(Change change)
{
    CacheScenario scenario = supportDesk();
    change(scenario);
    return scenario;
}

CacheScenario poissonSupportDesk()
{
    return supportDeskWith([](CacheScenario &s) {
        s.arrivals = ArrivalPattern::Poisson;
        s.intervalSeconds.reset();
    });
}

QStringList lines(const QList<CalculationStep> &working)
{
    QStringList text;
    for (const CalculationStep &step : working)
        text.append(step.toString());
    return text;
}

} // namespace

class tst_CacheEconomics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void supportDeskCaseComesOutAsComputedByHand();
    void poissonSupportDeskShowsItsWorking();
    void dailyFigures_data();
    void dailyFigures();
    void breakEven_data();
    void breakEven();
    void warnings_data();
    void warnings();
    void impossibleInputsAreRefusedByName_data();
    void impossibleInputsAreRefusedByName();
    void moneyIsWrittenToItsLastVisibleDigit_data();
    void moneyIsWrittenToItsLastVisibleDigit();
    void planDollarsAreWrittenInCents_data();
    void planDollarsAreWrittenInCents();
};

void tst_CacheEconomics::supportDeskCaseComesOutAsComputedByHand()
{
    const Expected<CacheEconomics> result = CacheEconomics::compute(supportDesk());

    QVERIFY2(result.hasValue(), qPrintable(result ? QString() : result.error()));
    QCOMPARE(result->writePrice, 0.375);
    QCOMPARE(result->intervalSeconds, 90.0);
    // 1000 x 500 x 0.30 / 1e6 = 0.15
    QCOMPARE(result->costWithoutCaching, 0.15);
    // 90 s <= 300 s: the first call writes and every later one finds the prefix warm.
    QCOMPARE(result->cacheWritesPerDay, 1.0);
    QCOMPARE(result->cacheReadsPerDay, 999.0);
    // 1 x 500 x 0.375 / 1e6 = 0.0001875; 999 x 500 x 0.03 / 1e6 = 0.014985
    QCOMPARE(result->writeCost, 0.0001875);
    QCOMPARE(result->readCost, 0.014985);
    // 0.0001875 + 0.014985 = 0.0151725; (0.15 - 0.0151725) / 0.15 x 100 = 89.885
    QCOMPARE(result->costWithCaching, 0.0151725);
    QCOMPARE(result->savingPercent, 89.885);
    // (0.375 - 0.30) / (0.30 - 0.03) = 0.075 / 0.27 = 5/18 = 0.2777...
    QVERIFY(result->breakEvenReadsPerWrite.has_value());
    QCOMPARE(*result->breakEvenReadsPerWrite, 5.0 / 18);
    // 86400 / 300 = 288: from there on the calls are at most a TTL apart.
    QVERIFY(result->breakEvenCallsPerDay.has_value());
    QCOMPARE(*result->breakEvenCallsPerDay, 288.0);
    // 1000 x 90 s = 90000 s = 25 h
    QCOMPARE(result->warnings,
             QStringList{u"1000 calls 90 s apart span 25.0 hours, longer than a day"_s});

    const QStringList expectedWorking{
        u"Cache write price = 1.25 x $0.30 input = $0.375"_s,
        u"Daily cost without caching = 1000 calls x 500 tokens x $0.30 / 1e6 = $0.150000"_s,
        u"Cache writes per day = 90 s apart <= 300 s TTL, so only the first call writes = 1"_s,
        u"Cache reads per day = 1000 calls - 1 writes = 999"_s,
        u"Daily write cost = 1 writes x 500 tokens x $0.375 / 1e6 = $0.0001875"_s,
        u"Daily read cost = 999 reads x 500 tokens x $0.03 / 1e6 = $0.014985"_s,
        u"Daily cost with caching = $0.0001875 writes + $0.014985 reads = $0.015173"_s,
        u"Saving = ($0.150000 - $0.015173) / $0.150000 x 100 = 89.885%"_s,
        u"Break-even reads per write = ($0.375 - $0.30) / ($0.30 - $0.03) = 0.2778"_s,
        u"Break-even calls per day = 86400 s / 300 s TTL = 288"_s,
    };
    QCOMPARE(lines(result->working), expectedWorking);
}

void tst_CacheEconomics::poissonSupportDeskShowsItsWorking()
{
    // rate = 1000 / 86400 = 0.0115741 calls/s; TTL x rate = 300 x 1000 / 86400 = 3.472222
    // e^-3.472222 = 0.0310480, so writes = 1000 x 0.0310480 = 31.0480 and reads = 968.9520
    // writes: 31.0480 x 500 x 0.375 / 1e6 = 0.00582149; reads: 968.9520 x 500 x 0.03 / 1e6
    // = 0.01453428; with caching 0.02035577; saving (0.15 - 0.02035577) / 0.15 = 86.4295 %
    // break-even hit rate (0.375 - 0.30) / (0.375 - 0.03) = 0.075 / 0.345 = 0.217391
    // -ln(1 - 0.217391) = 0.245122; / 300 s x 86400 s = 70.5953 calls a day
    const Expected<CacheEconomics> result = CacheEconomics::compute(poissonSupportDesk());

    // The totals and break-even are rows of dailyFigures and breakEven; here the split of the
    // cost and the working.
    QVERIFY(result.hasValue());
    QCOMPARE(result->intervalSeconds, 0.0);
    QCOMPARE(result->writeCost, 0.00582149221487431);
    QCOMPARE(result->readCost, 0.0145342806228101);
    QVERIFY(result->warnings.isEmpty());

    const QStringList expectedWorking{
        u"Cache write price = 1.25 x $0.30 input = $0.375"_s,
        u"Daily cost without caching = 1000 calls x 500 tokens x $0.30 / 1e6 = $0.150000"_s,
        u"Arrival rate = 1000 calls / 86400 s = 0.0115741 calls/s"_s,
        u"Cache writes per day = 1000 calls x e^(-300 s x 0.0115741/s) = 31.05"_s,
        u"Cache reads per day = 1000 calls - 31.05 writes = 968.95"_s,
        u"Daily write cost = 31.05 writes x 500 tokens x $0.375 / 1e6 = $0.005821"_s,
        u"Daily read cost = 968.95 reads x 500 tokens x $0.03 / 1e6 = $0.014534"_s,
        u"Daily cost with caching = $0.005821 writes + $0.014534 reads = $0.020356"_s,
        u"Saving = ($0.150000 - $0.020356) / $0.150000 x 100 = 86.429%"_s,
        u"Break-even reads per write = ($0.375 - $0.30) / ($0.30 - $0.03) = 0.2778"_s,
        u"Hit rate needed to break even = ($0.375 - $0.30) / ($0.375 - $0.03) = 0.2174"_s,
        u"Break-even calls per day = -ln(1 - 0.2174) / 300 s x 86400 s = 70.60"_s,
    };
    QCOMPARE(lines(result->working), expectedWorking);
}

void tst_CacheEconomics::dailyFigures_data()
{
    QTest::addColumn<CacheScenario>("scenario");
    QTest::addColumn<double>("writes");
    QTest::addColumn<double>("withoutCaching");
    QTest::addColumn<double>("withCaching");
    QTest::addColumn<double>("savingPercent");

    QTest::newRow("uniform, the support desk")
        << supportDesk() << 1.0 << 0.15 << 0.0151725 << 89.885;

    // 100 calls 600 s apart, TTL 300 s: every call writes.
    // without: 100 x 500 x 0.30 / 1e6 = 0.015; with: 100 x 500 x 0.375 / 1e6 = 0.01875
    // saving (0.015 - 0.01875) / 0.015 = -25 %
    QTest::newRow("uniform, calls further apart than the TTL") << supportDeskWith([](auto &s) {
        s.callsPerDay = 100;
        s.intervalSeconds = 600;
    }) << 100.0 << 0.015 << 0.01875 << -25.0;

    // Sonnet prices, 2000 calls spread over the day: 86400 / 2000 = 43.2 s <= 300 s, one write.
    // without: 2000 x 4000 x 3 / 1e6 = 24; write: 4000 x 3.75 / 1e6 = 0.015
    // reads: 1999 x 4000 x 0.30 / 1e6 = 2.3988; with 2.4138; saving 21.5862 / 24 = 89.9425 %
    QTest::newRow("uniform, sonnet prices, default interval")
        << CacheScenario{2000, 4000, 3.0, 0.30, 3.75, 300, ArrivalPattern::Uniform, std::nullopt}
        << 1.0 << 24.0 << 2.4138 << 89.9425;

    // Haiku 4.5 with the one-hour write ($2) and TTL: 20 calls a day are 86400 / 20 = 4320 s
    // apart, more than 3600 s, so all 20 write.
    // without: 20 x 10000 x 1 / 1e6 = 0.2; with: 20 x 10000 x 2 / 1e6 = 0.4; saving -100 %
    QTest::newRow("uniform, one-hour TTL still too short")
        << CacheScenario{20, 10000, 1.0, 0.10, 2.0, 3600, ArrivalPattern::Uniform, std::nullopt}
        << 20.0 << 0.2 << 0.4 << -100.0;

    // See poissonSupportDeskShowsItsWorking.
    QTest::newRow("poisson, the support desk") << poissonSupportDesk() << 31.0479584793297 << 0.15
                                               << 0.0203557728376844 << 86.4294847748771;

    // 24 calls a day: rate 1/3600 per s, TTL x rate = 300 / 3600 = 1/12; e^(-1/12) = 0.920044
    // writes 24 x 0.920044 = 22.0811, reads 1.9189
    // without: 24 x 2000 x 3 / 1e6 = 0.144
    // with: (22.0811 x 2000 x 3.75 + 1.9189 x 2000 x 0.30) / 1e6 = 0.165608 + 0.001151
    // = 0.166759; saving (0.144 - 0.166759) / 0.144 = -15.805 %
    QTest::newRow("poisson, sparse calls lose money")
        << CacheScenario{24,          2000, 3.0, 0.30, std::nullopt, 300, ArrivalPattern::Poisson,
                         std::nullopt}
        << 22.0810659511038 << 0.144 << 0.166759355062616 << -15.8051076823722;
}

void tst_CacheEconomics::dailyFigures()
{
    QFETCH(CacheScenario, scenario);
    QFETCH(double, writes);
    QFETCH(double, withoutCaching);
    QFETCH(double, withCaching);
    QFETCH(double, savingPercent);

    const Expected<CacheEconomics> result = CacheEconomics::compute(scenario);

    QVERIFY2(result.hasValue(), qPrintable(result ? QString() : result.error()));
    QCOMPARE(result->cacheWritesPerDay, writes);
    QCOMPARE(result->cacheReadsPerDay, scenario.callsPerDay - writes);
    QCOMPARE(result->costWithoutCaching, withoutCaching);
    QCOMPARE(result->costWithCaching, withCaching);
    QCOMPARE(result->writeCost + result->readCost, withCaching);
    QCOMPARE(result->savingPercent, savingPercent);
}

void tst_CacheEconomics::breakEven_data()
{
    QTest::addColumn<CacheScenario>("scenario");
    QTest::addColumn<bool>("exists");
    QTest::addColumn<double>("readsPerWrite");
    QTest::addColumn<double>("callsPerDay");

    QTest::newRow("uniform, the support desk") << supportDesk() << true << 5.0 / 18 << 288.0;
    // 86400 / 3600 = 24
    QTest::newRow("uniform, one-hour TTL")
        << supportDeskWith([](auto &s) { s.ttlSeconds = 3600; }) << true << 5.0 / 18 << 24.0;
    // 86400 / 86400 = 1 call keeps it warm, but the one write must be repaid by 5/18 of a read:
    // 1 + 5/18 = 23/18 = 1.2778 calls a day.
    QTest::newRow("uniform, TTL of a day: the write premium decides")
        << supportDeskWith([](auto &s) { s.ttlSeconds = 86400; }) << true << 23.0 / 18 - 1
        << 23.0 / 18;
    // (0.30 - 0.30) / (0.30 - 0.03) = 0: the first read repays nothing because nothing is owed.
    QTest::newRow("uniform, write at the input price")
        << supportDeskWith([](auto &s) { s.cacheWritePrice = 0.30; }) << true << 0.0 << 288.0;
    QTest::newRow("poisson, the support desk")
        << poissonSupportDesk() << true << 5.0 / 18 << 70.5952679134997;
    // hit rate needed (0.30 - 0.30) / (0.30 - 0.03) = 0, so any volume pays: -ln(1) = 0.
    QTest::newRow("poisson, write at the input price") << supportDeskWith([](auto &s) {
        s = poissonSupportDesk();
        s.cacheWritePrice = 0.30;
    }) << true << 0.0 << 0.0;
    // reads: (0.375 - 0.30) / (0.30 - 0) = 0.25; hit rate (0.375 - 0.30) / 0.375 = 0.2
    // -ln(0.8) = 0.223144; / 300 x 86400 = 64.2653
    QTest::newRow("poisson, free reads") << supportDeskWith([](auto &s) {
        s = poissonSupportDesk();
        s.cacheReadPrice = 0;
    }) << true << 0.25 << 64.2653427784924;
    QTest::newRow("read at the input price: never pays")
        << supportDeskWith([](auto &s) { s.cacheReadPrice = 0.30; }) << false << 0.0 << 0.0;
    QTest::newRow("write below the input price: always pays")
        << supportDeskWith([](auto &s) { s.cacheWritePrice = 0.20; }) << false << 0.0 << 0.0;
}

void tst_CacheEconomics::breakEven()
{
    QFETCH(CacheScenario, scenario);
    QFETCH(bool, exists);
    QFETCH(double, readsPerWrite);
    QFETCH(double, callsPerDay);

    const Expected<CacheEconomics> result = CacheEconomics::compute(scenario);

    QVERIFY(result.hasValue());
    QCOMPARE(result->breakEvenReadsPerWrite.has_value(), exists);
    QCOMPARE(result->breakEvenCallsPerDay.has_value(), exists);
    if (!exists)
        return;
    QCOMPARE(*result->breakEvenReadsPerWrite, readsPerWrite);
    QCOMPARE(*result->breakEvenCallsPerDay, callsPerDay);
}

void tst_CacheEconomics::warnings_data()
{
    QTest::addColumn<CacheScenario>("scenario");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("calls longer than a day")
        << supportDesk()
        << QStringList{u"1000 calls 90 s apart span 25.0 hours, longer than a day"_s};
    // 500 x 90 s = 12.5 h
    QTest::newRow("calls within a day")
        << supportDeskWith([](auto &s) { s.callsPerDay = 500; }) << QStringList{};
    QTest::newRow("default interval fills exactly a day") << supportDeskWith([](auto &s) {
        s.callsPerDay = 7;
        s.intervalSeconds.reset();
    }) << QStringList{};
    QTest::newRow("no calls") << supportDeskWith([](auto &s) { s.callsPerDay = 0; })
                              << QStringList{u"no calls are made, so there is nothing to cache"_s};
    QTest::newRow("no tokens") << supportDeskWith([](auto &s) {
        s.cachedPromptTokens = 0;
        s.intervalSeconds.reset();
    }) << QStringList{u"the cached prefix has 0 tokens, so there is nothing to cache"_s};
    QTest::newRow("read as dear as input")
        << supportDeskWith([](auto &s) {
               s.cacheReadPrice = 0.30;
               s.intervalSeconds = 60;
           })
        << QStringList{u"the cache read price ($0.30) is not below the input price ($0.30): a "
                       "read saves nothing, so caching never pays and has no break-even"_s};
    QTest::newRow("write cheaper than input")
        << supportDeskWith([](auto &s) {
               s.cacheWritePrice = 0.25;
               s.intervalSeconds = 60;
           })
        << QStringList{u"the cache write price ($0.25) is below the input price ($0.30): even a "
                       "write saves money, so there is no break-even"_s};
    QTest::newRow("poisson given an interval")
        << supportDeskWith([](auto &s) { s.arrivals = ArrivalPattern::Poisson; })
        << QStringList{u"the interval between calls applies to uniform arrivals only; Poisson "
                       "arrivals follow the calls per day"_s};
    QTest::newRow("poisson") << poissonSupportDesk() << QStringList{};
}

void tst_CacheEconomics::warnings()
{
    QFETCH(CacheScenario, scenario);
    QFETCH(QStringList, expected);

    const Expected<CacheEconomics> result = CacheEconomics::compute(scenario);

    QVERIFY(result.hasValue());
    QCOMPARE(result->warnings, expected);
}

void tst_CacheEconomics::impossibleInputsAreRefusedByName_data()
{
    QTest::addColumn<CacheScenario>("scenario");
    QTest::addColumn<QString>("message");

    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    constexpr double infinity = std::numeric_limits<double>::infinity();
    QTest::newRow("negative calls") << supportDeskWith([](auto &s) { s.callsPerDay = -1; })
                                    << u"calls per day must be a number of 0 or more, not -1"_s;
    QTest::newRow("calls not a number")
        << supportDeskWith([=](auto &s) { s.callsPerDay = nan; })
        << u"calls per day must be a number of 0 or more, not nan"_s;
    QTest::newRow("negative tokens")
        << supportDeskWith([](auto &s) { s.cachedPromptTokens = -500; })
        << u"cached prompt tokens must be a number of 0 or more, not -500"_s;
    QTest::newRow("input price not a number")
        << supportDeskWith([=](auto &s) { s.inputPrice = nan; })
        << u"input price must be a number of 0 or more, not nan"_s;
    QTest::newRow("infinite read price")
        << supportDeskWith([=](auto &s) { s.cacheReadPrice = infinity; })
        << u"cache read price must be a number of 0 or more, not inf"_s;
    QTest::newRow("negative write price")
        << supportDeskWith([](auto &s) { s.cacheWritePrice = -0.375; })
        << u"cache write price must be a number of 0 or more, not -0.375"_s;
    QTest::newRow("TTL of zero") << supportDeskWith([](auto &s) { s.ttlSeconds = 0; })
                                 << u"TTL must be a number above 0, not 0"_s;
    QTest::newRow("negative TTL") << supportDeskWith([](auto &s) { s.ttlSeconds = -300; })
                                  << u"TTL must be a number above 0, not -300"_s;
    QTest::newRow("interval of zero") << supportDeskWith([](auto &s) { s.intervalSeconds = 0; })
                                      << u"interval must be a number above 0, not 0"_s;
}

void tst_CacheEconomics::impossibleInputsAreRefusedByName()
{
    QFETCH(CacheScenario, scenario);
    QFETCH(QString, message);

    const Expected<CacheEconomics> result = CacheEconomics::compute(scenario);

    QVERIFY(!result.hasValue());
    QCOMPARE(result.error(), message);
}

void tst_CacheEconomics::moneyIsWrittenToItsLastVisibleDigit_data()
{
    QTest::addColumn<double>("amount");
    QTest::addColumn<QString>("written");
    QTest::newRow("dollars") << 61.86 << u"$61.860000"_s;
    QTest::newRow("a fraction of a cent, four digits kept") << 0.0001875 << u"$0.0001875"_s;
    QTest::newRow("the smallest shown") << 1.5e-12 << u"$0.000000000002"_s;
    // A write expected once in 10^15 days costs nothing anyone could pay.
    QTest::newRow("below the twelfth decimal") << 5.3e-18 << u"$0.000000"_s;
    QTest::newRow("zero") << 0.0 << u"$0.000000"_s;
}

void tst_CacheEconomics::moneyIsWrittenToItsLastVisibleDigit()
{
    QFETCH(double, amount);
    QFETCH(QString, written);
    QCOMPARE(formatUsd(amount), written);
}

void tst_CacheEconomics::planDollarsAreWrittenInCents_data()
{
    QTest::addColumn<double>("amount");
    QTest::addColumn<QString>("written");
    QTest::newRow("a month") << 2700.0 << u"$2,700.00"_s;
    QTest::newRow("rounded to the cent") << 37.284999 << u"$37.28"_s;
    QTest::newRow("a dollar") << 1.0 << u"$1.00"_s;
    QTest::newRow("under a dollar") << 0.0045 << u"$0.004500"_s;
    QTest::newRow("zero") << 0.0 << u"$0.00"_s;
    QTest::newRow("a loss") << -12.5 << u"-$12.50"_s;
}

void tst_CacheEconomics::planDollarsAreWrittenInCents()
{
    QFETCH(double, amount);
    QFETCH(QString, written);
    QCOMPARE(formatDollars(amount), written);
}

QTEST_GUILESS_MAIN(tst_CacheEconomics)
#include "tst_cacheeconomics.moc"
