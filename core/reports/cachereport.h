#pragma once

#include "common/expected.h"
#include "economics/cacheeconomics.h"
#include "reports/measuredcall.h"

#include <QList>
#include <QString>

class PriceBook;

// What a run of logged calls measured about prompt caching: the first call's write, the reads
// that followed, and the same calls priced as if nothing had been cached.
struct CacheMeasurement
{
    int calls = 0;
    qint64 firstCallWriteTokens = 0;  // cache_creation_input_tokens of the first call
    QList<qint64> laterReadTokens;    // cache_read_input_tokens of every later call
    double costUsd = 0;               // the calls as they were priced
    double costWithoutCachingUsd = 0; // cache reads and writes priced as plain input
    double savingPercent = 0;         // 0 when nothing was spent
    // The cached prefix alone (the tokens written or read), comparable with the theory.
    double prefixCostUsd = 0;
    double prefixCostWithoutCachingUsd = 0;
    double prefixSavingPercent = 0;
    // The theory for these calls: the first writes the prefix, every later one reads it.
    double theorySavingPercent = 0;

    // Prices every call with `prices`; fails, naming the model id, when one has no price.
    static Expected<CacheMeasurement> measure(const QList<MeasuredCall> &calls,
                                              const PriceBook &prices);
};

// The prompt-caching working as a markdown document (exercise_03_solution.md): the scenario,
// Part A (the theory under uniform and Poisson arrivals side by side, the break-even and the
// warnings) and Part B (what a run of logged calls measured, beside the theory). The same
// inputs always give the same bytes: nothing is read from the clock.
class CacheReport
{
public:
    // `scenario` gives Part A; its Poisson column is the same scenario with random arrivals.
    explicit CacheReport(const CacheScenario &scenario);

    // The calls Part B measures, in order; without them Part B says how to produce some.
    void setMeasuredCalls(const QList<MeasuredCall> &calls) { m_calls = calls; }
    // A line under the title, e.g. "Prepared 2026-01-15"; none when empty.
    void setDateLine(const QString &line) { m_dateLine = line; }

    // Fails when the scenario is invalid (naming the input) or a measured call's model has no
    // price in `prices`.
    Expected<QString> toMarkdown(const PriceBook &prices) const;

    static QString defaultFileName() { return QStringLiteral("exercise_03_solution.md"); }

private:
    CacheScenario m_scenario;
    QList<MeasuredCall> m_calls;
    QString m_dateLine;
};
