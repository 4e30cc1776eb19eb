#include "cachereport.h"

#include "pricing/pricebook.h"

#include <QStringList>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr double perMillion = 1e6;

double savingOf(double without, double with)
{
    return without > 0 ? (without - with) / without * 100 : 0;
}

// For calls that measure() has already priced, so that a failure cannot happen here.
double pricedOrZero(const PriceBook &prices, const QString &model, const TokenUsage &usage)
{
    const Expected<double> cost = prices.cost(model, usage);
    return cost ? *cost : 0;
}

QString percent(double value)
{
    return u"%1%"_s.arg(value, 0, 'f', 3);
}

QString perMillionTokens(double price)
{
    return formatPrice(price) + u" per million tokens"_s;
}

QString optionalCount(const std::optional<double> &value)
{
    return value ? formatCount(*value) : u"none"_s;
}

QString optionalRatio(const std::optional<double> &value)
{
    return value ? QString::number(*value, 'f', 4) : u"none"_s;
}

QString tableRow(const QStringList &cells)
{
    return u"| "_s + cells.join(" | "_L1) + u" |\n"_s;
}

QString tableHeader(const QStringList &cells)
{
    QStringList rule;
    for (qsizetype i = 0; i < cells.size(); ++i)
        rule.append(u"---"_s);
    return tableRow(cells) + tableRow(rule);
}

QString scenarioSection(const CacheScenario &scenario, const CacheEconomics &uniform)
{
    const QString write = scenario.cacheWritePrice
                              ? perMillionTokens(uniform.writePrice)
                              : perMillionTokens(uniform.writePrice) + u" (1.25 x input)"_s;
    const QString interval =
        scenario.intervalSeconds
            ? u"%1 s"_s.arg(formatCount(uniform.intervalSeconds))
            : u"%1 s (86400 s / calls per day)"_s.arg(formatCount(uniform.intervalSeconds));
    QString text = u"## The scenario\n\n"_s;
    text += tableHeader({u"Input"_s, u"Value"_s});
    text += tableRow({u"Calls per day"_s, formatCount(scenario.callsPerDay)});
    text += tableRow({u"Cached prompt prefix"_s, u"%1 tokens"_s.arg(scenario.cachedPromptTokens)});
    text += tableRow({u"Input price"_s, perMillionTokens(scenario.inputPrice)});
    text += tableRow({u"Cache read price"_s, perMillionTokens(scenario.cacheReadPrice)});
    text += tableRow({u"Cache write price"_s, write});
    text += tableRow({u"Cache lifetime (TTL)"_s, u"%1 s"_s.arg(formatCount(scenario.ttlSeconds))});
    text += tableRow({u"Interval between calls (uniform arrivals)"_s, interval});
    return text + u"\n"_s;
}

QString glanceTable(const CacheEconomics &uniform, const CacheEconomics &poisson)
{
    struct Figure
    {
        QString label;
        QString (*show)(const CacheEconomics &);
    };
    const Figure figures[] = {
        {u"Daily cost without caching"_s,
         [](const CacheEconomics &e) { return formatUsd(e.costWithoutCaching); }},
        {u"Cache writes per day"_s,
         [](const CacheEconomics &e) { return formatCount(e.cacheWritesPerDay); }},
        {u"Cache reads per day"_s,
         [](const CacheEconomics &e) { return formatCount(e.cacheReadsPerDay); }},
        {u"Daily write cost"_s, [](const CacheEconomics &e) { return formatUsd(e.writeCost); }},
        {u"Daily read cost"_s, [](const CacheEconomics &e) { return formatUsd(e.readCost); }},
        {u"Daily cost with caching"_s,
         [](const CacheEconomics &e) { return formatUsd(e.costWithCaching); }},
        {u"Saving"_s, [](const CacheEconomics &e) { return percent(e.savingPercent); }},
        {u"Break-even reads per write"_s,
         [](const CacheEconomics &e) { return optionalRatio(e.breakEvenReadsPerWrite); }},
        {u"Break-even calls per day"_s,
         [](const CacheEconomics &e) { return optionalCount(e.breakEvenCallsPerDay); }},
    };
    QString text = tableHeader({u"Figure"_s, u"Uniform arrivals"_s, u"Poisson arrivals"_s});
    for (const Figure &figure : figures)
        text += tableRow({figure.label, figure.show(uniform), figure.show(poisson)});
    return text + u"\n"_s;
}

QString workingList(const QString &title, const CacheEconomics &economics)
{
    QString text = u"### %1, step by step\n\n"_s.arg(title);
    int number = 1;
    for (const CalculationStep &step : economics.working) {
        text += u"%1. %2: %3 = **%4**\n"_s.arg(number++).arg(step.label, step.formula, step.result);
    }
    return text + u"\n"_s;
}

