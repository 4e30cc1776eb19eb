#pragma once

#include "common/expected.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

// One model the simulator serves, as described in resources/models.json.
struct SimModel
{
    QString id;          // the canonical id, reported in answers and in /v1/models
    QStringList aliases; // other ids that resolve to it
    QString displayName;
    QDateTime createdAt;
    qint64 maxOutputTokens = 0;
    qint64 contextWindow = 0;
    qint64 minCacheableTokens = 0; // a cache prefix shorter than this is silently not cached
    bool allowsPrefill = true;     // false: a final assistant turn is a 400 (Claude 4.6 and later)
    double ttftMs = 0;             // median time to first token
    double tokensPerSecond = 0;    // median output speed
};

// The ids the simulator answers to. An id that is neither a canonical id nor an alias (a retired
// model, or an invented one such as claude-sonnet-4-5-20251001) is unknown, as on the real API.
class SimModelCatalogue
{
public:
    // The bundled catalogue (resources/models.json).
    static const SimModelCatalogue &builtIn();
    // `origin` names the input in error messages.
    static Expected<SimModelCatalogue> fromJson(const QByteArray &json, const QString &origin);

    const SimModel *find(QStringView id) const;
    // Newest first, as /v1/models lists them.
    const QList<SimModel> &models() const { return m_models; }

private:
    QList<SimModel> m_models;
};
