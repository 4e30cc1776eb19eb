#include "economics/capacityplan.h"
#include "pricing/pricebook.h"

#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace Qt::Literals::StringLiterals;

Q_DECLARE_METATYPE(CapacityScenario)

namespace {

CapacityScenario traffic(double requestsPerDay, qint64 input, qint64 output, const QString &model)
{
    CapacityScenario scenario;
    scenario.requestsPerDay = requestsPerDay;
    scenario.inputTokensPerRequest = input;
    scenario.outputTokensPerRequest = output;
    scenario.modelId = model;
    return scenario;
}

// 10,000 requests a day at a 10x peak, 1,500 tokens in and 300 out on Sonnet 4.6; 70 % routed to
// Haiku 4.5; a 1,000-token prefix cached with 80 % hits.
CapacityScenario supportBot()
{
    CapacityScenario scenario = traffic(10000, 1500, 300, u"claude-sonnet-4-6"_s);
    scenario.routing = RoutingShare{0.7, u"claude-haiku-4-5"_s};
    scenario.caching = PrefixCaching{1000, 0.8};
    return scenario;
}

template<typename Change>
CapacityScenario supportBotWith(Change change)
{
    CapacityScenario scenario = supportBot();
    change(scenario);
    return scenario;
}

Expected<CapacityPlan> plan(const CapacityScenario &scenario)
{
    return CapacityPlan::compute(scenario, PriceBook::builtIn(), RateLimitTable::builtIn());
}

void writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
}

} // namespace

class tst_CapacityPlan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void supportBotPlanAsComputedByHand();
    void costSteps_data();
    void costSteps();
    void lowestFittingTier_data();
    void lowestFittingTier();
    void routesOfOneClassShareItsLimits();
    void impossibleInputsAreRefusedByName_data();
    void impossibleInputsAreRefusedByName();
    void builtInTableClassesModels_data();
    void builtInTableClassesModels();
    void unclassedModelIsAnErrorNamingIt_data();
    void unclassedModelIsAnErrorNamingIt();
    void builtInTableHoldsThePublishedTiers();
    void userFileReplacesTheTable();
    void badTableFilesNameFileAndField_data();
    void badTableFilesNameFileAndField();
};

