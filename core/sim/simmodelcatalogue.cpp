#include "simmodelcatalogue.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace {

Expected<SimModel> readModel(const QJsonObject &entry, const QString &where)
{
    SimModel model;
    model.id = entry.value("id"_L1).toString();
    if (model.id.isEmpty())
        return fail(u"%1: \"id\" must be a non-empty model id"_s.arg(where));
    const QString named = u"%1 (%2)"_s.arg(where, model.id);

    const QJsonArray aliases = entry.value("aliases"_L1).toArray();
    for (const QJsonValue &alias : aliases)
        model.aliases.append(alias.toString());
    model.displayName = entry.value("display_name"_L1).toString(model.id);
    model.createdAt = QDateTime::fromString(entry.value("created_at"_L1).toString(), Qt::ISODate);
    if (!model.createdAt.isValid())
        return fail(u"%1: \"created_at\" must be an ISO 8601 time"_s.arg(named));
    model.maxOutputTokens = entry.value("max_output_tokens"_L1).toInteger();
    model.contextWindow = entry.value("context_window"_L1).toInteger();
    model.minCacheableTokens = entry.value("min_cacheable_tokens"_L1).toInteger();
    model.allowsPrefill = entry.value("allows_prefill"_L1).toBool(true);
    const QJsonObject latency = entry.value("latency"_L1).toObject();
    model.ttftMs = latency.value("ttft_ms"_L1).toDouble();
    model.tokensPerSecond = latency.value("tokens_per_second"_L1).toDouble();
    if (model.maxOutputTokens <= 0 || model.contextWindow <= 0 || model.minCacheableTokens <= 0
        || model.ttftMs <= 0 || model.tokensPerSecond <= 0) {
        return fail(
            u"%1: token limits and the latency profile must be positive numbers"_s.arg(named));
    }
    return model;
}

} // namespace

const SimModelCatalogue &SimModelCatalogue::builtIn()
{
    static const SimModelCatalogue catalogue = [] {
        QFile file(u":/opsbench/models.json"_s);
        if (!file.open(QIODevice::ReadOnly))
            qFatal("the bundled models.json is missing from the resources");
        Expected<SimModelCatalogue> loaded = fromJson(file.readAll(), u"models.json"_s);
        if (!loaded)
            qFatal("%s", qPrintable(loaded.error()));
        return std::move(loaded).value();
    }();
    return catalogue;
}

Expected<SimModelCatalogue> SimModelCatalogue::fromJson(const QByteArray &json,
                                                        const QString &origin)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return fail(u"%1: %2 at offset %3"_s.arg(origin, error.errorString()).arg(error.offset));
    const QJsonArray entries = document.object().value("models"_L1).toArray();
    if (entries.isEmpty())
        return fail(u"%1: \"models\" must be a non-empty array"_s.arg(origin));

    SimModelCatalogue catalogue;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        Expected<SimModel> model =
            readModel(entries.at(i).toObject(), u"%1: models[%2]"_s.arg(origin).arg(i));
        if (!model)
            return fail(model.error());
        catalogue.m_models.append(std::move(model).value());
    }
    std::stable_sort(
        catalogue.m_models.begin(), catalogue.m_models.end(),
        [](const SimModel &a, const SimModel &b) { return a.createdAt > b.createdAt; });
    return catalogue;
}

const SimModel *SimModelCatalogue::find(QStringView id) const
{
    for (const SimModel &model : m_models) {
        if (model.id == id || model.aliases.contains(id))
            return &model;
    }
    return nullptr;
}
