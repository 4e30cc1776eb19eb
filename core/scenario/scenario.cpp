#include "scenario.h"

#include "common/jsonfile.h"
#include "session/queryrun.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

const QString bundledFolder = u":/opsbench/scenarios"_s;
const QStringList knownPanels = {u"prompt"_s, u"router"_s,   u"caching"_s,
                                 u"log"_s,    u"capacity"_s, u"retry-lab"_s};

// Reads typed fields out of one JSON object, remembering the first problem with the field's
// dotted path, so a scenario is checked in one pass and the error names the field.
class FieldReader
{
public:
    FieldReader(const QJsonObject &object, QString path, QString *problem)
        : m_object(object)
        , m_path(std::move(path))
        , m_problem(problem)
    {}

    FieldReader child(const QString &key) const
    {
        const QJsonValue value = m_object.value(key);
        if (!value.isUndefined() && !value.isObject())
            report(key, u"must be an object"_s);
        return FieldReader(value.toObject(), name(key), m_problem);
    }

    bool has(const QString &key) const { return m_object.contains(key); }

    // Keys a reader does not know are mistakes in a hand-written file, not extensions.
    void rejectUnknown(const QStringList &known) const
    {
        for (const QString &key : m_object.keys()) {
            if (!known.contains(key))
                report(key, u"is not a known field"_s);
        }
    }

    QString text(const QString &key, bool required, const QString &fallback = {}) const
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined()) {
            if (required)
                report(key, u"is missing"_s);
            return fallback;
        }
        if (!value.isString() || value.toString().trimmed().isEmpty()) {
            report(key, u"must be a non-empty string"_s);
            return fallback;
        }
        return value.toString();
    }

    double number(const QString &key, double minimum, double maximum, double fallback) const
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined())
            return fallback;
        const double number = value.toDouble(std::nan(""));
        if (!value.isDouble() || !(number >= minimum && number <= maximum)) {
            report(key, u"must be a number from %1 to %2"_s.arg(minimum).arg(maximum));
            return fallback;
        }
        return number;
    }

    qint64 integer(const QString &key, qint64 minimum, qint64 maximum, qint64 fallback) const
    {
        const double value = number(key, double(minimum), double(maximum), double(fallback));
        if (value != std::floor(value)) {
            report(key, u"must be a whole number"_s);
            return fallback;
        }
        return qint64(value);
    }

    bool flag(const QString &key, bool fallback) const
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined())
            return fallback;
        if (!value.isBool())
            report(key, u"must be true or false"_s);
        return value.toBool(fallback);
    }

    QJsonValue value(const QString &key) const { return m_object.value(key); }

    void report(const QString &key, const QString &problem) const
    {
        if (m_problem->isEmpty())
            *m_problem = u"%1 %2"_s.arg(name(key), problem);
    }

private:
    QString name(const QString &key) const { return m_path.isEmpty() ? key : m_path + u'.' + key; }

    QJsonObject m_object;
    QString m_path;
    QString *m_problem;
};

SimFaults readFaults(const FieldReader &reader)
{
    reader.rejectUnknown({u"fail_first"_s, u"fail_status"_s, u"error_rate"_s, u"error_status"_s,
                          u"retry_after_seconds"_s, u"retry_after_ms"_s});
    SimFaults faults;
    faults.failFirst = int(reader.integer(u"fail_first"_s, 0, 1000, 0));
    faults.failStatus = int(reader.integer(u"fail_status"_s, 400, 599, 429));
    faults.errorRate = reader.number(u"error_rate"_s, 0, 1, 0);
    faults.errorStatus = int(reader.integer(u"error_status"_s, 400, 599, 529));
    faults.retryAfterSeconds = reader.number(u"retry_after_seconds"_s, 0, 3600, 0);
    faults.retryAfterMs = reader.flag(u"retry_after_ms"_s, false);
    return faults;
}

QStringList readQueries(const FieldReader &reader)
{
    const QJsonValue value = reader.value(u"queries"_s);
    if (value.isUndefined() || value == "builtin"_L1)
        return QueryRun::builtInQueries();
    QStringList queries;
    for (const QJsonValue &query : value.toArray()) {
        if (query.isString() && !query.toString().trimmed().isEmpty())
            queries.append(query.toString().trimmed());
        else
            reader.report(u"queries"_s, u"must hold only non-empty strings"_s);
    }
    if (queries.isEmpty())
        reader.report(u"queries"_s, u"must be \"builtin\" or a non-empty array of strings"_s);
    return queries;
}

CacheTtl readCaching(const FieldReader &reader)
{
    const QString caching = reader.text(u"caching"_s, false, u"off"_s);
    if (caching == "5m"_L1)
        return CacheTtl::FiveMinutes;
    if (caching == "1h"_L1)
        return CacheTtl::OneHour;
    if (caching != "off"_L1)
        reader.report(u"caching"_s, u"must be \"off\", \"5m\" or \"1h\""_s);
    return CacheTtl::None;
}