void tst_CapacityPlan::supportBotPlanAsComputedByHand()
{
    const Expected<CapacityPlan> result = plan(supportBot());

    QVERIFY2(result.hasValue(), qPrintable(result ? QString() : result.error()));
    // Traffic: 10000 / 86400 = 25/216 = 0.115741 RPS; x 10 = 125/108 = 1.157407 RPS;
    // x 60 = 625/9 = 69.444 RPM
    QCOMPARE(result->averageRps, 25.0 / 216);
    QCOMPARE(result->peakRps, 125.0 / 108);
    QCOMPARE(result->peakRpm, 625.0 / 9);
    // 10000 x 1500 = 15,000,000 in; 10000 x 300 = 3,000,000 out a day
    QCOMPARE(result->dailyInputTokens, 15e6);
    QCOMPARE(result->dailyOutputTokens, 3e6);
    // 625/9 x 1500 = 312500/3 = 104,166.7 TPM in; 625/9 x 300 = 62500/3 = 20,833.3 TPM out
    QCOMPARE(result->peakInputTpm, 312500.0 / 3);
    QCOMPARE(result->peakOutputTpm, 62500.0 / 3);

    // Baseline, Sonnet 4.6 ($3 in, $15 out): 1500 x 3 + 300 x 15 = 9000 -> $0.009 a request,
    // $90 a day, $2,700 a 30-day month.
    QCOMPARE(result->baseline.daily, 90.0);
    QCOMPARE(result->baseline.monthly, 2700.0);
    QCOMPARE(result->baseline.savingDaily, 0.0);
    QCOMPARE(result->baseline.savingPercent, 0.0);
    // Routing, Haiku 4.5 ($1 in, $5 out): 1500 x 1 + 300 x 5 = 3000 -> $0.003 a request.
    // 3000 x $0.009 + 7000 x $0.003 = 27 + 21 = $48 a day, $1,440 a month;
    // saves 90 - 48 = $42 a day, 42 / 90 = 46.667 %.
    QCOMPARE(result->afterRouting.daily, 48.0);
    QCOMPARE(result->afterRouting.monthly, 1440.0);
    QCOMPARE(result->afterRouting.savingDaily, 42.0);
    QCOMPARE(result->afterRouting.savingPercent, 140.0 / 3);
    // Caching: 500 uncached, 800 read, 200 written (5-minute price) per request.
    // Sonnet: 500 x 3 + 800 x 0.30 + 200 x 3.75 + 300 x 15 = 1500 + 240 + 750 + 4500 = 6990
    // Haiku: 500 x 1 + 800 x 0.10 + 200 x 1.25 + 300 x 5 = 500 + 80 + 250 + 1500 = 2330
    // 3000 x $0.00699 + 7000 x $0.00233 = 20.97 + 16.31 = $37.28 a day, $1,118.40 a month;
    // saves 48 - 37.28 = $10.72 a day, 10.72 / 48 = 22.333 %.
    QCOMPARE(result->afterCaching.daily, 37.28);
    QCOMPARE(result->afterCaching.monthly, 1118.4);
    QCOMPARE(result->afterCaching.savingDaily, 10.72);
    QCOMPARE(result->afterCaching.savingPercent, 67.0 / 3);

    // Input TPM as counted: cache reads do not count, so 1500 - 800 = 700 tokens a request.
    // 625/9 x 700 = 437500/9 = 48,611.1
    QCOMPARE(result->countedPeakInputTpm, 437500.0 / 9);
    QCOMPARE(result->loads.size(), 2);
    // Sonnet: 0.3 x 625/9 = 125/6 = 20.83 RPM; x 700 = 43750/3 = 14,583.3; x 300 = 6,250
    const ClassLoad &sonnet = result->loads.at(0);
    QCOMPARE(sonnet.modelClass.name, u"Sonnet 4.x"_s);
    QCOMPARE(sonnet.share, 0.3);
    QCOMPARE(sonnet.peakRequestsPerMinute, 125.0 / 6);
    QCOMPARE(sonnet.peakInputTokensPerMinute, 43750.0 / 3);
    QCOMPARE(sonnet.peakOutputTokensPerMinute, 6250.0);
    // Haiku: 0.7 x 625/9 = 875/18 = 48.61 RPM; x 700 = 306250/9 = 34,027.8; x 300 = 43750/3
    const ClassLoad &haiku = result->loads.at(1);
    QCOMPARE(haiku.modelClass.name, u"Haiku 4.5"_s);
    QCOMPARE(haiku.share, 0.7);
    QCOMPARE(haiku.peakRequestsPerMinute, 875.0 / 18);
    QCOMPARE(haiku.peakInputTokensPerMinute, 306250.0 / 9);
    QCOMPARE(haiku.peakOutputTokensPerMinute, 43750.0 / 3);

    // Tier 1 fails on Haiku 4.5's output: 14,583 > 10,000. Tier 2 (1,000 / 450K / 90K for both)
    // fits; its fullest limit is Haiku's output, 14,583 / 90,000 = 16.2 %.
    QCOMPARE(result->tier, u"Tier 2"_s);
    QCOMPARE(result->binding.tier, u"Tier 2"_s);
    QCOMPARE(result->binding.className, u"Haiku 4.5"_s);
    QCOMPARE(result->binding.measure, u"output TPM"_s);
    QCOMPARE(result->binding.peak, 43750.0 / 3);
    QCOMPARE(result->binding.allowed, 90000.0);
    QCOMPARE(result->binding.usage(), 43750.0 / 270000);
}

