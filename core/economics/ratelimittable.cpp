#include "ratelimittable.h"

#include "common/jsonfile.h"
#include "common/logging.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

// As prices resolve: "claude-sonnet-4" claims "claude-sonnet-4-6" and "claude-sonnet-4@2025"
// but not "claude-sonnet-40".
bool belongsTo(QStringView idPrefix, QStringView modelId)
{
    if (!modelId.startsWith(idPrefix))
        return false;
    const QStringView rest = modelId.sliced(idPrefix.size());
    return rest.isEmpty() || rest.front() == u'-' || rest.front() == u'@';
}

Expected<ModelClass> readClass(const QJsonValue &value, const QString &where)
{
    const QJsonObject entry = value.toObject();
    ModelClass modelClass;
    modelClass.id = entry.value("class"_L1).toString();
    if (modelClass.id.isEmpty())
        return fail(u"%1: \"class\" must be a non-empty name"_s.arg(where));
    modelClass.name = entry.value("name"_L1).toString(modelClass.id);

    const QJsonArray ids = entry.value("ids"_L1).toArray();
    for (const QJsonValue &id : ids) {
        if (!id.toString().isEmpty())
            modelClass.modelIds.append(id.toString());
    }
    if (modelClass.modelIds.isEmpty() || modelClass.modelIds.size() != ids.size()) {
        return fail(u"%1 (%2): \"ids\" must be a list of model ids or id prefixes"_s.arg(
            where, modelClass.id));
    }

    const QJsonValue counts = entry.value("cache_reads_count_as_input"_L1);
    if (!counts.isUndefined() && !counts.isBool()) {
        return fail(u"%1 (%2): \"cache_reads_count_as_input\" must be true or false"_s.arg(
            where, modelClass.id));
    }
    modelClass.cacheReadsCountAsInput = counts.toBool(false);
    return modelClass;
}

Expected<RateLimits> readLimits(const QJsonObject &entry, const QString &where)
{
    struct Field
    {
        QLatin1StringView key;
        double RateLimits::*member;
    };
    static constexpr Field fields[] = {
        {"rpm"_L1, &RateLimits::requestsPerMinute},
        {"input_tpm"_L1, &RateLimits::inputTokensPerMinute},
        {"output_tpm"_L1, &RateLimits::outputTokensPerMinute},
    };
    RateLimits limits;
    for (const Field &field : fields) {
        const double value = entry.value(field.key).toDouble(-1);
        if (!std::isfinite(value) || value <= 0)
            return fail(u"%1: \"%2\" must be a number above 0"_s.arg(where, field.key));
        limits.*field.member = value;
    }
    return limits;
}

Expected<RateLimitTier> readTier(const QJsonValue &value, const QString &where,
                                 const QList<ModelClass> &classes)
{
    const QJsonObject entry = value.toObject();
    RateLimitTier tier;
    tier.name = entry.value("tier"_L1).toString();
    if (tier.name.isEmpty())
        return fail(u"%1: \"tier\" must be a non-empty name"_s.arg(where));
    const QString named = u"%1 (%2)"_s.arg(where, tier.name);

    const QJsonObject limits = entry.value("limits"_L1).toObject();
    for (auto it = limits.begin(); it != limits.end(); ++it) {
        const bool known = std::any_of(classes.begin(), classes.end(),
                                       [&](const ModelClass &c) { return c.id == it.key(); });
        if (!known) {
            return fail(u"%1: \"limits\" names class \"%2\", which \"classes\" does not list"_s.arg(
                named, it.key()));
        }
    }
    // Every class needs its limits in every tier, or a plan could not tell whether it fits.
    for (const ModelClass &modelClass : classes) {
        if (!limits.value(modelClass.id).isObject()) {
            return fail(
                u"%1: \"limits\" has no object for class \"%2\""_s.arg(named, modelClass.id));
        }
        const Expected<RateLimits> read = readLimits(limits.value(modelClass.id).toObject(),
                                                     u"%1: limits.%2"_s.arg(named, modelClass.id));
        if (!read)
            return Failure{read.error()};
        tier.limits.insert(modelClass.id, *read);
    }
    return tier;
}

} // namespace

