#include "economics/calculationstep.h"
#include "reports/capacityreport.h"

#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

// 10,000 requests a day at a 10x peak, 1,500 tokens in and 300 out on Sonnet 4.6; 70 % routed to
// Haiku 4.5; a 1,000-token prefix cached with 80 % hits.
CapacityScenario supportBot()
{
    CapacityScenario scenario;
    scenario.requestsPerDay = 10000;
    scenario.inputTokensPerRequest = 1500;
    scenario.outputTokensPerRequest = 300;
    scenario.modelId = u"claude-sonnet-4-6"_s;
    scenario.routing = RoutingShare{0.7, u"claude-haiku-4-5"_s};
    scenario.caching = PrefixCaching{1000, 0.8};
    return scenario;
}

Expected<CapacityReport> report(double p99TargetMs,
                                std::optional<MeasuredLatency> measured = std::nullopt)
{
    return CapacityReport::build(supportBot(), PriceBook::builtIn(), RateLimitTable::builtIn(),
                                 LatencyInputs{}, measured, p99TargetMs);
}

} // namespace

class tst_CapacityReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hasEverySection();
    void showsTheHandComputedCosts();
    void showsThePlansFigures();
    void ticksTheChecklistFromTheNumbers_data();
    void ticksTheChecklistFromTheNumbers();
    void fitsTheLatencyToALog();
    void isDeterministic();
    void failsNamingTheInput();
};

void tst_CapacityReport::hasEverySection()
{
    const Expected<CapacityReport> built = report(2000);
    QVERIFY2(built, qPrintable(built ? QString() : built.error()));
    const QString markdown = built->markdown();

    const QStringList headings{
        u"# Design: an LLM API for 10000 requests/day with a P99 under 2000 ms"_s,
        u"## 1. Capacity planning"_s,
        u"## 2. Model and routing"_s,
        u"## 3. Prompt caching"_s,
        u"## 4. Infrastructure"_s,
        u"## 5. Latency budget"_s,
        u"## 6. Observability"_s,
        u"## 7. Rate limits"_s,
        u"## 8. Checklist"_s};
    qsizetype previous = -1;
    for (const QString &heading : headings) {
        const qsizetype at = markdown.indexOf(heading);
        QVERIFY2(at > previous, qPrintable(heading));
        previous = at;
    }
}

void tst_CapacityReport::showsTheHandComputedCosts()
{
    const Expected<CapacityReport> built = report(2000);
    QVERIFY(built);
    const QString markdown = built->markdown();

    // Sonnet: (1500 x $3 + 300 x $15) / 1e6 = $0.009 a request; x 10000 = $90 a day.
    QVERIFY(markdown.contains(u"Baseline daily cost = 10000 x $0.009000 = **$90.000000**"_s));
    // x 30 days = $2700 a month.
    QVERIFY(markdown.contains(u"**$2700.000000**"_s));
    // Haiku: (1500 x $1 + 300 x $5) / 1e6 = $0.003; 10000 x (0.3 x 0.009 + 0.7 x 0.003) = $48,
    // saving $42 = 46.67 % of $90.
    QVERIFY(markdown.contains(u"**$48.000000**"_s));
    QVERIFY(markdown.contains(u"$42.000000/day (46.67 %)"_s));
    // Sonnet cached: (500 x 3 + 1000 x (0.8 x 0.30 + 0.2 x 3.75) + 4500) / 1e6 = $0.00699;
    // Haiku cached: (500 x 1 + 1000 x (0.8 x 0.10 + 0.2 x 1.25) + 1500) / 1e6 = $0.00233;
    // 10000 x (0.3 x 0.00699 + 0.7 x 0.00233) = $37.28 a day.
    QVERIFY(markdown.contains(u"Daily cost after caching = after routing, prefix priced as "
                              "above = **$37.280000**"_s));
    // Prefix on Sonnet: 1000 x (0.8 x $0.30 + 0.2 x $3.75) / 1e6 = $0.00099
    QVERIFY(markdown.contains(u"**$0.0009900**"_s));
}