void tst_CapacityPlan::costSteps_data()
{
    QTest::addColumn<CapacityScenario>("scenario");
    QTest::addColumn<double>("baseline");
    QTest::addColumn<double>("afterRouting");
    QTest::addColumn<double>("afterCaching");
    QTest::addColumn<double>("monthlyAfterCaching");

    // See supportBotPlanAsComputedByHand.
    QTest::newRow("support bot") << supportBot() << 90.0 << 48.0 << 37.28 << 1118.4;

    // Opus 4.6 ($5 in, $25 out): 1000 x 5 + 500 x 25 = 17500 -> $0.0175 x 1000 = $17.50 a day;
    // nothing routed or cached; 17.5 x 31 = $542.50 a month.
    CapacityScenario opus = traffic(1000, 1000, 500, u"claude-opus-4-6"_s);
    opus.daysPerMonth = 31;
    QTest::newRow("opus, no optimisation, 31-day month") << opus << 17.5 << 17.5 << 17.5 << 542.5;

    // Sonnet 4.6: 5000 x 3 + 200 x 15 = 18000 -> $18 a day for 1000 requests.
    // All hits on a 4000-token prefix: 1000 x 3 + 4000 x 0.30 + 200 x 15 = 7200 -> $7.20.
    CapacityScenario allHits = traffic(1000, 5000, 200, u"claude-sonnet-4-6"_s);
    allHits.caching = PrefixCaching{4000, 1.0};
    QTest::newRow("sonnet, every request hits") << allHits << 18.0 << 18.0 << 7.2 << 216.0;

    // No hits: 1000 x 3 + 4000 x 3.75 + 200 x 15 = 21000 -> $21, more than without caching.
    CapacityScenario noHits = allHits;
    noHits.caching->hitRate = 0;
    QTest::newRow("sonnet, no request hits") << noHits << 18.0 << 18.0 << 21.0 << 630.0;

    // Sonnet 4.6: 1000 x 3 + 100 x 15 = 4500 -> $4.50 for 1000 requests.
    // Haiku 3 ($0.25 in, $1.25 out): 1000 x 0.25 + 100 x 1.25 = 375
    // Half routed: 500 x 0.0045 + 500 x 0.000375 = 2.25 + 0.1875 = $2.4375.
    CapacityScenario toHaiku3 = traffic(1000, 1000, 100, u"claude-sonnet-4-6"_s);
    toHaiku3.routing = RoutingShare{0.5, u"claude-3-haiku-20240307"_s};
    QTest::newRow("half routed to haiku 3") << toHaiku3 << 4.5 << 2.4375 << 2.4375 << 73.125;
}

void tst_CapacityPlan::costSteps()
{
    QFETCH(CapacityScenario, scenario);
    QFETCH(double, baseline);
    QFETCH(double, afterRouting);
    QFETCH(double, afterCaching);
    QFETCH(double, monthlyAfterCaching);

    const Expected<CapacityPlan> result = plan(scenario);

    QVERIFY2(result.hasValue(), qPrintable(result ? QString() : result.error()));
    QCOMPARE(result->baseline.daily, baseline);
    QCOMPARE(result->afterRouting.daily, afterRouting);
    QCOMPARE(result->afterRouting.savingDaily, baseline - afterRouting);
    QCOMPARE(result->afterCaching.daily, afterCaching);
    QCOMPARE(result->afterCaching.savingDaily, afterRouting - afterCaching);
    QCOMPARE(result->afterCaching.monthly, monthlyAfterCaching);
}

