#include "pricebook.h"

#include "common/jsonfile.h"
#include "common/logging.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr double perMillion = 1e6;

// A prefix matches only up to a boundary, so that "claude-opus-4-1" prices
// "claude-opus-4-1-20250805" and "claude-opus-4-1@20250805" but not "claude-opus-4-10".
bool isPrefixAtBoundary(QStringView prefix, QStringView modelId)
{
    if (!modelId.startsWith(prefix))
        return false;
    if (modelId.size() == prefix.size())
        return true;
    const QChar next = modelId.at(prefix.size());
    return next == u'-' || next == u'@';
}

Expected<double> readPrice(const QJsonObject &entry, QLatin1StringView key, const QString &where)
{
    const QJsonValue value = entry.value(key);
    if (!value.isDouble())
        return fail(u"%1: \"%2\" must be a number of USD per million tokens"_s.arg(where, key));
    const double price = value.toDouble();
    if (!std::isfinite(price) || price < 0)
        return fail(u"%1: \"%2\" must not be negative"_s.arg(where, key));
    return price;
}

Expected<ModelPrice> readModel(const QJsonValue &value, const QString &where)
{
    if (!value.isObject())
        return fail(u"%1: must be an object"_s.arg(where));
    const QJsonObject entry = value.toObject();

    ModelPrice price;
    price.family = entry.value("family"_L1).toString();
    if (price.family.isEmpty())
        return fail(u"%1: \"family\" must be a non-empty model id"_s.arg(where));
    const QString named = u"%1 (%2)"_s.arg(where, price.family);
    price.displayName = entry.value("name"_L1).toString(price.family);

    const QJsonArray ids = entry.value("ids"_L1).toArray();
    for (const QJsonValue &id : ids) {
        if (!id.isString() || id.toString().isEmpty())
            return fail(u"%1: \"ids\" must hold non-empty strings"_s.arg(named));
        price.ids.append(id.toString());
    }
    // A family that lists its ids resolves only those: "claude-opus-4" must not swallow a
    // future "claude-opus-4-9" by prefix.
    if (price.ids.isEmpty())
        price.ids.append(price.family);

    struct Field
    {
        QLatin1StringView key;
        double ModelPrice::*member;
    };
    static constexpr Field fields[] = {
        {"input"_L1, &ModelPrice::input},
        {"output"_L1, &ModelPrice::output},
        {"cache_read"_L1, &ModelPrice::cacheRead},
        {"cache_write_5m"_L1, &ModelPrice::cacheWrite5m},
        {"cache_write_1h"_L1, &ModelPrice::cacheWrite1h},
    };
    for (const Field &field : fields) {
        // The two write prices follow the API's multipliers when a file leaves them out.
        if (field.member == &ModelPrice::cacheWrite5m && !entry.contains(field.key)) {
            price.cacheWrite5m = price.input * 1.25;
            continue;
        }
        if (field.member == &ModelPrice::cacheWrite1h && !entry.contains(field.key)) {
            price.cacheWrite1h = price.input * 2;
            continue;
        }
        const Expected<double> read = readPrice(entry, field.key, named);
        if (!read)
            return Failure{read.error()};
        price.*field.member = *read;
    }
    // A write price derived from a huge input price overflows to infinity, and an infinite rate
    // makes the cost of every call NaN (zero tokens times infinity).
    if (!std::isfinite(price.cacheWrite5m) || !std::isfinite(price.cacheWrite1h))
        return fail(
            u"%1: \"input\" is too large to derive the cache write prices from"_s.arg(named));

    const QString status = entry.value("status"_L1).toString(u"active"_s);
    if (status != "active"_L1 && status != "retired"_L1)
        return fail(
            u"%1: \"status\" must be \"active\" or \"retired\", not \"%2\""_s.arg(named, status));
    price.retired = status == "retired"_L1;
    if (entry.contains("retired_on"_L1)) {
        price.retiredOn = QDate::fromString(entry.value("retired_on"_L1).toString(), Qt::ISODate);
        if (!price.retiredOn.isValid())
            return fail(u"%1: \"retired_on\" must be a date like 2026-11-30"_s.arg(named));
    }
    return price;
}

} // namespace

