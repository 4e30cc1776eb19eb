#pragma once

#include "session/callsession.h"

#include <QStandardPaths>
#include <QTemporaryDir>

// Starts `session` on the in-process simulator with instant answers, logging into `dir`, the
// way every panel test needs it: no key, no network, nothing outside the temporary folder.
inline Expected<void> startSimulatorSession(CallSession &session, const QTemporaryDir &dir)
{
    QStandardPaths::setTestModeEnabled(true);
    qunsetenv("ANTHROPIC_API_KEY");
    qunsetenv("ANTHROPIC_BASE_URL");
    SessionOptions options;
    options.logPath = dir.filePath(QStringLiteral("llm_calls.jsonl"));
    options.forceSimulator = true;
    options.simulatorLatencyScale = 0;
    return session.start(options);
}
