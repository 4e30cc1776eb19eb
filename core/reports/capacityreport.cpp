#include "capacityreport.h"

#include "economics/calculationstep.h"

#include <QStringList>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

QString ms(double value)
{
    return formatCount(value) + u" ms"_s;
}

// Rates keep four decimals so that each step can be redone from the one before.
QString rate(double value)
{
    return std::abs(value - std::round(value)) < 1e-9 ? formatCount(value)
                                                      : QString::number(value, 'f', 4);
}

QString percent(double fraction)
{
    return formatCount(fraction * 100) + u" %"_s;
}

QString tick(bool done)
{
    return done ? u"- [x] "_s : u"- [ ] "_s;
}

// One line of shown working as a markdown bullet.
QString step(const QString &label, const QString &formula, const QString &result)
{
    return u"- "_s + CalculationStep{label, formula, u"**"_s + result + u"**"_s}.toString();
}

double requestCost(const CapacityReport &report, const ModelPrice &price)
{
    return (double(report.scenario.inputTokensPerRequest) * price.input
            + double(report.scenario.outputTokensPerRequest) * price.output)
           / 1e6;
}

// The markdown is built section by section into one list of lines.
class Writer
{
public:
    explicit Writer(const CapacityReport &report)
        : r(report)
        , s(report.scenario)
        , p(report.plan)
        , l(report.latency)
    {}

    QString write()
    {
        title();
        capacity();
        routing();
        caching();
        infrastructure();
        latency();
        observability();
        rateLimits();
        checklist();
        return m_lines.join(u'\n') + u'\n';
    }

private:
    void add(const QString &line = QString()) { m_lines.append(line); }

    void heading(const QString &text)
    {
        add();
        add(u"## "_s + text);
        add();
    }

    void title()
    {
        add(u"# Design: an LLM API for %1 requests/day with a P99 under %2"_s.arg(
            formatCount(s.requestsPerDay), ms(r.p99TargetMs)));
        add();
        add(u"Every figure below is computed from the inputs by Opsbench; each step shows its "
            "formula so it can be checked by hand. Prices are USD per million tokens."_s);
        add();
        add(u"| | |"_s);
        add(u"| --- | --- |"_s);
        add(u"| Daily cost, baseline | %1 |"_s.arg(formatUsd(p.baseline.daily)));
        add(u"| Daily cost, optimised | %1 |"_s.arg(formatUsd(p.afterCaching.daily)));
        add(u"| P99 latency | %1 (target %2) |"_s.arg(ms(l.p99Ms), ms(r.p99TargetMs)));
        add(u"| Rate-limit tier | %1 |"_s.arg(p.tier.value_or(u"none listed fits"_s)));
    }

    void capacity()
    {
        heading(u"1. Capacity planning"_s);
        const QString requests = formatCount(s.requestsPerDay);
        add(step(u"Average RPS"_s, requests + u" requests / 86400 s"_s, rate(p.averageRps)));
        add(step(u"Peak RPS"_s, rate(p.averageRps) + u" x peak ratio "_s + formatCount(s.peakRatio),
                 rate(p.peakRps)));
        add(step(u"Peak RPM"_s, rate(p.peakRps) + u" x 60"_s, rate(p.peakRpm)));
        add(step(
            u"Tokens per request"_s,
            u"%1 input + %2 output"_s.arg(s.inputTokensPerRequest).arg(s.outputTokensPerRequest),
            formatCount(double(s.inputTokensPerRequest + s.outputTokensPerRequest))));
        add(step(u"Daily input tokens"_s,
                 requests + u" x "_s + QString::number(s.inputTokensPerRequest),
                 formatCount(p.dailyInputTokens)));
        add(step(u"Daily output tokens"_s,
                 requests + u" x "_s + QString::number(s.outputTokensPerRequest),
                 formatCount(p.dailyOutputTokens)));
        add(step(u"Peak input TPM"_s,
                 rate(p.peakRpm) + u" x "_s + QString::number(s.inputTokensPerRequest),
                 formatCount(p.peakInputTpm)));
        add(step(u"Peak output TPM"_s,
                 rate(p.peakRpm) + u" x "_s + QString::number(s.outputTokensPerRequest),
                 formatCount(p.peakOutputTpm)));
        const ModelPrice &price = r.modelPrice;
        add(step(u"Baseline cost per request on "_s + s.modelId,
                 u"(%1 x %2 + %3 x %4) / 1e6"_s.arg(
                     QString::number(s.inputTokensPerRequest), formatPrice(price.input),
                     QString::number(s.outputTokensPerRequest), formatPrice(price.output)),
                 formatUsd(requestCost(r, price))));
        add(step(u"Baseline daily cost"_s, requests + u" x "_s + formatUsd(requestCost(r, price)),
                 formatUsd(p.baseline.daily)));
        add(step(u"Baseline monthly cost"_s,
                 formatUsd(p.baseline.daily) + u" x "_s + formatCount(s.daysPerMonth) + u" days"_s,
                 formatUsd(p.baseline.monthly)));
    }