double ModelPrice::cost(const TokenUsage &usage) const
{
    const qint64 written5m = usage.cacheCreationInputTokens - usage.cacheCreation1hInputTokens;
    const double dollarsPerMillion =
        double(usage.inputTokens) * input + double(usage.outputTokens) * output
        + double(usage.cacheReadInputTokens) * cacheRead + double(written5m) * cacheWrite5m
        + double(usage.cacheCreation1hInputTokens) * cacheWrite1h;
    return dollarsPerMillion / perMillion;
}

PriceBook PriceBook::builtIn()
{
    static const PriceBook bundled =
        loadBundled(fromFile(u":/opsbench/prices.json"_s), lcPricing(), "prices.json");
    return bundled;
}

Expected<PriceBook> PriceBook::fromJson(const QByteArray &json, const QString &origin)
{
    const Expected<QJsonObject> parsed =
        parseJsonObject(json, origin, u"a JSON object with a \"models\" array"_s);
    if (!parsed)
        return Failure{parsed.error()};
    const QJsonObject &root = *parsed;

    const QJsonValue models = root.value("models"_L1);
    if (!models.isArray())
        return fail(u"%1: \"models\" must be an array of model prices"_s.arg(origin));

    PriceBook book;
    book.m_source = root.value("source"_L1).toString();
    if (root.contains("as_of"_L1)) {
        book.m_asOf = QDate::fromString(root.value("as_of"_L1).toString(), Qt::ISODate);
        if (!book.m_asOf.isValid())
            return fail(u"%1: \"as_of\" must be a date like 2026-12-01"_s.arg(origin));
    }

    const QJsonArray entries = models.toArray();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QString where = u"%1: models[%2]"_s.arg(origin).arg(i);
        Expected<ModelPrice> price = readModel(entries.at(i), where);
        if (!price)
            return Failure{price.error()};
        for (const ModelPrice &earlier : std::as_const(book.m_models)) {
            for (const QString &id : std::as_const(price->ids)) {
                if (earlier.ids.contains(id))
                    return fail(
                        u"%1: id \"%2\" is already listed for %3"_s.arg(where, id, earlier.family));
            }
        }
        book.m_models.append(std::move(price).value());
    }
    return book;
}

Expected<PriceBook> PriceBook::fromFile(const QString &path)
{
    const Expected<QByteArray> bytes = readDataFile(path, u"the price file"_s);
    if (!bytes)
        return Failure{bytes.error()};
    return fromJson(*bytes, path);
}

Expected<PriceBook> PriceBook::load(const QString &overridePath)
{
    PriceBook book = builtIn();
    if (overridePath.isEmpty())
        return book;
    const Expected<PriceBook> overrides = fromFile(overridePath);
    if (!overrides)
        return Failure{overrides.error()};
    book.overrideWith(*overrides);
    return book;
}

void PriceBook::overrideWith(const PriceBook &other)
{
    for (const ModelPrice &replacement : other.m_models) {
        // Ids claimed by the replacement leave the families that had them, so that a user
        // file can move an id to a new family without a clash.
        for (ModelPrice &existing : m_models) {
            if (existing.family == replacement.family)
                continue;
            for (const QString &id : replacement.ids)
                existing.ids.removeAll(id);
        }
        auto same = std::find_if(m_models.begin(), m_models.end(), [&](const ModelPrice &p) {
            return p.family == replacement.family;
        });
        if (same != m_models.end())
            *same = replacement;
        else
            m_models.append(replacement);
        qCDebug(lcPricing) << "price override for" << replacement.family;
    }
    if (!other.m_source.isEmpty())
        m_source =
            m_source.isEmpty() ? other.m_source : m_source + u"; overrides: "_s + other.m_source;
    if (other.m_asOf.isValid())
        m_asOf = std::max(m_asOf, other.m_asOf);
}

Expected<ModelPrice> PriceBook::lookup(QStringView modelId) const
{
    const ModelPrice *best = nullptr;
    qsizetype bestLength = -1;
    for (const ModelPrice &price : m_models) {
        for (const QString &id : price.ids) {
            if (id.size() > bestLength && isPrefixAtBoundary(id, modelId)) {
                best = &price;
                bestLength = id.size();
            }
        }
    }
    if (!best)
        return fail(u"unknown model \"%1\": it is not in the price list"_s.arg(modelId));
    return *best;
}

Expected<double> PriceBook::cost(QStringView modelId, const TokenUsage &usage) const
{
    const Expected<ModelPrice> price = lookup(modelId);
    if (!price)
        return Failure{price.error()};
    return price->cost(usage);
}
