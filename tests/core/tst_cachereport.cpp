#include "pricing/pricebook.h"
#include "reports/cachereport.h"
#include "reports/measuredcall.h"
#include "sim/simmodelcatalogue.h"

#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

// The classic support-desk case: 1000 calls a day, one every 90 s, a 500-token prefix,
// $0.30 input, $0.03 read, a 300 s TTL.
CacheScenario defaultScenario()
{
    CacheScenario scenario;
    scenario.callsPerDay = 1000;
    scenario.cachedPromptTokens = 500;
    scenario.inputPrice = 0.30;
    scenario.cacheReadPrice = 0.03;
    scenario.ttlSeconds = 300;
    scenario.intervalSeconds = 90;
    return scenario;
}

QString fixture()
{
    return QFINDTESTDATA("data/calls_cache_run.jsonl");
}

MeasuredCall call(const QString &hash, const QString &time, qint64 input, qint64 written,
                  qint64 read)
{
    MeasuredCall result;
    result.model = u"claude-haiku-4-5-20251001"_s;
    result.systemPromptHash = hash;
    result.timestamp = QDateTime::fromString(u"2026-01-15T"_s + time + u"Z"_s, Qt::ISODate);
    result.usage.inputTokens = input;
    result.usage.cacheCreationInputTokens = written;
    result.usage.cacheReadInputTokens = read;
    return result;
}

} // namespace

class tst_CacheReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultCaseFiguresAreInTheText_data();
    void defaultCaseFiguresAreInTheText();
    void withoutCallsPartBSaysHowToMeasure();
    void latestRunFollowsTheFeature_data();
    void latestRunFollowsTheFeature();
    void measuredFiguresMatchHandComputation();
    void measuredPartIsInTheText();
    void sameInputsGiveSameBytes();
    void verdictsExplainEveryMiss();
    void unknownModelIsAnError();
};

void tst_CacheReport::defaultCaseFiguresAreInTheText_data()
{
    QTest::addColumn<QString>("expected");

    // 1000 calls x 500 tokens x $0.30 / 1e6
    QTest::newRow("cost without caching") << u"| Daily cost without caching | $0.150000 |"_s;
    // 90 s <= 300 s: one write, 999 reads; Poisson: 1000 x e^(-300 x 1000/86400) = 31.05
    QTest::newRow("writes side by side") << u"| Cache writes per day | 1 | 31.05 |"_s;
    // 999 x 500 x $0.03 / 1e6
    QTest::newRow("uniform read cost") << u"$0.014985"_s;
    // (0.15 - (0.0001875 + 0.014985)) / 0.15 x 100
    QTest::newRow("uniform saving") << u"89.885%"_s;
    // (0.375 - 0.30) / (0.30 - 0.03) = 0.075 / 0.27
    QTest::newRow("reads per write") << u"0.2778 reads repay one write"_s;
    // 86400 s / 300 s TTL
    QTest::newRow("uniform break-even") << u"from 288 calls per day with uniform"_s;
    QTest::newRow("write price defaulted") << u"$0.375 per million tokens (1.25 x input)"_s;
    QTest::newRow("poisson working") << u"### Poisson arrivals, step by step"_s;
    // 1000 calls x 90 s = 90000 s = 25.0 hours; Poisson arrivals have no interval to warn about
    QTest::newRow("the day overflows")
        << u"- Uniform arrivals: 1000 calls 90 s apart span 25.0 hours, longer than a day.\n\n"_s;
}

void tst_CacheReport::defaultCaseFiguresAreInTheText()
{
    QFETCH(QString, expected);

    const Expected<QString> text = CacheReport(defaultScenario()).toMarkdown(PriceBook::builtIn());
    QVERIFY2(text, qPrintable(text ? QString() : text.error()));
    QVERIFY2(text->contains(expected), qPrintable(*text));
}

void tst_CacheReport::withoutCallsPartBSaysHowToMeasure()
{
    const Expected<QString> text = CacheReport(defaultScenario()).toMarkdown(PriceBook::builtIn());
    QVERIFY(text);
    const qsizetype partB = text->indexOf(u"## Part B: measured"_s);
    QVERIFY(partB > text->indexOf(u"## Part A: the theory"_s));
    QVERIFY(text->indexOf(u"opsbench-cli run --cache"_s) > partB);
}

void tst_CacheReport::latestRunFollowsTheFeature_data()
{
    QTest::addColumn<QString>("feature");
    QTest::addColumn<int>("logged");
    QTest::addColumn<int>("inRun");
    QTest::addColumn<QString>("hash");

    // Every call: the last cached call (r5) follows a chat call with another prompt.
    QTest::newRow("whole log") << QString() << 6 << 1 << u"5d41402a"_s;
    // r0, r2, r3, r5: the run is r2, r3, r5; r0 sent an older prompt.
    QTest::newRow("support only") << u"support"_s << 4 << 3 << u"5d41402a"_s;
    QTest::newRow("chat never cached") << u"chat"_s << 2 << 0 << QString();
}

void tst_CacheReport::latestRunFollowsTheFeature()
{
    QFETCH(QString, feature);
    QFETCH(int, logged);
    QFETCH(int, inRun);
    QFETCH(QString, hash);

    const Expected<QList<MeasuredCall>> calls =
        MeasuredCall::readLog(fixture(), PriceBook::builtIn(), feature);
    QVERIFY(calls);
    QCOMPARE(calls->size(), logged);
    const QList<MeasuredCall> run = MeasuredCall::latestCachedRun(*calls);
    QCOMPARE(run.size(), inRun);
    if (!run.isEmpty())
        QCOMPARE(run.constFirst().systemPromptHash, hash);
}