void tst_CapacityPlan::lowestFittingTier_data()
{
    QTest::addColumn<CapacityScenario>("scenario");
    QTest::addColumn<QString>("tier"); // empty: no listed tier fits
    QTest::addColumn<QString>("bindingTier");
    QTest::addColumn<QString>("className");
    QTest::addColumn<QString>("measure");
    QTest::addColumn<double>("peak");
    QTest::addColumn<double>("allowed");
    QTest::addColumn<double>("countedInputTpm");

    QTest::newRow("support bot") << supportBot() << u"Tier 2"_s << u"Tier 2"_s << u"Haiku 4.5"_s
                                 << u"output TPM"_s << 43750.0 / 3 << 90000.0 << 437500.0 / 9;

    // 1000 / 86400 x 10 x 60 = 125/18 = 6.94 RPM; x 1500 = 31250/3 = 10,417 in; x 300 = 2,083
    // Tier 1 Sonnet (50 / 30K / 8K): 13.9 %, 34.7 %, 26.0 %: the input limit binds.
    QTest::newRow("small sonnet load")
        << traffic(1000, 1500, 300, u"claude-sonnet-4-6"_s) << u"Tier 1"_s << u"Tier 1"_s
        << u"Sonnet 4.x"_s << u"input TPM"_s << 31250.0 / 3 << 30000.0 << 31250.0 / 3;

    // 625/9 = 69.4 RPM exceeds Tier 1's 50. Tier 2: RPM 6.9 %, input 625/9 x 2000 = 1250000/9
    // = 138,889 of 450K = 30.9 %, output 20,833 of 90K = 23.1 %.
    QTest::newRow("sonnet at 10,000 a day, no optimisation")
        << traffic(10000, 2000, 300, u"claude-sonnet-4-6"_s) << u"Tier 2"_s << u"Tier 2"_s
        << u"Sonnet 4.x"_s << u"input TPM"_s << 1250000.0 / 9 << 450000.0 << 1250000.0 / 9;

    // Haiku 4.5 leaves reads out: 2000 - 0.8 x 1000 = 1200 counted, 625/9 x 1200 = 250000/3
    // = 83,333. Tier 1 fails on RPM (69.4 > 50); Tier 2: RPM 6.9 %, input 18.5 %, output
    // 20,833 / 90K = 23.1 % binds.
    CapacityScenario haiku45 = traffic(10000, 2000, 300, u"claude-haiku-4-5"_s);
    haiku45.caching = PrefixCaching{1000, 0.8};
    QTest::newRow("haiku 4.5 does not count cache reads")
        << haiku45 << u"Tier 2"_s << u"Tier 2"_s << u"Haiku 4.5"_s << u"output TPM"_s << 62500.0 / 3
        << 90000.0 << 250000.0 / 3;

    // Haiku 3 counts them: all 2000 tokens, 1250000/9 = 138,889 TPM. Tier 2 allows 100K;
    // Tier 3 (2,000 / 200K / 40K): RPM 3.5 %, input 69.4 %, output 20,833 / 40K = 52.1 %.
    CapacityScenario haiku3 = haiku45;
    haiku3.modelId = u"claude-3-haiku-20240307"_s;
    QTest::newRow("haiku 3 counts cache reads")
        << haiku3 << u"Tier 3"_s << u"Tier 3"_s << u"Haiku 3.x"_s << u"input TPM"_s << 1250000.0 / 9
        << 200000.0 << 1250000.0 / 9;

    // 10,000,000 a day: 1e7 / 86400 x 600 = 625000/9 = 69,444 RPM; in 625000/9 x 1000 = 69.4M;
    // out 625000/9 x 300 = 62500000/3 = 20.8M TPM. Tier 4 (4,000 / 2M / 400K) is short on
    // all three; output is furthest over: 52.1 x.
    QTest::newRow("beyond every tier")
        << traffic(1e7, 1000, 300, u"claude-sonnet-4-6"_s) << QString() << u"Tier 4"_s
        << u"Sonnet 4.x"_s << u"output TPM"_s << 62500000.0 / 3 << 400000.0 << 625000000.0 / 9;
}

void tst_CapacityPlan::lowestFittingTier()
{
    QFETCH(CapacityScenario, scenario);
    QFETCH(QString, tier);
    QFETCH(QString, bindingTier);
    QFETCH(QString, className);
    QFETCH(QString, measure);
    QFETCH(double, peak);
    QFETCH(double, allowed);
    QFETCH(double, countedInputTpm);

    const Expected<CapacityPlan> result = plan(scenario);

    QVERIFY2(result.hasValue(), qPrintable(result ? QString() : result.error()));
    QCOMPARE(result->tier.has_value(), !tier.isEmpty());
    if (result->tier)
        QCOMPARE(*result->tier, tier);
    QCOMPARE(result->binding.tier, bindingTier);
    QCOMPARE(result->binding.className, className);
    QCOMPARE(result->binding.measure, measure);
    QCOMPARE(result->binding.peak, peak);
    QCOMPARE(result->binding.allowed, allowed);
    QCOMPARE(result->countedPeakInputTpm, countedInputTpm);
}

