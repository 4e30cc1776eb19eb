#include "appsettings.h"

#include <QDir>
#include <QSettings>
#include <QStandardPaths>

using namespace Qt::Literals::StringLiterals;

AppSettings AppSettings::load()
{
    const QSettings settings;
    const AppSettings defaults;
    AppSettings loaded;
    loaded.baseUrl = settings.value(u"api/baseUrl"_s).toString();
    loaded.version = settings.value(u"api/version"_s).toString() == "2026-10-21"_L1
                         ? ApiVersion::Version2026
                         : ApiVersion::Version2023;
    loaded.defaultModel = settings.value(u"calls/defaultModel"_s, defaults.defaultModel).toString();
    loaded.logPath = settings.value(u"calls/logPath"_s).toString();
    loaded.pricesPath = settings.value(u"calls/pricesPath"_s).toString();
    loaded.logPrompts = settings.value(u"calls/logPrompts"_s, defaults.logPrompts).toBool();
    loaded.maxAttempts = settings.value(u"retry/maxAttempts"_s, defaults.maxAttempts).toInt();
    loaded.baseDelaySeconds =
        settings.value(u"retry/baseDelaySeconds"_s, defaults.baseDelaySeconds).toDouble();
    loaded.maxDelaySeconds =
        settings.value(u"retry/maxDelaySeconds"_s, defaults.maxDelaySeconds).toDouble();
    loaded.timeoutSeconds =
        settings.value(u"retry/timeoutSeconds"_s, defaults.timeoutSeconds).toInt();
    return loaded;
}

void AppSettings::save() const
{
    QSettings settings;
    settings.setValue(u"api/baseUrl"_s, baseUrl);
    settings.setValue(u"api/version"_s, QString::fromLatin1(apiVersionHeader(version)));
    settings.setValue(u"calls/defaultModel"_s, defaultModel);
    settings.setValue(u"calls/logPath"_s, logPath);
    settings.setValue(u"calls/pricesPath"_s, pricesPath);
    settings.setValue(u"calls/logPrompts"_s, logPrompts);
    settings.setValue(u"retry/maxAttempts"_s, maxAttempts);
    settings.setValue(u"retry/baseDelaySeconds"_s, baseDelaySeconds);
    settings.setValue(u"retry/maxDelaySeconds"_s, maxDelaySeconds);
    settings.setValue(u"retry/timeoutSeconds"_s, timeoutSeconds);
}

QString AppSettings::effectiveLogPath() const
{
    return logPath.isEmpty() ? defaultLogPath() : logPath;
}

QString AppSettings::defaultLogPath()
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(folder);
    return QDir(folder).filePath(u"llm_calls.jsonl"_s);
}

SessionOptions AppSettings::sessionOptions(const QString &apiKey) const
{
    SessionOptions options;
    options.baseUrl = baseUrl;
    options.apiKey = apiKey;
    options.version = version;
    options.logPath = effectiveLogPath();
    options.pricesPath = pricesPath;
    options.logPrompts = logPrompts;
    options.retry.setMaxAttempts(maxAttempts);
    options.retry.setBaseDelayMs(qint64(baseDelaySeconds * 1000));
    options.retry.setMaxDelayMs(qint64(maxDelaySeconds * 1000));
    options.transferTimeoutMs = timeoutSeconds * 1000;
    return options;
}
