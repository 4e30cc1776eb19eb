#include "promptpanel/costbreakdown.h"

#include <QTest>

using namespace Qt::Literals::StringLiterals;

Q_DECLARE_METATYPE(ModelPrice)
Q_DECLARE_METATYPE(TokenUsage)

class tst_CostBreakdown : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shownPartsAddUpToTheShownTotal_data();
    void shownPartsAddUpToTheShownTotal();
    void totalIsTheLoggedCostExactly_data();
    void totalIsTheLoggedCostExactly();
    void formatsMicroDollars_data();
    void formatsMicroDollars();
};

namespace {

ModelPrice price(double input, double output, double write5m, double write1h, double read)
{
    ModelPrice price;
    price.family = u"test-model"_s;
    price.input = input;
    price.output = output;
    price.cacheWrite5m = write5m;
    price.cacheWrite1h = write1h;
    price.cacheRead = read;
    return price;
}

TokenUsage usage(qint64 input, qint64 output, qint64 read, qint64 written, qint64 written1h = 0)
{
    TokenUsage usage;
    usage.inputTokens = input;
    usage.outputTokens = output;
    usage.cacheReadInputTokens = read;
    usage.cacheCreationInputTokens = written;
    usage.cacheCreation1hInputTokens = written1h;
    return usage;
}

} // namespace

void tst_CostBreakdown::shownPartsAddUpToTheShownTotal_data()
{
    QTest::addColumn<ModelPrice>("price");
    QTest::addColumn<TokenUsage>("usage");
    // Shown parts in the order uncached input, cache write, cache read, output.
    QTest::addColumn<QList<qint64>>("parts");
    QTest::addColumn<qint64>("total");

    // Whole micro-dollars need no rounding: 1,000*1 + 200*1.25 + 0*0.1 + 50*5 = 1,500.
    QTest::newRow("whole micro-dollars") << price(1, 5, 1.25, 2, 0.1) << usage(1000, 50, 0, 200)
                                         << QList<qint64>{1000, 250, 0, 250} << 1500LL;
    // Four halves: 0.5 + 0.5 + 0.5 + 0.5 = 2. Each rounded alone would show 1 + 1 + 1 + 1 = 4;
    // rounded together the first two (ties keep their order) get the two micro-dollars.
    QTest::newRow("four halves") << price(0.5, 0.5, 0.5, 1, 0.5) << usage(1, 1, 1, 1)
                                 << QList<qint64>{1, 1, 0, 0} << 2LL;
    // 3*1.25 = 3.75 written, 7*0.1 = 0.7 read, 1*1 input, 1*5 output: total 10.45 shows 10.
    // Floors 1 + 3 + 0 + 5 = 9; the missing one goes to the largest remainder (0.75, the write).
    QTest::newRow("largest remainder wins")
        << price(1, 5, 1.25, 2, 0.1) << usage(1, 1, 7, 3) << QList<qint64>{1, 4, 0, 5} << 10LL;
    // One-hour writes at $2/M beside five-minute ones at $1.25/M: 4*1.25 + 2*2 = 9 in one part.
    QTest::newRow("mixed cache-write TTLs")
        << price(1, 5, 1.25, 2, 0.1) << usage(0, 0, 0, 6, 2) << QList<qint64>{0, 9, 0, 0} << 9LL;
}

void tst_CostBreakdown::shownPartsAddUpToTheShownTotal()
{
    QFETCH(ModelPrice, price);
    QFETCH(TokenUsage, usage);
    QFETCH(QList<qint64>, parts);
    QFETCH(qint64, total);

    const CostBreakdown breakdown = CostBreakdown::of(price, usage);

    QList<qint64> shown;
    for (int i = 0; i < CostBreakdown::partCount; ++i)
        shown.append(breakdown.part(CostBreakdown::Part(i)).shownMicroUsd);
    QCOMPARE(shown, parts);
    QCOMPARE(breakdown.shownTotalMicroUsd(), total);
}

void tst_CostBreakdown::totalIsTheLoggedCostExactly_data()
{
    QTest::addColumn<ModelPrice>("price");
    QTest::addColumn<TokenUsage>("usage");
    QTest::newRow("Haiku 4.5, cache read") << price(1, 5, 1.25, 2, 0.1) << usage(335, 70, 6186, 0);
    QTest::newRow("Sonnet, both TTLs")
        << price(3, 15, 3.75, 6, 0.3) << usage(12345, 678, 9012, 3456, 1234);
    QTest::newRow("Opus, odd counts") << price(5, 25, 6.25, 10, 0.5) << usage(7, 13, 101, 999, 3);
}

void tst_CostBreakdown::totalIsTheLoggedCostExactly()
{
    QFETCH(ModelPrice, price);
    QFETCH(TokenUsage, usage);

    // Bit for bit what the client logs, not merely close to it.
    QCOMPARE(CostBreakdown::of(price, usage).totalUsd(), price.cost(usage));
}

void tst_CostBreakdown::formatsMicroDollars_data()
{
    QTest::addColumn<qint64>("microUsd");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << 0LL << u"$0.000000"_s;
    QTest::newRow("one micro-dollar") << 1LL << u"$0.000001"_s;
    QTest::newRow("a cent and a bit") << 10'305LL << u"$0.010305"_s;
    QTest::newRow("dollars") << 12'000'007LL << u"$12.000007"_s;
}

void tst_CostBreakdown::formatsMicroDollars()
{
    QFETCH(qint64, microUsd);
    QFETCH(QString, text);
    QCOMPARE(CostBreakdown::formatMicroUsd(microUsd), text);
}

QTEST_MAIN(tst_CostBreakdown)
#include "tst_costbreakdown.moc"