void tst_CapacityPlan::routesOfOneClassShareItsLimits()
{
    // Sonnet 4.6 and 4.5 draw on the pooled Sonnet 4.x limits, so a 50 % route between them is
    // one load of the full 625/9 RPM, not two halves that would each fit Tier 1's 50 RPM.
    CapacityScenario scenario = traffic(10000, 200, 50, u"claude-sonnet-4-6"_s);
    scenario.routing = RoutingShare{0.5, u"claude-sonnet-4-5-20250929"_s};

    const Expected<CapacityPlan> result = plan(scenario);

    QVERIFY(result.hasValue());
    QCOMPARE(result->loads.size(), 1);
    QCOMPARE(result->loads.first().share, 1.0);
    QCOMPARE(result->loads.first().peakRequestsPerMinute, 625.0 / 9);
    QCOMPARE(result->tier, u"Tier 2"_s);

    // Everything routed: the first model gets no load at all.
    scenario.routing = RoutingShare{1.0, u"claude-haiku-4-5"_s};
    const Expected<CapacityPlan> allRouted = plan(scenario);
    QVERIFY(allRouted.hasValue());
    QCOMPARE(allRouted->loads.size(), 1);
    QCOMPARE(allRouted->loads.first().modelClass.name, u"Haiku 4.5"_s);
}

void tst_CapacityPlan::impossibleInputsAreRefusedByName_data()
{
    QTest::addColumn<CapacityScenario>("scenario");
    QTest::addColumn<QString>("message");

    QTest::newRow("negative requests")
        << supportBotWith([](auto &s) { s.requestsPerDay = -1; })
        << u"requests per day must be a number of 0 or more, not -1"_s;
    QTest::newRow("peak below average") << supportBotWith([](auto &s) { s.peakRatio = 0.5; })
                                        << u"peak ratio must be a number of 1 or more, not 0.5"_s;
    QTest::newRow("negative output tokens")
        << supportBotWith([](auto &s) { s.outputTokensPerRequest = -300; })
        << u"output tokens per request must be a number of 0 or more, not -300"_s;
    QTest::newRow("month of no days") << supportBotWith([](auto &s) { s.daysPerMonth = 0; })
                                      << u"days per month must be a number above 0, not 0"_s;
    QTest::newRow("routed share above one")
        << supportBotWith([](auto &s) { s.routing->share = 1.5; })
        << u"routed share must be a fraction from 0 to 1, not 1.5"_s;
    QTest::newRow("hit rate not a number") << supportBotWith([](auto &s) {
        s.caching->hitRate = std::numeric_limits<double>::quiet_NaN();
    }) << u"cache hit rate must be a fraction from 0 to 1, not nan"_s;
    QTest::newRow("prefix longer than the prompt")
        << supportBotWith([](auto &s) { s.caching->prefixTokens = 2000; })
        << u"cached prefix tokens (2000) must not exceed the input tokens per request (1500): "
           "the prefix is part of the prompt"_s;
    QTest::newRow("unpriced model") << supportBotWith([](auto &s) { s.modelId = u"gpt-4o"_s; })
                                    << u"unknown model \"gpt-4o\": it is not in the price list"_s;
    QTest::newRow("unpriced routed model")
        << supportBotWith([](auto &s) { s.routing->modelId = u"claude-haiku-9"_s; })
        << u"unknown model \"claude-haiku-9\": it is not in the price list"_s;
    QTest::newRow("priced model without a rate-limit class")
        << supportBotWith([](auto &s) { s.modelId = u"claude-opus-5"_s; })
        << u"unknown model \"claude-opus-5\": ratelimits.json (built in) has no rate-limit class "
           "for it"_s;
}

void tst_CapacityPlan::impossibleInputsAreRefusedByName()
{
    QFETCH(CapacityScenario, scenario);
    QFETCH(QString, message);

    const Expected<CapacityPlan> result = plan(scenario);

    QVERIFY(!result.hasValue());
    QCOMPARE(result.error(), message);
}

void tst_CapacityPlan::builtInTableClassesModels_data()
{
    QTest::addColumn<QString>("modelId");
    QTest::addColumn<QString>("className");

    QTest::newRow("sonnet 4.6") << u"claude-sonnet-4-6"_s << u"Sonnet 4.x"_s;
    QTest::newRow("sonnet 4.5 snapshot") << u"claude-sonnet-4-5-20250929"_s << u"Sonnet 4.x"_s;
    QTest::newRow("sonnet 4 snapshot") << u"claude-sonnet-4-20250514"_s << u"Sonnet 4.x"_s;
    QTest::newRow("opus 4.8") << u"claude-opus-4-8"_s << u"Opus 4.x"_s;
    QTest::newRow("opus 4.1 vertex form") << u"claude-opus-4-1@20250805"_s << u"Opus 4.x"_s;
    QTest::newRow("haiku 4.5 snapshot") << u"claude-haiku-4-5-20251001"_s << u"Haiku 4.5"_s;
    QTest::newRow("haiku 3.5 latest") << u"claude-3-5-haiku-latest"_s << u"Haiku 3.x"_s;
    QTest::newRow("haiku 3") << u"claude-3-haiku-20240307"_s << u"Haiku 3.x"_s;
}

