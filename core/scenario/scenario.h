#pragma once

#include "client/messagerequest.h"
#include "common/expected.h"
#include "sim/simfaults.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// The Caching panel's calculator inputs a scenario fills in. Prices come from the model's entry
// in the price book, so a scenario never repeats a price.
struct ScenarioCalculator
{
    QString model;
    double callsPerDay = 0;
    qint64 cachedPromptTokens = 0;
    double ttlSeconds = 300;
};

// A named, seeded classroom setup: what the simulator does (seed, faults, cache lifetime), how
// the calls are sent (queries, prompt, caching, retrieval, router, retry policy) and which panel
// shows the outcome. Scenarios are data: resources/scenarios/<id>.json, compiled in and read at
// ":/opsbench/scenarios/". Loading validates every field and fails with a message naming the
// file and the field; a valid scenario always runs the same way (see ScenarioRunner).
struct Scenario
{
    QString id;          // the file's base name: "caching-pays-off"
    QString name;        // "Caching pays off"
    QString summary;     // one line, for menus
    QString description; // a paragraph: what the class will see
    QString panel;       // the window's panel id to land on: "caching", "router", "retry-lab"

    quint64 seed = 1;
    SimFaults faults;
    // Re-arm `faults` before every call, so each call meets its own failFirst failures.
    bool faultsEachCall = false;
    std::optional<int> cacheTtlSeconds; // replaces the simulator's TTLs when set

    int maxAttempts = 5;
    qint64 baseDelayMs = 1000;
    qint64 maxDelayMs = 60000;

    QStringList queries;
    QString systemPrompt;
    QString model = QStringLiteral("claude-haiku-4-5-20251001");
    CacheTtl cache = CacheTtl::None;
    bool rag = false;
    bool router = false;
    // Price every routed call's tokens at the router's Sonnet tier too, for comparison.
    bool compareAllSonnet = false;
    int maxTokens = 400;
    QString feature = QStringLiteral("scenario");

    std::optional<ScenarioCalculator> calculator;

    // Parses one scenario; `origin` (a path) names it in errors, and its base name is the id.
    static Expected<Scenario> fromJson(const QByteArray &json, const QString &origin);
    static Expected<Scenario> fromFile(const QString &path);
    // Every bundled scenario, in menu order (by file name); fails on the first invalid one.
    static Expected<QList<Scenario>> bundled();
    // The bundled scenario whose id or name is `idOrName` (case-insensitive).
    static Expected<Scenario> findBundled(const QString &idOrName);
};
