#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QtDebug>

// Runs the real opsbench-cli (OPSBENCH_CLI_PATH) as a user would, for the CLI tests.

struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

inline QJsonObject parseJson(const CliRun &run)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(run.out, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qWarning() << "not a JSON object:" << run.out << run.err;
    return document.object();
}

// The environment of a newcomer with no key: the CLI must fall back to its simulator.
inline QProcessEnvironment withoutAnthropicVariables()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("ANTHROPIC_API_KEY"));
    environment.remove(QStringLiteral("ANTHROPIC_BASE_URL"));
    return environment;
}

inline CliRun runCli(const QStringList &arguments)
{
    QProcess process;
    process.setProcessEnvironment(withoutAnthropicVariables());
    process.start(QStringLiteral(OPSBENCH_CLI_PATH), arguments);
    CliRun run;
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}