void tst_CapacityPlan::builtInTableClassesModels()
{
    QFETCH(QString, modelId);
    QFETCH(QString, className);

    const Expected<ModelClass> modelClass = RateLimitTable::builtIn().classOf(modelId);

    QVERIFY2(modelClass.hasValue(), qPrintable(modelClass ? QString() : modelClass.error()));
    QCOMPARE(modelClass->name, className);
}

void tst_CapacityPlan::unclassedModelIsAnErrorNamingIt_data()
{
    QTest::addColumn<QString>("modelId");

    QTest::newRow("another vendor") << u"gpt-4o"_s;
    QTest::newRow("a 5.x model") << u"claude-opus-5"_s;
    QTest::newRow("no boundary after the prefix") << u"claude-sonnet-40"_s;
    QTest::newRow("empty") << QString();
}

void tst_CapacityPlan::unclassedModelIsAnErrorNamingIt()
{
    QFETCH(QString, modelId);

    const Expected<ModelClass> modelClass = RateLimitTable::builtIn().classOf(modelId);

    QVERIFY(!modelClass.hasValue());
    QVERIFY2(modelClass.error().startsWith(u"unknown model \""_s + modelId + u'"'),
             qPrintable(modelClass.error()));
}

void tst_CapacityPlan::builtInTableHoldsThePublishedTiers()
{
    const RateLimitTable table = RateLimitTable::builtIn();

    QCOMPARE(table.asOf(), QDate(2025, 12, 1));
    QVERIFY(table.source().contains(u"rate-limits"_s));
    QCOMPARE(table.classes().size(), 4);
    QCOMPARE(table.tiers().size(), 4);
    QCOMPARE(table.tiers().first().name, u"Tier 1"_s);
    QCOMPARE(table.tiers().last().name, u"Tier 4"_s);
    const RateLimits sonnetTier1 = table.tiers().at(0).limits.value(u"sonnet-4"_s);
    QCOMPARE(sonnetTier1.requestsPerMinute, 50.0);
    QCOMPARE(sonnetTier1.inputTokensPerMinute, 30000.0);
    QCOMPARE(sonnetTier1.outputTokensPerMinute, 8000.0);
    // Published as 8-10K; the lower bound is kept.
    QCOMPARE(table.tiers().at(0).limits.value(u"haiku-3"_s).outputTokensPerMinute, 8000.0);
    const RateLimits haikuTier4 = table.tiers().at(3).limits.value(u"haiku-4-5"_s);
    QCOMPARE(haikuTier4.requestsPerMinute, 4000.0);
    QCOMPARE(haikuTier4.inputTokensPerMinute, 4e6);
    QCOMPARE(haikuTier4.outputTokensPerMinute, 800000.0);
    QVERIFY(table.classOf(u"claude-3-haiku"_s)->cacheReadsCountAsInput);
    QVERIFY(!table.classOf(u"claude-sonnet-4-6"_s)->cacheReadsCountAsInput);
}

void tst_CapacityPlan::userFileReplacesTheTable()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"my-limits.json"_s);
    writeFile(path, R"({"as_of": "2026-06-01", "source": "our negotiated limits",
        "classes": [{"class": "sonnet", "name": "Sonnet", "ids": ["claude-sonnet-4-6"]}],
        "tiers": [{"tier": "Custom", "limits":
            {"sonnet": {"rpm": 100, "input_tpm": 100000, "output_tpm": 20000}}}]})");

    const Expected<RateLimitTable> table = RateLimitTable::load(path);

    QVERIFY2(table.hasValue(), qPrintable(table ? QString() : table.error()));
    QCOMPARE(table->tiers().size(), 1);
    QCOMPARE(table->classOf(u"claude-sonnet-4-6"_s)->name, u"Sonnet"_s);
    const Expected<ModelClass> haiku = table->classOf(u"claude-haiku-4-5"_s);
    QVERIFY(!haiku.hasValue());
    QVERIFY2(haiku.error().contains(path), qPrintable(haiku.error()));

    // 625/9 = 69.4 RPM fits Custom's 100.
    const Expected<CapacityPlan> custom = CapacityPlan::compute(
        traffic(10000, 1000, 100, u"claude-sonnet-4-6"_s), PriceBook::builtIn(), *table);
    QVERIFY(custom.hasValue());
    QCOMPARE(custom->tier, u"Custom"_s);

    const Expected<RateLimitTable> missing = RateLimitTable::load(dir.filePath(u"none.json"_s));
    QVERIFY(!missing.hasValue());
    QVERIFY(missing.error().startsWith(dir.filePath(u"none.json"_s) + u": cannot read"_s));
    QVERIFY(RateLimitTable::load(QString()).hasValue());
}