    void routing()
    {
        heading(u"2. Model and routing"_s);
        if (!s.routing || !r.routedPrice) {
            add(u"Every request goes to %1. Routing short, simple requests to a cheaper model "
                "would lower the cost; no routed share was given, so the cost after routing is "
                "the baseline, %2 a day."_s.arg(s.modelId, formatUsd(p.afterRouting.daily)));
            return;
        }
        const RoutingShare &routing = *s.routing;
        add(u"A router sends the requests that need no strong model (short, no code, not high "
            "stakes) to %1 and keeps the rest on %2."_s.arg(routing.modelId, s.modelId));
        add();
        add(step(u"Cost per request on "_s + routing.modelId,
                 u"(%1 x %2 + %3 x %4) / 1e6"_s.arg(
                     QString::number(s.inputTokensPerRequest), formatPrice(r.routedPrice->input),
                     QString::number(s.outputTokensPerRequest), formatPrice(r.routedPrice->output)),
                 formatUsd(requestCost(r, *r.routedPrice))));
        add(step(u"Daily cost after routing"_s,
                 u"%1 x (%2 x %3 + %4 x %5)"_s.arg(
                     formatCount(s.requestsPerDay), formatCount(1 - routing.share),
                     formatUsd(requestCost(r, r.modelPrice)), formatCount(routing.share),
                     formatUsd(requestCost(r, *r.routedPrice))),
                 formatUsd(p.afterRouting.daily)));
        add(step(u"Saving from routing"_s,
                 formatUsd(p.baseline.daily) + u" - "_s + formatUsd(p.afterRouting.daily),
                 u"%1/day (%2 %)"_s.arg(formatUsd(p.afterRouting.savingDaily),
                                        formatCount(p.afterRouting.savingPercent))));
    }

    void caching()
    {
        heading(u"3. Prompt caching"_s);
        if (!s.caching) {
            add(u"Nothing is cached. A system prompt and instructions shared by every request "
                "are the usual candidates; with no cached prefix given, the cost after caching "
                "equals the cost after routing, %1 a day."_s.arg(formatUsd(p.afterCaching.daily)));
            return;
        }
        const PrefixCaching &caching = *s.caching;
        add(u"The first %1 tokens of every prompt (system prompt, instructions and fixed "
            "context) are a cached prefix with the 5-minute TTL; the remaining %2 tokens are the "
            "request itself and are sent uncached. A hit reads the prefix at the cache-read "
            "price, a miss writes it at the cache-write price."_s.arg(caching.prefixTokens)
                .arg(s.inputTokensPerRequest - caching.prefixTokens));
        add();
        add(step(u"Hit rate"_s, u"given"_s, percent(caching.hitRate)));
        add(step(u"Prefix price per request on "_s + s.modelId,
                 u"%1 x (%2 x %3 + %4 x %5) / 1e6"_s.arg(
                     QString::number(caching.prefixTokens), formatCount(caching.hitRate),
                     formatPrice(r.modelPrice.cacheRead), formatCount(1 - caching.hitRate),
                     formatPrice(r.modelPrice.cacheWrite5m)),
                 formatUsd(double(caching.prefixTokens)
                           * (caching.hitRate * r.modelPrice.cacheRead
                              + (1 - caching.hitRate) * r.modelPrice.cacheWrite5m)
                           / 1e6)));
        add(step(u"Daily cost after caching"_s, u"after routing, prefix priced as above"_s,
                 formatUsd(p.afterCaching.daily)));
        add(step(u"Saving from caching"_s,
                 formatUsd(p.afterRouting.daily) + u" - "_s + formatUsd(p.afterCaching.daily),
                 u"%1/day (%2 %)"_s.arg(formatUsd(p.afterCaching.savingDaily),
                                        formatCount(p.afterCaching.savingPercent))));
        add(step(u"Monthly cost after caching"_s,
                 formatUsd(p.afterCaching.daily) + u" x "_s + formatCount(s.daysPerMonth),
                 formatUsd(p.afterCaching.monthly)));
    }