QString breakEvenSection(const CacheScenario &scenario, const CacheEconomics &uniform,
                         const CacheEconomics &poisson)
{
    QString text = u"### Break-even\n\n"_s;
    if (!uniform.breakEvenReadsPerWrite) {
        return text
               + u"These prices have no break-even: caching either never pays or always "
                 "pays, as the warnings below explain.\n\n"_s;
    }
    const double premium = uniform.writePrice - scenario.inputPrice;
    const double saved = scenario.inputPrice - scenario.cacheReadPrice;
    text += u"A cache write costs %1 - %2 = %3 per million tokens more than sending the prefix "
            "uncached, and every read saves %2 - %4 = %5, so %6 reads repay one write.\n"_s.arg(
                formatPrice(uniform.writePrice), formatPrice(scenario.inputPrice),
                formatPrice(premium), formatPrice(scenario.cacheReadPrice), formatPrice(saved),
                QString::number(*uniform.breakEvenReadsPerWrite, 'f', 4));
    text += u"Caching pays from %1 calls per day with uniform arrivals and from %2 with Poisson "
            "arrivals.\n\n"_s.arg(optionalCount(uniform.breakEvenCallsPerDay),
                                  optionalCount(poisson.breakEvenCallsPerDay));
    return text;
}

QString warningsSection(const CacheEconomics &uniform, const CacheEconomics &poisson)
{
    QString text = u"### Warnings\n\n"_s;
    if (uniform.warnings.isEmpty() && poisson.warnings.isEmpty())
        return text + u"None: the inputs are consistent.\n\n"_s;
    for (const QString &warning : uniform.warnings)
        text += u"- Uniform arrivals: %1.\n"_s.arg(warning);
    for (const QString &warning : poisson.warnings)
        text += u"- Poisson arrivals: %1.\n"_s.arg(warning);
    return text + u"\n"_s;
}

QString howToMeasure()
{
    return u"No measured calls were given. To measure caching, send a few calls that share one "
           "system prompt with caching on, then build this report from their log:\n\n"
           "```\n"
           "opsbench-cli run --cache --log llm_calls.jsonl\n"
           "opsbench-cli report cache --log llm_calls.jsonl --out exercise_03_solution.md\n"
           "```\n"_s;
}

QString measuredSection(const QList<MeasuredCall> &calls, const CacheMeasurement &measured,
                        const CacheEconomics &uniform, const CacheEconomics &poisson,
                        const PriceBook &prices)
{
    const MeasuredCall &first = calls.constFirst();
    QString text = u"%1 calls to `%2`, feature `%3`, prompt version `%4`"_s.arg(calls.size())
                       .arg(first.model, first.feature, first.systemPromptHash);
    if (first.timestamp.isValid() && calls.constLast().timestamp.isValid()) {
        text += u", from %1 to %2"_s.arg(first.timestamp.toString(Qt::ISODate),
                                         calls.constLast().timestamp.toString(Qt::ISODate));
    }
    text += u".\n\n"_s;

    text += tableHeader({u"Call"_s, u"Cache write tokens"_s, u"Cache read tokens"_s,
                         u"Uncached input tokens"_s, u"Output tokens"_s, u"Cost"_s,
                         u"Cost without caching"_s});
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const TokenUsage &usage = calls.at(i).usage;
        const TokenUsage plain{usage.totalInputTokens(), usage.outputTokens, 0, 0, 0};
        const double with = pricedOrZero(prices, calls.at(i).model, usage);
        const double without = pricedOrZero(prices, calls.at(i).model, plain);
        text += tableRow({QString::number(i + 1), QString::number(usage.cacheCreationInputTokens),
                          QString::number(usage.cacheReadInputTokens),
                          QString::number(usage.inputTokens), QString::number(usage.outputTokens),
                          formatUsd(with), formatUsd(without)});
    }

    QStringList reads;
    for (qint64 tokens : measured.laterReadTokens)
        reads.append(QString::number(tokens));
    text += u"\n- Call 1 wrote %1 tokens to the cache; the later calls read %2 tokens.\n"_s.arg(
        QString::number(measured.firstCallWriteTokens),
        reads.isEmpty() ? u"no"_s : reads.join(", "_L1));
    text += u"- Measured cost of the calls: %1, against %2 without caching: a saving of **%3**.\n"_s
                .arg(formatUsd(measured.costUsd), formatUsd(measured.costWithoutCachingUsd),
                     percent(measured.savingPercent));
    text += u"- On the cached prefix alone: %1 against %2, a saving of **%3**.\n"_s.arg(
        formatUsd(measured.prefixCostUsd), formatUsd(measured.prefixCostWithoutCachingUsd),
        percent(measured.prefixSavingPercent));
    text += u"- In theory, %1 calls that write the prefix once and read it %2 times save **%3** "
            "on the prefix; the scenario's day saves %4 (uniform) or %5 (Poisson).\n"_s
                .arg(calls.size())
                .arg(calls.size() - 1)
                .arg(percent(measured.theorySavingPercent), percent(uniform.savingPercent),
                     percent(poisson.savingPercent));
    return text;
}

} // namespace