void tst_CapacityPlan::badTableFilesNameFileAndField_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");

    const QByteArray oneClass = R"("classes": [{"class": "s", "ids": ["claude-sonnet-4"]}])";
    const QByteArray goodLimits = R"({"rpm": 50, "input_tpm": 30000, "output_tpm": 8000})";

    QTest::newRow("not json") << QByteArray("{classes: [") << u"limits.json: not valid JSON"_s;
    QTest::newRow("not an object")
        << QByteArray("[1, 2]") << u"limits.json: expected a JSON object of rate-limit tiers"_s;
    QTest::newRow("no classes") << QByteArray(R"({"tiers": []})")
                                << u"limits.json: \"classes\" must be a non-empty array"_s;
    QTest::newRow("class without ids") << QByteArray(R"({"classes": [{"class": "s"}]})")
                                       << u"limits.json: classes[0] (s): \"ids\" must be a list"_s;
    QTest::newRow("class twice") << QByteArray(
        R"({"classes": [{"class": "s", "ids": ["a"]}, {"class": "s", "ids": ["b"]}]})")
                                 << u"limits.json: classes[1]: class \"s\" is listed twice"_s;
    QTest::newRow("cache flag not a bool")
        << QByteArray(
               R"({"classes": [{"class": "s", "ids": ["a"], "cache_reads_count_as_input": 1}]})")
        << u"limits.json: classes[0] (s): \"cache_reads_count_as_input\" must be true or false"_s;
    QTest::newRow("no tiers") << u"{%1}"_s.arg(QString::fromUtf8(oneClass)).toUtf8()
                              << u"limits.json: \"tiers\" must be a non-empty array"_s;
    QTest::newRow("tier missing a class")
        << u"{%1, \"tiers\": [{\"tier\": \"T1\", \"limits\": {}}]}"_s
               .arg(QString::fromUtf8(oneClass))
               .toUtf8()
        << u"limits.json: tiers[0] (T1): \"limits\" has no object for class \"s\""_s;
    QTest::newRow("tier naming an unknown class")
        << u"{%1, \"tiers\": [{\"tier\": \"T1\", \"limits\": {\"s\": %2, \"x\": %2}}]}"_s
               .arg(QString::fromUtf8(oneClass), QString::fromUtf8(goodLimits))
               .toUtf8()
        << u"limits.json: tiers[0] (T1): \"limits\" names class \"x\""_s;
    QTest::newRow("limit as a string")
        << u"{%1, \"tiers\": [{\"tier\": \"T1\", \"limits\": {\"s\": {\"rpm\": \"50\"}}}]}"_s
               .arg(QString::fromUtf8(oneClass))
               .toUtf8()
        << u"limits.json: tiers[0] (T1): limits.s: \"rpm\" must be a number above 0"_s;
    QTest::newRow("bad date") << QByteArray(R"({"as_of": "last year", "classes": []})")
                              << u"limits.json: \"as_of\" must be a date"_s;
}

void tst_CapacityPlan::badTableFilesNameFileAndField()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);

    const Expected<RateLimitTable> table = RateLimitTable::fromJson(json, u"limits.json"_s);

    QVERIFY(!table.hasValue());
    QVERIFY2(table.error().startsWith(expected), qPrintable(table.error()));
}

QTEST_GUILESS_MAIN(tst_CapacityPlan)
#include "tst_capacityplan.moc"