    void infrastructure()
    {
        heading(u"4. Infrastructure"_s);
        const double headroom = r.p99TargetMs - l.p99Ms;
        add(step(u"Headroom under the target"_s, ms(r.p99TargetMs) + u" - P99 "_s + ms(l.p99Ms),
                 ms(headroom)));
        add(step(u"Requests in flight at peak (Little's law)"_s,
                 rate(p.peakRps) + u" RPS x "_s + formatCount(l.medianMs / 1000) + u" s"_s,
                 formatCount(r.peakConcurrency())));
        add();
        if (r.serverlessFits()) {
            add(u"**Serverless fits.** A cold start of about %1 on top of the P99 gives %2, "
                "still under the target, so scale-to-zero functions are acceptable. Keep one "
                "instance warm anyway if traffic is spiky: the peak is %3 times the average."_s.arg(
                    ms(r.coldStartMs), ms(l.p99Ms + r.coldStartMs), formatCount(s.peakRatio)));
        } else {
            add(u"**Long-running service.** A serverless cold start of about %1 on top of the "
                "P99 would give %2, over the %3 target (headroom is %4), so the calls run from "
                "always-warm instances (a container service or VMs) that keep their HTTP "
                "connections to the API open, which also saves the TLS handshake on every "
                "call."_s.arg(ms(r.coldStartMs), ms(l.p99Ms + r.coldStartMs), ms(r.p99TargetMs),
                              ms(headroom)));
        }
        add();
        add(u"**Region.** Run in the cloud region nearest the API's endpoint and the users: the "
            "budget allows %1 of network time per request, which a cross-continent hop alone "
            "would use up."_s.arg(ms(l.inputs.networkMs)));
        add();
        add(u"**Load balancing.** About %1 requests are in flight at peak. Spread them over at "
            "least two instances in different zones behind a load balancer that routes to the "
            "least-busy instance (calls last seconds, so round robin piles them up), with "
            "streaming responses passed through unbuffered."_s.arg(
                formatCount(std::ceil(r.peakConcurrency()))));
    }