RateLimitTable RateLimitTable::builtIn()
{
    static const RateLimitTable bundled = [] {
        RateLimitTable table = loadBundled(fromFile(u":/opsbench/ratelimits.json"_s), lcEconomics(),
                                           "ratelimits.json");
        table.m_origin = u"ratelimits.json (built in)"_s;
        return table;
    }();
    return bundled;
}

Expected<RateLimitTable> RateLimitTable::fromJson(const QByteArray &json, const QString &origin)
{
    const Expected<QJsonObject> parsed =
        parseJsonObject(json, origin, u"a JSON object of rate-limit tiers"_s);
    if (!parsed)
        return Failure{parsed.error()};
    const QJsonObject &root = *parsed;

    RateLimitTable table;
    table.m_origin = origin;
    table.m_source = root.value("source"_L1).toString();
    table.m_asOf = QDate::fromString(root.value("as_of"_L1).toString(), Qt::ISODate);
    if (root.contains("as_of"_L1) && !table.m_asOf.isValid())
        return fail(u"%1: \"as_of\" must be a date like 2025-12-01"_s.arg(origin));

    const QJsonArray classes = root.value("classes"_L1).toArray();
    if (classes.isEmpty())
        return fail(u"%1: \"classes\" must be a non-empty array of model classes"_s.arg(origin));
    for (qsizetype i = 0; i < classes.size(); ++i) {
        const QString where = u"%1: classes[%2]"_s.arg(origin).arg(i);
        Expected<ModelClass> modelClass = readClass(classes.at(i), where);
        if (!modelClass)
            return Failure{modelClass.error()};
        for (const ModelClass &earlier : std::as_const(table.m_classes)) {
            if (earlier.id == modelClass->id)
                return fail(u"%1: class \"%2\" is listed twice"_s.arg(where, earlier.id));
        }
        table.m_classes.append(std::move(modelClass).value());
    }

    const QJsonArray tiers = root.value("tiers"_L1).toArray();
    if (tiers.isEmpty())
        return fail(u"%1: \"tiers\" must be a non-empty array, lowest tier first"_s.arg(origin));
    for (qsizetype i = 0; i < tiers.size(); ++i) {
        const QString where = u"%1: tiers[%2]"_s.arg(origin).arg(i);
        Expected<RateLimitTier> tier = readTier(tiers.at(i), where, table.m_classes);
        if (!tier)
            return Failure{tier.error()};
        table.m_tiers.append(std::move(tier).value());
    }
    return table;
}

Expected<RateLimitTable> RateLimitTable::fromFile(const QString &path)
{
    const Expected<QByteArray> bytes = readDataFile(path, u"the rate-limit file"_s);
    if (!bytes)
        return Failure{bytes.error()};
    return fromJson(*bytes, path);
}

Expected<RateLimitTable> RateLimitTable::load(const QString &path)
{
    if (path.isEmpty())
        return builtIn();
    qCDebug(lcEconomics) << "rate limits from" << path;
    return fromFile(path);
}

Expected<ModelClass> RateLimitTable::classOf(QStringView modelId) const
{
    const ModelClass *best = nullptr;
    qsizetype bestLength = -1;
    for (const ModelClass &modelClass : m_classes) {
        for (const QString &id : modelClass.modelIds) {
            if (id.size() > bestLength && belongsTo(id, modelId)) {
                best = &modelClass;
                bestLength = id.size();
            }
        }
    }
    if (!best) {
        return fail(
            u"unknown model \"%1\": %2 has no rate-limit class for it"_s.arg(modelId, m_origin));
    }
    return *best;
}