void readRun(const FieldReader &reader, Scenario &scenario)
{
    reader.rejectUnknown({u"queries"_s, u"system_prompt"_s, u"model"_s, u"caching"_s, u"rag"_s,
                          u"router"_s, u"compare_all_sonnet"_s, u"max_tokens"_s, u"feature"_s});
    scenario.queries = readQueries(reader);
    const QString prompt = reader.text(u"system_prompt"_s, false, u"builtin"_s);
    scenario.systemPrompt = prompt == "builtin"_L1 ? QueryRun::builtInSystemPrompt()
                            : prompt == "none"_L1  ? QString()
                                                   : prompt;
    scenario.model = reader.text(u"model"_s, false, scenario.model);
    scenario.cache = readCaching(reader);
    scenario.rag = reader.flag(u"rag"_s, false);
    scenario.router = reader.flag(u"router"_s, false);
    scenario.compareAllSonnet = reader.flag(u"compare_all_sonnet"_s, false);
    scenario.maxTokens = int(reader.integer(u"max_tokens"_s, 1, 128'000, scenario.maxTokens));
    scenario.feature = reader.text(u"feature"_s, false, scenario.feature);
    if (scenario.compareAllSonnet && !scenario.router)
        reader.report(u"compare_all_sonnet"_s, u"needs \"router\": true"_s);
}

} // namespace

Expected<Scenario> Scenario::fromJson(const QByteArray &json, const QString &origin)
{
    const Expected<QJsonObject> object =
        parseJsonObject(json, origin, u"a JSON object describing one scenario"_s);
    if (!object)
        return Failure{object.error()};

    QString problem;
    const FieldReader root(*object, QString(), &problem);
    root.rejectUnknown({u"name"_s, u"summary"_s, u"description"_s, u"panel"_s, u"seed"_s,
                        u"simulator"_s, u"retry"_s, u"run"_s, u"calculator"_s});
    Scenario scenario;
    scenario.id = QFileInfo(origin).completeBaseName();
    scenario.name = root.text(u"name"_s, true);
    scenario.summary = root.text(u"summary"_s, true);
    scenario.description = root.text(u"description"_s, true);
    scenario.panel = root.text(u"panel"_s, true);
    if (!scenario.panel.isEmpty() && !knownPanels.contains(scenario.panel))
        root.report(u"panel"_s, u"must be one of "_s + knownPanels.join(u", "_s));
    if (!root.has(u"seed"_s))
        root.report(u"seed"_s, u"is missing"_s);
    scenario.seed = quint64(root.integer(u"seed"_s, 0, qint64(1) << 53, 1));

    const FieldReader simulator = root.child(u"simulator"_s);
    simulator.rejectUnknown({u"faults"_s, u"faults_each_call"_s, u"cache_ttl_seconds"_s});
    scenario.faults = readFaults(simulator.child(u"faults"_s));
    scenario.faultsEachCall = simulator.flag(u"faults_each_call"_s, false);
    if (simulator.has(u"cache_ttl_seconds"_s))
        scenario.cacheTtlSeconds = int(simulator.integer(u"cache_ttl_seconds"_s, 1, 3600, 300));

    const FieldReader retry = root.child(u"retry"_s);
    retry.rejectUnknown({u"max_attempts"_s, u"base_delay_ms"_s, u"max_delay_ms"_s});
    scenario.maxAttempts = int(retry.integer(u"max_attempts"_s, 1, 20, scenario.maxAttempts));
    scenario.baseDelayMs = retry.integer(u"base_delay_ms"_s, 0, 600'000, scenario.baseDelayMs);
    scenario.maxDelayMs = retry.integer(u"max_delay_ms"_s, 0, 600'000, scenario.maxDelayMs);

    if (!root.has(u"run"_s))
        root.report(u"run"_s, u"is missing"_s);
    readRun(root.child(u"run"_s), scenario);

    if (root.has(u"calculator"_s)) {
        const FieldReader reader = root.child(u"calculator"_s);
        reader.rejectUnknown(
            {u"model"_s, u"calls_per_day"_s, u"cached_prompt_tokens"_s, u"ttl_seconds"_s});
        ScenarioCalculator calculator;
        calculator.model = reader.text(u"model"_s, true);
        calculator.callsPerDay = reader.number(u"calls_per_day"_s, 1, 1e9, 1000);
        calculator.cachedPromptTokens =
            reader.integer(u"cached_prompt_tokens"_s, 1, 10'000'000, 2000);
        calculator.ttlSeconds = reader.number(u"ttl_seconds"_s, 1, 86400, 300);
        scenario.calculator = calculator;
    }

    if (!problem.isEmpty())
        return fail(u"%1: %2"_s.arg(origin, problem));
    return scenario;
}

Expected<Scenario> Scenario::fromFile(const QString &path)
{
    const Expected<QByteArray> json = readDataFile(path, u"the scenario file"_s);
    if (!json)
        return Failure{json.error()};
    return fromJson(*json, path);
}

Expected<QList<Scenario>> Scenario::bundled()
{
    QList<Scenario> scenarios;
    const QDir folder(bundledFolder);
    const QStringList files = folder.entryList({u"*.json"_s}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        Expected<Scenario> scenario = fromFile(folder.filePath(file));
        if (!scenario)
            return Failure{scenario.error()};
        scenarios.append(std::move(scenario).value());
    }
    return scenarios;
}

Expected<Scenario> Scenario::findBundled(const QString &idOrName)
{
    const Expected<QList<Scenario>> all = bundled();
    if (!all)
        return Failure{all.error()};
    QStringList ids;
    for (const Scenario &scenario : *all) {
        if (scenario.id.compare(idOrName, Qt::CaseInsensitive) == 0
            || scenario.name.compare(idOrName, Qt::CaseInsensitive) == 0)
            return scenario;
        ids.append(scenario.id);
    }
    return fail(u"no scenario \"%1\"; the scenarios are: %2"_s.arg(idOrName, ids.join(u", "_s)));
}