    void latency()
    {
        heading(u"5. Latency budget"_s);
        add(u"| Part | Time |"_s);
        add(u"| --- | ---: |"_s);
        add(u"| Network round trip | %1 |"_s.arg(ms(l.inputs.networkMs)));
        add(u"| Queueing at peak | %1 |"_s.arg(ms(l.inputs.queueingMs)));
        add(u"| Time to first token | %1 |"_s.arg(ms(l.inputs.ttftMs)));
        add(u"| Generation: %1 tokens at %2 tokens/s | %3 |"_s.arg(
            QString::number(l.inputs.outputTokens), formatCount(l.inputs.outputTokensPerSecond),
            ms(l.generationMs)));
        add(u"| **Median** | **%1** |"_s.arg(ms(l.medianMs)));
        add();
        if (l.measured) {
            const MeasuredLatency &m = *l.measured;
            add(step(u"Spread fitted to the log"_s,
                     u"ln(P99 %1 / median %2) / %3 over %4 calls"_s.arg(
                         ms(m.p99Ms), ms(m.medianMs), QString::number(LatencyBudget::z99),
                         QString::number(m.calls)),
                     u"sigma "_s + QString::number(l.sigma, 'f', 4)));
        } else {
            add(step(u"Spread"_s, u"assumed log-normal"_s,
                     u"sigma "_s + QString::number(l.sigma, 'f', 4)));
        }
        add(step(u"P99"_s,
                 ms(l.medianMs) + u" x e^(2.326 x "_s + QString::number(l.sigma, 'f', 4) + u")"_s,
                 ms(l.p99Ms)));
        add();
        if (r.meetsTarget()) {
            add(u"The P99 of %1 is under the %2 target."_s.arg(ms(l.p99Ms), ms(r.p99TargetMs)));
        } else {
            const bool generationDominates =
                l.generationMs >= l.inputs.networkMs + l.inputs.queueingMs + l.inputs.ttftMs;
            add(u"The P99 of %1 is **over** the %2 target. %3 Streaming lets users see the first "
                "token after about %4 even so."_s.arg(
                    ms(l.p99Ms), ms(r.p99TargetMs),
                    generationDominates
                        ? u"Generation is most of the median: cap the output length or use a "
                          "faster model."_s
                        : u"Waiting before the first token is most of the median: move closer "
                          "to the API, shorten the queue or the prompt."_s,
                    ms(l.inputs.networkMs + l.inputs.queueingMs + l.inputs.ttftMs)));
        }
    }

    void observability()
    {
        heading(u"6. Observability"_s);
        const double perRequest =
            s.requestsPerDay > 0 ? p.afterCaching.daily / s.requestsPerDay : 0;
        add(u"**Metrics**, per call, tagged with model and feature: latency and time to first "
            "token (P50, P95, P99), input, output, cache-read and cache-write tokens, cost, "
            "retries, HTTP status and finish reason; per minute: requests and tokens against "
            "the rate limits."_s);
        add();
        add(u"**Alerts:**"_s);
        add();
        add(u"- P99 latency over %1 for 5 minutes."_s.arg(ms(r.p99TargetMs)));
        add(u"- Error rate above 1 % or any 429s for 5 minutes: the rate limit is binding."_s);
        add(u"- Usage of the binding limit (%1 %2) above 80 %."_s.arg(p.binding.className,
                                                                      p.binding.measure));
        add(u"- Cache hit rate below %1, the rate the costs above assume."_s.arg(
            percent(s.caching ? s.caching->hitRate : 0)));
        add();
        add(u"**Cost anomalies:** a call is flagged when it costs more than %1 times the rolling "
            "median cost of its feature, which catches a runaway prompt or a cache that stopped "
            "hitting long before the daily total shows it."_s.arg(formatCount(r.anomalyFactor)));
        add();
        add(step(u"Anomaly threshold at the planned cost"_s,
                 formatCount(r.anomalyFactor) + u" x "_s + formatUsd(perRequest) + u" per call"_s,
                 formatUsd(r.anomalyFactor * perRequest)));
        add(step(u"Daily spend alert"_s, u"1.5 x "_s + formatUsd(p.afterCaching.daily),
                 formatUsd(1.5 * p.afterCaching.daily)));
    }

