#include "chartaxes.h"

#include <QTest>
#include <QValueAxis>

using namespace Qt::StringLiterals;

class tst_ChartAxes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundStepIsOneTwoOrFiveTimesAPowerOfTen_data();
    void roundStepIsOneTwoOrFiveTimesAPowerOfTen();
    void dollarAxesEndOnARoundTick_data();
    void dollarAxesEndOnARoundTick();
    void countAxesTickWholeNumbers();
};

void tst_ChartAxes::roundStepIsOneTwoOrFiveTimesAPowerOfTen_data()
{
    QTest::addColumn<double>("span");
    QTest::addColumn<int>("ticks");
    QTest::addColumn<double>("smallest");
    QTest::addColumn<double>("step");

    QTest::newRow("dollars") << 2.41 << 5 << 0.0 << 0.5;
    QTest::newRow("exactly five steps") << 5.0 << 5 << 0.0 << 1.0;
    QTest::newRow("just over five steps") << 5.01 << 5 << 0.0 << 2.0;
    QTest::newRow("fractions of a cent") << 0.0031 << 5 << 0.0 << 0.001;
    QTest::newRow("thousands") << 4248.0 << 6 << 1.0 << 1000.0;
    QTest::newRow("whole numbers only") << 3.0 << 5 << 1.0 << 1.0;
    QTest::newRow("no span") << 0.0 << 5 << 1.0 << 1.0;
}

void tst_ChartAxes::roundStepIsOneTwoOrFiveTimesAPowerOfTen()
{
    QFETCH(double, span);
    QFETCH(int, ticks);
    QFETCH(double, smallest);
    QFETCH(double, step);

    QCOMPARE(ChartAxes::roundStep(span, ticks, smallest), step);
}

void tst_ChartAxes::dollarAxesEndOnARoundTick_data()
{
    QTest::addColumn<double>("top");
    QTest::addColumn<double>("end");
    QTest::addColumn<double>("interval");
    QTest::addColumn<QString>("format");

    QTest::newRow("a few dollars") << 2.41 << 2.5 << 0.5 << u"$%.2f"_s;
    QTest::newRow("thousands") << 9789.6 << 10000.0 << 2000.0 << u"$%.0f"_s;
    QTest::newRow("fractions of a cent") << 0.0031 << 0.004 << 0.001 << u"$%.3f"_s;
    QTest::newRow("tenths of a cent") << 0.0024 << 0.0025 << 0.0005 << u"$%.4f"_s;
    QTest::newRow("on a tick") << 2.0 << 2.0 << 0.5 << u"$%.2f"_s;
    QTest::newRow("nothing yet") << 0.0 << 1.0 << 0.2 << u"$%.2f"_s;
}

void tst_ChartAxes::dollarAxesEndOnARoundTick()
{
    QFETCH(double, top);
    QFETCH(double, end);
    QFETCH(double, interval);
    QFETCH(QString, format);

    QValueAxis axis;
    ChartAxes::setRoundRange(&axis, top, 5, true);

    QCOMPARE(axis.min(), 0.0);
    QVERIFY2(qAbs(axis.max() - end) < 1e-12, qPrintable(QString::number(axis.max(), 'g', 17)));
    QVERIFY2(qAbs(axis.tickInterval() - interval) < 1e-12,
             qPrintable(QString::number(axis.tickInterval(), 'g', 17)));
    QCOMPARE(axis.tickType(), QValueAxis::TicksDynamic);
    QCOMPARE(axis.tickAnchor(), 0.0);
    QCOMPARE(axis.labelFormat(), format);
}

void tst_ChartAxes::countAxesTickWholeNumbers()
{
    QValueAxis axis;
    ChartAxes::setRoundRange(&axis, 3.45, 5, false);
    QCOMPARE(axis.max(), 4.0);
    QCOMPARE(axis.tickInterval(), 1.0);
    QCOMPARE(axis.labelFormat(), u"%.0f"_s);

    ChartAxes::setRoundRange(&axis, 1150, 5, false);
    QCOMPARE(axis.max(), 1500.0);
    QCOMPARE(axis.tickInterval(), 500.0);
}

QTEST_MAIN(tst_ChartAxes)
#include "tst_chartaxes.moc"
