#pragma once

#include "common/expected.h"
#include "pricing/tokenusage.h"

#include <QDate>
#include <QList>
#include <QString>
#include <QStringList>

// What one model family costs, in USD per million tokens.
struct ModelPrice
{
    QString family;      // the canonical id, e.g. "claude-sonnet-4-5"
    QString displayName; // e.g. "Claude Sonnet 4.5"
    QStringList ids;     // ids and id prefixes that resolve to this family (default: family)
    double input = 0;
    double output = 0;
    double cacheWrite5m = 0;
    double cacheWrite1h = 0;
    double cacheRead = 0;
    bool retired = false; // the API no longer serves it; kept so that old logs still price
    QDate retiredOn;      // when it was retired, if known

    // USD for one call: every part of the usage at its own rate, divided by a million.
    double cost(const TokenUsage &usage) const;
};

// The price list: which model id costs what. Loaded from the bundled prices.json, optionally
// overridden or extended by a user's file of the same shape.
//
// A model id resolves to the family whose id is its longest prefix ending at a boundary (the
// end of the id, '-' or '@'), so an alias, a dated snapshot and a mistyped date all price as
// their family, while "claude-opus-4-10" does not price as "claude-opus-4-1". An id that
// resolves to nothing is an error naming it: a price is never silently zero.
class PriceBook
{
public:
    // The prices that ship with Opsbench (resources/prices.json).
    static PriceBook builtIn();

    // Parses a price file. `origin` names the input in error messages (usually its path).
    static Expected<PriceBook> fromJson(const QByteArray &json, const QString &origin);
    static Expected<PriceBook> fromFile(const QString &path);

    // The built-in prices with the families in `overridePath` replacing or adding to them;
    // an empty path gives the built-in prices alone.
    static Expected<PriceBook> load(const QString &overridePath);

    // Families in `other` replace families with the same id here; new ones are added.
    void overrideWith(const PriceBook &other);

    Expected<ModelPrice> lookup(QStringView modelId) const;
    Expected<double> cost(QStringView modelId, const TokenUsage &usage) const;

    const QList<ModelPrice> &models() const { return m_models; }
    QDate asOf() const { return m_asOf; }
    QString source() const { return m_source; }

private:
    QList<ModelPrice> m_models;
    QDate m_asOf;
    QString m_source;
};