    void rateLimits()
    {
        heading(u"7. Rate limits"_s);
        add(u"| Model class | Share | Peak RPM | Peak input TPM (counted) | Peak output TPM |"_s);
        add(u"| --- | ---: | ---: | ---: | ---: |"_s);
        for (const ClassLoad &load : p.loads) {
            add(u"| %1 | %2 | %3 | %4 | %5 |"_s.arg(load.modelClass.name, percent(load.share),
                                                    formatCount(load.peakRequestsPerMinute),
                                                    formatCount(load.peakInputTokensPerMinute),
                                                    formatCount(load.peakOutputTokensPerMinute)));
        }
        add();
        const BindingLimit &b = p.binding;
        const QString binding =
            u"%1 %2 at %3 of %4 (%5)"_s.arg(b.className, b.measure, formatCount(b.peak),
                                            formatCount(b.allowed), percent(b.usage()));
        if (p.tier)
            add(u"**%1** carries the peak; the binding limit is %2."_s.arg(*p.tier, binding));
        else
            add(u"**No listed tier carries the peak**; even in %1, %2."_s.arg(b.tier, binding));
        add();
        const QString fallback = s.routing
                                     ? s.routing->modelId
                                     : u"a model of another class (its limits are separate)"_s;
        add(u"When a limit is hit mid-day the API answers 429:"_s);
        add();
        add(u"1. **Retry** up to %1 attempts with exponential backoff, min(%2, %3 x 2^n), plus "
            "up to 10 % random jitter so clients that failed together do not return together; "
            "a `retry-after` header wins over the backoff."_s.arg(r.retry.maxAttempts())
                .arg(ms(double(r.retry.maxDelayMs())), ms(double(r.retry.baseDelayMs()))));
        const double headroom = r.p99TargetMs - l.p99Ms;
        const QString patience =
            headroom > 0
                ? u"once its wait exceeds the %1 of headroom under the target"_s.arg(ms(headroom))
                : u"after one base delay (%1): the P99 is already over the target, so there is no "
                  "headroom to queue in"_s.arg(ms(double(r.retry.baseDelayMs())));
        add(u"2. **Queue** requests above the limit and release them at the allowed rate, so a "
            "burst turns into a delay rather than errors; give up on a queued request %1."_s.arg(
                patience));
        add(u"3. **Fall back** to %1 when the queue is full, and tell the caller the answer "
            "came from the fallback."_s.arg(fallback));
    }

    void checklist()
    {
        heading(u"8. Checklist"_s);
        const bool quantified = s.routing || s.caching;
        add(tick(true) + u"All numbers computed from the inputs, with the working shown"_s);
        add(tick(r.meetsTarget()) + u"P99 %1 < target %2"_s.arg(ms(l.p99Ms), ms(r.p99TargetMs)));
        add(tick(quantified)
            + u"Costs before (%1/day) and after (%2/day) optimisation quantified"_s.arg(
                formatUsd(p.baseline.daily), formatUsd(p.afterCaching.daily)));
        add(tick(r.meetsTarget())
            + (r.serverlessFits() ? u"Infrastructure (serverless) matches the latency target"_s
                                  : u"Infrastructure (long-running) matches the latency target"_s));
        add(tick(p.tier.has_value())
            + u"Failure modes handled: retries, queue and fallback within a tier that fits"_s);
        add(tick(true) + u"Observability: metrics, alerts and cost anomaly detection"_s);
    }

    const CapacityReport &r;
    const CapacityScenario &s;
    const CapacityPlan &p;
    const LatencyBudget &l;
    QStringList m_lines;
};

} // namespace

Expected<CapacityReport>
CapacityReport::build(const CapacityScenario &scenario, const PriceBook &prices,
                      const RateLimitTable &limits, const LatencyInputs &latency,
                      std::optional<MeasuredLatency> measured, double p99TargetMs)
{
    if (!std::isfinite(p99TargetMs) || p99TargetMs <= 0)
        return fail(u"the P99 target must be a number of milliseconds above 0"_s);

    const Expected<CapacityPlan> plan = CapacityPlan::compute(scenario, prices, limits);
    if (!plan)
        return Failure{plan.error()};

    LatencyInputs inputs = latency;
    inputs.outputTokens = scenario.outputTokensPerRequest;
    const Expected<LatencyBudget> budget =
        measured ? LatencyBudget::fitted(inputs, *measured) : LatencyBudget::compute(inputs);
    if (!budget)
        return Failure{budget.error()};

    CapacityReport report;
    report.scenario = scenario;
    report.plan = *plan;
    report.latency = *budget;
    report.p99TargetMs = p99TargetMs;
    report.modelPrice = *prices.lookup(scenario.modelId); // the plan priced it already
    if (scenario.routing)
        report.routedPrice = *prices.lookup(scenario.routing->modelId);
    return report;
}

QString CapacityReport::markdown() const
{
    return Writer(*this).write();
}
