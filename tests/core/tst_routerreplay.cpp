#include "pricing/pricebook.h"
#include "router/routerreplay.h"
#include "router/routerrules.h"

#include <QTest>

using namespace Qt::Literals::StringLiterals;

// Micro-dollars, so that sums of prices compare exactly.
static qint64 micro(double usd)
{
    return qRound64(usd * 1e6);
}

class tst_RouterReplay : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void repricesTheLog_data();
    void repricesTheLog();
    void tierFollowsTheFamilyName_data();
    void tierFollowsTheFamilyName();
    void unpricedRuleModelIsAnError();
};

void tst_RouterReplay::repricesTheLog_data()
{
    QTest::addColumn<QString>("sonnetModel");
    QTest::addColumn<QString>("opusModel");
    QTest::addColumn<qint64>("routed");

    // Haiku 4.5 $1/$5, Sonnet 4.6 $3/$15, Opus 4.8 $5/$25 per million tokens in/out. The four
    // calls that succeeded: haiku 1000/200 ($0.002), sonnet 2000/500 ($0.0135), opus 1000/1000
    // ($0.03) and an in-house model logged at $0.004.
    QTest::newRow("built-in models: as logged")
        << u"claude-sonnet-4-6"_s << u"claude-opus-4-8"_s << qint64(2000 + 13500 + 30000 + 4000);
    // The Sonnet call on Haiku: 2000 + 2500 = 4500; the Opus call on Sonnet: 3000 + 15000.
    QTest::newRow("every tier one step down")
        << u"claude-haiku-4-5"_s << u"claude-sonnet-4-6"_s << qint64(2000 + 4500 + 18000 + 4000);
}

void tst_RouterReplay::repricesTheLog()
{
    QFETCH(QString, sonnetModel);
    QFETCH(QString, opusModel);
    QFETCH(qint64, routed);
    RouterRules rules = RouterRules::builtIn();
    rules.setModel(RouteTier::Sonnet, sonnetModel);
    rules.setModel(RouteTier::Opus, opusModel);

    const Expected<RouterReplay> replay = RouterReplay::fromLog(
        QFINDTESTDATA("data/calls_replay.jsonl"), rules, PriceBook::builtIn());

    QVERIFY2(replay, qPrintable(replay ? QString() : replay.error()));
    QCOMPARE(replay->calls, 4); // the failed call is left out
    QCOMPARE(replay->untieredCalls, 1);
    QCOMPARE(micro(replay->loggedUsd), 2000 + 13500 + 30000 + 4000);
    QCOMPARE(micro(replay->routedUsd), routed);
    // All on Haiku: (1000 + 1000) + (2000 + 2500) + (1000 + 5000) + (100 + 500)
    QCOMPARE(micro(replay->allOnTierUsd[size_t(RouteTier::Haiku)]), 13100);
}

void tst_RouterReplay::tierFollowsTheFamilyName_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("tier"); // -1: none

    QTest::newRow("haiku snapshot") << u"claude-haiku-4-5-20251001"_s << int(RouteTier::Haiku);
    QTest::newRow("sonnet") << u"claude-sonnet-4-6"_s << int(RouteTier::Sonnet);
    QTest::newRow("opus") << u"claude-opus-4-8"_s << int(RouteTier::Opus);
    QTest::newRow("unknown") << u"in-house-model"_s << -1;
}

void tst_RouterReplay::tierFollowsTheFamilyName()
{
    QFETCH(QString, model);
    QFETCH(int, tier);

    const std::optional<RouteTier> found = RouterReplay::tierOf(model);

    QCOMPARE(found ? int(*found) : -1, tier);
}

void tst_RouterReplay::unpricedRuleModelIsAnError()
{
    RouterRules rules = RouterRules::builtIn();
    rules.setModel(RouteTier::Opus, u"claude-imaginary-9"_s);

    const Expected<RouterReplay> replay = RouterReplay::fromLog(
        QFINDTESTDATA("data/calls_replay.jsonl"), rules, PriceBook::builtIn());

    QVERIFY(!replay);
    QVERIFY2(replay.error().contains(u"claude-imaginary-9"_s), qPrintable(replay.error()));
}

QTEST_GUILESS_MAIN(tst_RouterReplay)
#include "tst_routerreplay.moc"