void tst_CacheReport::measuredFiguresMatchHandComputation()
{
    const Expected<QList<MeasuredCall>> calls =
        MeasuredCall::readLog(fixture(), PriceBook::builtIn(), u"support"_s);
    QVERIFY(calls);
    const Expected<CacheMeasurement> measured =
        CacheMeasurement::measure(MeasuredCall::latestCachedRun(*calls), PriceBook::builtIn());
    QVERIFY(measured);

    // Haiku 4.5: $1 input, $5 output, $1.25 write, $0.10 read per million tokens.
    QCOMPARE(measured->calls, 3);
    QCOMPARE(measured->firstCallWriteTokens, 5000);
    QCOMPARE(measured->laterReadTokens, (QList<qint64>{5000, 5000}));
    // (20 + 500 + 6250) + (30 + 500 + 500) + (50 + 500 + 500) = 8850 micro-dollars
    QCOMPARE(qRound64(measured->costUsd * 1e6), 8850);
    // (5020 + 500) + (5030 + 500) + (5050 + 500) = 16600
    QCOMPARE(qRound64(measured->costWithoutCachingUsd * 1e6), 16600);
    // (16600 - 8850) / 16600 x 100 = 46.687
    QCOMPARE(qRound64(measured->savingPercent * 1000), 46687);
    // prefix: 6250 + 500 + 500 = 7250 against 15000: 7750 / 15000 = 51.667
    QCOMPARE(qRound64(measured->prefixCostUsd * 1e6), 7250);
    QCOMPARE(qRound64(measured->prefixCostWithoutCachingUsd * 1e6), 15000);
    QCOMPARE(qRound64(measured->prefixSavingPercent * 1000), 51667);
    QCOMPARE(qRound64(measured->theorySavingPercent * 1000), 51667);
}

void tst_CacheReport::measuredPartIsInTheText()
{
    const Expected<QList<MeasuredCall>> calls =
        MeasuredCall::readLog(fixture(), PriceBook::builtIn(), u"support"_s);
    QVERIFY(calls);
    CacheReport report(defaultScenario());
    report.setMeasuredCalls(MeasuredCall::latestCachedRun(*calls));
    const Expected<QString> text = report.toMarkdown(PriceBook::builtIn());
    QVERIFY(text);

    const QString partB = text->mid(text->indexOf(u"## Part B: measured"_s));
    QVERIFY2(partB.contains(u"| 1 | 5000 | 0 | 20 | 100 | $0.006770 | $0.005520 |"_s),
             qPrintable(partB));
    QVERIFY(partB.contains(u"Call 1 wrote 5000 tokens to the cache; the later calls read "
                           "5000, 5000 tokens."_s));
    QVERIFY(partB.contains(u"$0.008850, against $0.016600 without caching: a saving of "
                           "**46.687%**"_s));
    QVERIFY(partB.contains(u"**51.667%** on the prefix; the scenario's day saves 89.885%"_s));
    QVERIFY(!partB.contains(u"opsbench-cli run --cache"_s));
}

void tst_CacheReport::sameInputsGiveSameBytes()
{
    const Expected<QList<MeasuredCall>> calls =
        MeasuredCall::readLog(fixture(), PriceBook::builtIn(), u"support"_s);
    QVERIFY(calls);
    CacheReport first(defaultScenario());
    first.setMeasuredCalls(*calls);
    CacheReport second(defaultScenario());
    second.setMeasuredCalls(*calls);
    QCOMPARE(*first.toMarkdown(PriceBook::builtIn()), *second.toMarkdown(PriceBook::builtIn()));
}

void tst_CacheReport::verdictsExplainEveryMiss()
{
    const QList<MeasuredCall> calls = {
        call(u"aaaa"_s, u"10:00:00"_s, 20, 5000, 0), // nothing before it
        call(u"aaaa"_s, u"10:01:00"_s, 20, 0, 5000), // 60 s later: read
        call(u"bbbb"_s, u"10:02:00"_s, 20, 5000, 0), // a new prompt: first call
        call(u"aaaa"_s, u"10:03:00"_s, 20, 5000, 0), // 120 s after aaaa, but bbbb came between
        call(u"aaaa"_s, u"10:20:00"_s, 20, 5000, 0), // 1020 s > 300 s TTL
        call(u"cccc"_s, u"10:21:00"_s, 900, 0, 0),   // 900 tokens < Haiku's 4096
        call(u"cccc"_s, u"10:22:00"_s, 20, 5000, 0), // same prompt 60 s before, yet written
    };
    const QList<CacheVerdict> expected = {
        CacheVerdict::FirstCall,     CacheVerdict::Read,    CacheVerdict::FirstCall,
        CacheVerdict::PrefixChanged, CacheVerdict::Expired, CacheVerdict::BelowMinimum,
        CacheVerdict::Unexplained,
    };
    QCOMPARE(explainCacheUse(calls, 300, SimModelCatalogue::builtIn()), expected);
}

void tst_CacheReport::unknownModelIsAnError()
{
    MeasuredCall unknown = call(u"aaaa"_s, u"10:00:00"_s, 20, 5000, 0);
    unknown.model = u"claude-imaginary-9"_s;
    CacheReport report(defaultScenario());
    report.setMeasuredCalls({unknown});
    const Expected<QString> text = report.toMarkdown(PriceBook::builtIn());
    QVERIFY(!text);
    QVERIFY2(text.error().contains(u"claude-imaginary-9"_s), qPrintable(text.error()));
}

QTEST_GUILESS_MAIN(tst_CacheReport)
#include "tst_cachereport.moc"
