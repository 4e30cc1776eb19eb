#include "economics/latencybudget.h"

#include <QTest>

using namespace Qt::Literals::StringLiterals;

Q_DECLARE_METATYPE(LatencyInputs)
Q_DECLARE_METATYPE(MeasuredLatency)

namespace {

LatencyInputs inputs(double network, double queueing, double ttft, double speed, qint64 tokens,
                     double sigma)
{
    return LatencyInputs{network, queueing, ttft, speed, tokens, sigma};
}

} // namespace

class tst_LatencyBudget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addsUpTheParts_data();
    void addsUpTheParts();
    void fitsTheSpreadToALog_data();
    void fitsTheSpreadToALog();
    void rejectsImpossibleInputs_data();
    void rejectsImpossibleInputs();
    void aLogWithoutCallsCannotBeFitted();
};

void tst_LatencyBudget::addsUpTheParts_data()
{
    QTest::addColumn<LatencyInputs>("given");
    QTest::addColumn<double>("generationMs");
    QTest::addColumn<double>("medianMs");
    QTest::addColumn<double>("p99Ms");

    // 300 / 200 x 1000 = 1500; 40 + 10 + 350 + 1500 = 1900; 1900 x e^(2.326 x 0.2) = 3025.43
    QTest::newRow("defaults") << LatencyInputs{} << 1500.0 << 1900.0 << 3025.43;
    // 100 / 100 x 1000 = 1000; 20 + 0 + 300 + 1000 = 1320; 1320 x e^0.2326 = 1665.68
    QTest::newRow("short answer") << inputs(20, 0, 300, 100, 100, 0.1) << 1000.0 << 1320.0
                                  << 1665.68;
    // Without spread every percentile is the median: 50 + 50 + 400 + 500 / 250 x 1000 = 2500
    QTest::newRow("no spread") << inputs(50, 50, 400, 250, 500, 0) << 2000.0 << 2500.0 << 2500.0;
    // No output: the median is network, queueing and the first token only.
    QTest::newRow("no output") << inputs(30, 20, 250, 80, 0, 0) << 0.0 << 300.0 << 300.0;
}

void tst_LatencyBudget::addsUpTheParts()
{
    QFETCH(LatencyInputs, given);
    QFETCH(double, generationMs);
    QFETCH(double, medianMs);
    QFETCH(double, p99Ms);

    const Expected<LatencyBudget> budget = LatencyBudget::compute(given);

    QVERIFY2(budget, qPrintable(budget ? QString() : budget.error()));
    QCOMPARE(budget->generationMs, generationMs);
    QCOMPARE(budget->medianMs, medianMs);
    QCOMPARE(budget->sigma, given.spreadSigma);
    QVERIFY2(qAbs(budget->p99Ms - p99Ms) < 0.01, qPrintable(QString::number(budget->p99Ms)));
    QVERIFY(!budget->measured);
}

void tst_LatencyBudget::fitsTheSpreadToALog_data()
{
    QTest::addColumn<MeasuredLatency>("measured");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<double>("p99Ms");

    // P99 twice the median: sigma = ln 2 / 2.326 = 0.298000, so the budget's P99 is also twice
    // its median of 1900.
    QTest::newRow("p99 twice the median") << MeasuredLatency{200, 1000, 2000} << 0.298000 << 3800.0;
    // ln(1.5) / 2.326 = 0.174318; 1900 x 1.5 = 2850
    QTest::newRow("p99 half again") << MeasuredLatency{50, 800, 1200} << 0.174318 << 2850.0;
    // One call: P99 equals the median, so there is no spread.
    QTest::newRow("one call") << MeasuredLatency{1, 900, 900} << 0.0 << 1900.0;
}

void tst_LatencyBudget::fitsTheSpreadToALog()
{
    QFETCH(MeasuredLatency, measured);
    QFETCH(double, sigma);
    QFETCH(double, p99Ms);

    const Expected<LatencyBudget> budget = LatencyBudget::fitted(LatencyInputs{}, measured);

    QVERIFY2(budget, qPrintable(budget ? QString() : budget.error()));
    QVERIFY2(qAbs(budget->sigma - sigma) < 1e-6, qPrintable(QString::number(budget->sigma)));
    QCOMPARE(budget->medianMs, 1900.0);
    QVERIFY2(qAbs(budget->p99Ms - p99Ms) < 0.01, qPrintable(QString::number(budget->p99Ms)));
    QVERIFY(budget->measured);
    QCOMPARE(budget->measured->calls, measured.calls);
}

void tst_LatencyBudget::rejectsImpossibleInputs_data()
{
    QTest::addColumn<LatencyInputs>("given");
    QTest::addColumn<QString>("named");

    QTest::newRow("no speed") << inputs(40, 10, 350, 0, 300, 0.2) << u"output tokens per second"_s;
    QTest::newRow("negative network") << inputs(-1, 10, 350, 200, 300, 0.2) << u"network time"_s;
    QTest::newRow("negative spread") << inputs(40, 10, 350, 200, 300, -0.1) << u"latency spread"_s;
    QTest::newRow("not a number") << inputs(40, qQNaN(), 350, 200, 300, 0.2) << u"queueing time"_s;
}

void tst_LatencyBudget::rejectsImpossibleInputs()
{
    QFETCH(LatencyInputs, given);
    QFETCH(QString, named);

    const Expected<LatencyBudget> budget = LatencyBudget::compute(given);

    QVERIFY(!budget);
    QVERIFY2(budget.error().contains(named), qPrintable(budget.error()));
}

void tst_LatencyBudget::aLogWithoutCallsCannotBeFitted()
{
    const Expected<LatencyBudget> budget = LatencyBudget::fitted(LatencyInputs{}, {});

    QVERIFY(!budget);
    QVERIFY2(budget.error().contains(u"no calls"_s), qPrintable(budget.error()));
}

QTEST_GUILESS_MAIN(tst_LatencyBudget)
#include "tst_latencybudget.moc"
