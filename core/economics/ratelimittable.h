#pragma once

#include "common/expected.h"

#include <QDate>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

// What one tier allows one model class per minute.
struct RateLimits
{
    double requestsPerMinute = 0;
    double inputTokensPerMinute = 0;
    double outputTokensPerMinute = 0;
};

// Models that draw on one shared set of limits, e.g. every Sonnet 4.x.
struct ModelClass
{
    QString id;           // "sonnet-4", the key of the class in every tier
    QString name;         // "Sonnet 4.x"
    QStringList modelIds; // ids and id prefixes that belong to the class
    // Whether cache reads count toward the input-token limit. For current models they do not;
    // the older Haiku 3.x models count them.
    bool cacheReadsCountAsInput = false;
};

struct RateLimitTier
{
    QString name;                      // "Tier 1"
    QHash<QString, RateLimits> limits; // by ModelClass::id; every class has an entry
};

// The API's rate-limit tiers: which model belongs to which class, and what each tier allows each
// class. Loaded from the bundled ratelimits.json or from a user's file of the same shape, which
// replaces the table whole (tiers only make sense together).
//
// A model id belongs to the class with the longest of its ids that is a prefix of the model id
// ending at a boundary ('-', '@' or the end), as prices resolve. A model no class claims is an
// error naming it, never an assumed class. Loading errors name the file and the field.
class RateLimitTable
{
public:
    static RateLimitTable builtIn();

    // `origin` names the input in error messages (usually its path).
    static Expected<RateLimitTable> fromJson(const QByteArray &json, const QString &origin);
    static Expected<RateLimitTable> fromFile(const QString &path);

    // The user's table at `path`, or the built-in one for an empty path.
    static Expected<RateLimitTable> load(const QString &path);

    Expected<ModelClass> classOf(QStringView modelId) const;

    const QList<ModelClass> &classes() const { return m_classes; }
    const QList<RateLimitTier> &tiers() const { return m_tiers; } // lowest first
    QDate asOf() const { return m_asOf; }
    QString source() const { return m_source; }
    QString origin() const { return m_origin; }

private:
    QList<ModelClass> m_classes;
    QList<RateLimitTier> m_tiers;
    QDate m_asOf;
    QString m_source;
    QString m_origin;
};