Expected<CacheMeasurement> CacheMeasurement::measure(const QList<MeasuredCall> &calls,
                                                     const PriceBook &prices)
{
    CacheMeasurement result;
    result.calls = int(calls.size());
    double theoryWith = 0;
    double theoryWithout = 0;
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const MeasuredCall &call = calls.at(i);
        const Expected<ModelPrice> price = prices.lookup(call.model);
        if (!price)
            return Failure{price.error()};

        const TokenUsage &usage = call.usage;
        if (i == 0)
            result.firstCallWriteTokens = usage.cacheCreationInputTokens;
        else
            result.laterReadTokens.append(usage.cacheReadInputTokens);

        const TokenUsage plain{usage.totalInputTokens(), usage.outputTokens, 0, 0, 0};
        result.costUsd += price->cost(usage);
        result.costWithoutCachingUsd += price->cost(plain);

        // The prefix is whatever the cache wrote or read; a 1-hour write is dearer.
        const qint64 write1h = usage.cacheCreation1hInputTokens;
        const qint64 write5m = usage.cacheCreationInputTokens - write1h;
        const qint64 prefix = usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
        result.prefixCostUsd +=
            (double(write5m) * price->cacheWrite5m + double(write1h) * price->cacheWrite1h
             + double(usage.cacheReadInputTokens) * price->cacheRead)
            / perMillion;
        result.prefixCostWithoutCachingUsd += double(prefix) * price->input / perMillion;

        const double tokens = double(prefix);
        theoryWith += tokens * (i == 0 ? price->cacheWrite5m : price->cacheRead) / perMillion;
        theoryWithout += tokens * price->input / perMillion;
    }
    result.savingPercent = savingOf(result.costWithoutCachingUsd, result.costUsd);
    result.prefixSavingPercent = savingOf(result.prefixCostWithoutCachingUsd, result.prefixCostUsd);
    result.theorySavingPercent = savingOf(theoryWithout, theoryWith);
    return result;
}

CacheReport::CacheReport(const CacheScenario &scenario)
    : m_scenario(scenario)
{}

Expected<QString> CacheReport::toMarkdown(const PriceBook &prices) const
{
    CacheScenario uniformScenario = m_scenario;
    uniformScenario.arrivals = ArrivalPattern::Uniform;
    CacheScenario poissonScenario = m_scenario;
    poissonScenario.arrivals = ArrivalPattern::Poisson;
    poissonScenario.intervalSeconds.reset();

    const Expected<CacheEconomics> uniform = CacheEconomics::compute(uniformScenario);
    if (!uniform)
        return Failure{uniform.error()};
    const Expected<CacheEconomics> poisson = CacheEconomics::compute(poissonScenario);
    if (!poisson)
        return Failure{poisson.error()};

    QString text = u"# Prompt caching: what it costs and what it saves\n\n"_s;
    if (!m_dateLine.isEmpty())
        text += m_dateLine + u"\n\n"_s;
    text +=
        u"Prices are USD per million tokens; only the cached prompt prefix is priced in Part A, "
        "since the rest of each call costs the same with or without caching.\n\n"_s;
    text += scenarioSection(m_scenario, *uniform);

    text += u"## Part A: the theory\n\n"_s;
    text += u"### The day at a glance\n\n"_s + glanceTable(*uniform, *poisson);
    text += workingList(u"Uniform arrivals"_s, *uniform);
    text += workingList(u"Poisson arrivals"_s, *poisson);
    text += breakEvenSection(m_scenario, *uniform, *poisson);
    text += warningsSection(*uniform, *poisson);

    text += u"## Part B: measured\n\n"_s;
    if (m_calls.isEmpty())
        return QString(text + howToMeasure());
    const Expected<CacheMeasurement> measured = CacheMeasurement::measure(m_calls, prices);
    if (!measured)
        return Failure{measured.error()};
    return QString(text + measuredSection(m_calls, *measured, *uniform, *poisson, prices));
}
