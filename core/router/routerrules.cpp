#include "routerrules.h"

#include "common/jsonfile.h"
#include "common/logging.h"
#include "router/keywordmatcher.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr auto modelsKey = "models"_L1;
constexpr auto thresholdKey = "word_threshold"_L1;
constexpr auto keywordsKey = "code_keywords"_L1;
constexpr auto phrasesKey = "high_stakes_phrases"_L1;
constexpr auto guardKey = "cost_guard_usd"_L1;
constexpr auto maxTokensKey = "default_max_tokens"_L1;

// The readers below fill one field of the rules from the file's root object, or say which key
// of which file is wrong.

Expected<void> readModels(const QJsonObject &root, const QString &origin, RouterRules &rules)
{
    const QJsonValue models = root.value(modelsKey);
    if (!models.isObject()) {
        return fail(u"%1: \"%2\" must be an object naming the haiku, sonnet and opus models"_s.arg(
            origin, modelsKey));
    }
    for (RouteTier tier : allRouteTiers) {
        const QJsonValue model = models.toObject().value(routeTierName(tier));
        if (!model.isString()) {
            return fail(
                u"%1: \"%2.%3\" must be a model id"_s.arg(origin, modelsKey, routeTierName(tier)));
        }
        rules.setModel(tier, model.toString());
    }
    return {};
}

Expected<void> readWholeNumber(const QJsonObject &root, QLatin1StringView key,
                               const QString &origin, int &target)
{
    const QJsonValue value = root.value(key);
    const double number = value.toDouble(std::nan(""));
    if (!value.isDouble() || number != std::floor(number)
        || std::abs(number) > std::numeric_limits<int>::max()) {
        return fail(u"%1: \"%2\" must be a whole number"_s.arg(origin, key));
    }
    target = int(number);
    return {};
}

Expected<void> readUsd(const QJsonObject &root, QLatin1StringView key, const QString &origin,
                       double &target)
{
    const QJsonValue value = root.value(key);
    if (!value.isDouble())
        return fail(u"%1: \"%2\" must be a number of USD"_s.arg(origin, key));
    target = value.toDouble();
    return {};
}

Expected<void> readStrings(const QJsonObject &root, QLatin1StringView key, const QString &origin,
                           QStringList &target)
{
    const QJsonValue value = root.value(key);
    if (!value.isArray())
        return fail(u"%1: \"%2\" must be an array of strings"_s.arg(origin, key));
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isString())
            return fail(u"%1: \"%2\"[%3] must be a string"_s.arg(origin, key).arg(i));
        target.append(array.at(i).toString());
    }
    return {};
}

Expected<void> checkNoneBlank(const QStringList &strings, QLatin1StringView key,
                              const QString &origin)
{
    for (qsizetype i = 0; i < strings.size(); ++i) {
        if (strings.at(i).trimmed().isEmpty())
            return fail(u"%1: \"%2\"[%3] must not be empty"_s.arg(origin, key).arg(i));
    }
    return {};
}

} // namespace

RouterRules RouterRules::builtIn()
{
    static const RouterRules bundled =
        loadBundled(fromFile(u":/opsbench/router.json"_s), lcRouter(), "router.json");
    return bundled;
}

Expected<RouterRules> RouterRules::fromJson(const QByteArray &json, const QString &origin)
{
    const Expected<QJsonObject> parsed =
        parseJsonObject(json, origin, u"a JSON object of router rules"_s);
    if (!parsed)
        return Failure{parsed.error()};
    const QJsonObject &root = *parsed;

    RouterRules rules;
    rules.origin = origin;
    // Braced initialisers run in order, so the first failure reported is the first field.
    const Expected<void> fields[] = {
        readModels(root, origin, rules),
        readWholeNumber(root, thresholdKey, origin, rules.wordThreshold),
        readStrings(root, keywordsKey, origin, rules.codeKeywords),
        readStrings(root, phrasesKey, origin, rules.highStakesPhrases),
        readUsd(root, guardKey, origin, rules.costGuardUsd),
        readWholeNumber(root, maxTokensKey, origin, rules.defaultMaxTokens),
    };
    for (const Expected<void> &field : fields) {
        if (!field)
            return Failure{field.error()};
    }

    const Expected<void> valid = rules.validate();
    if (!valid)
        return Failure{valid.error()};
    return rules;
}