void tst_CapacityReport::showsThePlansFigures()
{
    const Expected<CapacityReport> built = report(2000);
    QVERIFY(built);
    const QString markdown = built->markdown();
    const CapacityPlan &plan = built->plan;

    // 10000 / 86400 = 0.11574 RPS, x 10 = 1.1574 RPS, x 60 = 69.4444 RPM
    QVERIFY(markdown.contains(u"Average RPS = 10000 requests / 86400 s = **0.1157**"_s));
    QVERIFY(markdown.contains(u"Peak RPS = 0.1157 x peak ratio 10 = **1.1574**"_s));
    QVERIFY(markdown.contains(u"Peak RPM = 1.1574 x 60 = **69.4444**"_s));
    QVERIFY(markdown.contains(u"**"_s + formatCount(plan.peakInputTpm) + u"**"_s));
    QVERIFY(markdown.contains(u"**15000000**"_s)); // 10000 x 1500 input tokens a day
    QVERIFY(plan.tier);
    QVERIFY(markdown.contains(u"**%1** carries the peak"_s.arg(*plan.tier)));
    QVERIFY(markdown.contains(plan.binding.className + u' ' + plan.binding.measure));
    // Latency: 40 + 10 + 350 + 1500 = 1900 ms median; 1900 x e^(2.326 x 0.2) = 3025.43 ms
    QVERIFY(markdown.contains(u"| **Median** | **1900 ms** |"_s));
    QVERIFY(markdown.contains(u"= **3025.43 ms**"_s));
}

void tst_CapacityReport::ticksTheChecklistFromTheNumbers_data()
{
    QTest::addColumn<double>("targetMs");
    QTest::addColumn<bool>("meets");
    QTest::addColumn<QString>("infrastructure");

    // P99 3025.43: over 2000; under 3500 but a 1000 ms cold start is not (4025.43);
    // under 5000 even with the cold start.
    QTest::newRow("2 s target") << 2000.0 << false << u"long-running"_s;
    QTest::newRow("3.5 s target") << 3500.0 << true << u"long-running"_s;
    QTest::newRow("5 s target") << 5000.0 << true << u"serverless"_s;
}

void tst_CapacityReport::ticksTheChecklistFromTheNumbers()
{
    QFETCH(double, targetMs);
    QFETCH(bool, meets);
    QFETCH(QString, infrastructure);

    const Expected<CapacityReport> built = report(targetMs);
    QVERIFY(built);
    const QString markdown = built->markdown();

    const QString p99Line = u"P99 3025.43 ms < target %1"_s.arg(formatCount(targetMs) + u" ms"_s);
    QVERIFY2(markdown.contains((meets ? u"- [x] "_s : u"- [ ] "_s) + p99Line),
             qPrintable(markdown));
    QVERIFY(markdown.contains(u"Infrastructure (%1)"_s.arg(infrastructure)));
    QVERIFY(markdown.contains(u"- [x] Costs before ($90.000000/day) and after ($37.280000/day)"_s));
}

void tst_CapacityReport::fitsTheLatencyToALog()
{
    // P99 twice the median: sigma = ln 2 / 2.326 = 0.2980, P99 = 2 x 1900 = 3800 ms.
    const Expected<CapacityReport> built = report(2000, MeasuredLatency{120, 700, 1400});
    QVERIFY(built);
    const QString markdown = built->markdown();

    QVERIFY(markdown.contains(u"ln(P99 1400 ms / median 700 ms) / 2.326 over 120 calls"_s));
    QVERIFY(markdown.contains(u"sigma 0.2980"_s));
    QVERIFY(markdown.contains(u"= **3800 ms**"_s));
}

void tst_CapacityReport::isDeterministic()
{
    const Expected<CapacityReport> first = report(2000);
    const Expected<CapacityReport> second = report(2000);
    QVERIFY(first && second);
    QCOMPARE(first->markdown(), second->markdown());
}

void tst_CapacityReport::failsNamingTheInput()
{
    CapacityScenario unknown = supportBot();
    unknown.modelId = u"claude-nonesuch-9"_s;
    const Expected<CapacityReport> noModel = CapacityReport::build(
        unknown, PriceBook::builtIn(), RateLimitTable::builtIn(), {}, std::nullopt, 2000);
    QVERIFY(!noModel);
    QVERIFY2(noModel.error().contains(u"claude-nonesuch-9"_s), qPrintable(noModel.error()));

    const Expected<CapacityReport> noTarget = report(0);
    QVERIFY(!noTarget);
    QVERIFY2(noTarget.error().contains(u"P99 target"_s), qPrintable(noTarget.error()));
}

QTEST_GUILESS_MAIN(tst_CapacityReport)
#include "tst_capacityreport.moc"
