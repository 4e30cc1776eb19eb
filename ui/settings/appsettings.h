#pragma once

#include "session/callsession.h"

#include <QString>

// What the user can set in the Settings dialog, kept in QSettings. The API key is not here: it
// lives in the system keychain (ApiKeyStore) and never in a settings file.
struct AppSettings
{
    QString baseUrl; // empty: automatic (ANTHROPIC_BASE_URL, the API with a key, else simulator)
    ApiVersion version = ApiVersion::Version2023;
    QString defaultModel = QStringLiteral("claude-haiku-4-5-20251001");
    QString logPath; // empty: llm_calls.jsonl in the application's data folder
    QString pricesPath;
    bool logPrompts = false; // also write prompts and answers into the log; off unless chosen
    int maxAttempts = 5;
    double baseDelaySeconds = 1.0;
    double maxDelaySeconds = 60.0;
    int timeoutSeconds = 600;

    static AppSettings load();
    void save() const;

    // The log path in use: the chosen one, or the default in the application's data folder.
    QString effectiveLogPath() const;
    static QString defaultLogPath();

    // The session options these settings give, with `apiKey` from the keychain or the user.
    SessionOptions sessionOptions(const QString &apiKey) const;
};