Expected<RouterRules> RouterRules::fromFile(const QString &path)
{
    const Expected<QByteArray> bytes = readDataFile(path, u"the router rules"_s);
    if (!bytes)
        return Failure{bytes.error()};
    return fromJson(*bytes, path);
}

Expected<RouterRules> RouterRules::load(const QString &overridePath)
{
    if (overridePath.isEmpty())
        return builtIn();
    return fromFile(overridePath);
}

QByteArray RouterRules::toJson() const
{
    QJsonObject models;
    for (RouteTier tier : allRouteTiers)
        models.insert(routeTierName(tier), model(tier));

    QJsonObject root;
    root.insert(modelsKey, models);
    root.insert(thresholdKey, wordThreshold);
    root.insert(keywordsKey, QJsonArray::fromStringList(codeKeywords));
    root.insert(phrasesKey, QJsonArray::fromStringList(highStakesPhrases));
    root.insert(guardKey, costGuardUsd);
    root.insert(maxTokensKey, defaultMaxTokens);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Expected<void> RouterRules::validate() const
{
    const QString where = origin.isEmpty() ? u"router rules"_s : origin;
    for (RouteTier tier : allRouteTiers) {
        if (model(tier).trimmed().isEmpty()) {
            return fail(
                u"%1: \"%2.%3\" must not be empty"_s.arg(where, modelsKey, routeTierName(tier)));
        }
    }
    if (wordThreshold < 1)
        return fail(
            u"%1: \"%2\" must be at least 1, not %3"_s.arg(where, thresholdKey).arg(wordThreshold));
    if (defaultMaxTokens < 1)
        return fail(u"%1: \"%2\" must be at least 1, not %3"_s.arg(where, maxTokensKey)
                        .arg(defaultMaxTokens));
    if (!std::isfinite(costGuardUsd) || costGuardUsd < 0)
        return fail(u"%1: \"%2\" must not be negative"_s.arg(where, guardKey));

    const Expected<void> keywords = checkNoneBlank(codeKeywords, keywordsKey, where);
    if (!keywords)
        return keywords;
    for (qsizetype i = 0; i < codeKeywords.size(); ++i) {
        // Keywords match whole words, so one made only of punctuation could never match.
        if (KeywordMatcher::wordsOf(codeKeywords.at(i)).isEmpty()) {
            return fail(u"%1: \"%2\"[%3] must contain a letter or a digit"_s.arg(where, keywordsKey)
                            .arg(i));
        }
    }
    return checkNoneBlank(highStakesPhrases, phrasesKey, where);
}

QString RouterRules::model(RouteTier tier) const
{
    switch (tier) {
    case RouteTier::Haiku:
        return haikuModel;
    case RouteTier::Sonnet:
        return sonnetModel;
    case RouteTier::Opus:
        return opusModel;
    }
    return QString();
}

void RouterRules::setModel(RouteTier tier, const QString &model)
{
    switch (tier) {
    case RouteTier::Haiku:
        haikuModel = model;
        break;
    case RouteTier::Sonnet:
        sonnetModel = model;
        break;
    case RouteTier::Opus:
        opusModel = model;
        break;
    }
}

bool operator==(const RouterRules &a, const RouterRules &b)
{
    return a.haikuModel == b.haikuModel && a.sonnetModel == b.sonnetModel
           && a.opusModel == b.opusModel && a.wordThreshold == b.wordThreshold
           && a.codeKeywords == b.codeKeywords && a.highStakesPhrases == b.highStakesPhrases
           && a.costGuardUsd == b.costGuardUsd && a.defaultMaxTokens == b.defaultMaxTokens;
}
