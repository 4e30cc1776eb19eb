#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

CliRun runCli(const QStringList &arguments)
{
    QProcess process;
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

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void helpExitsZero();
};

void tst_Cli::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("no command") << QStringList() << QString();
    QTest::newRow("unknown command") << QStringList{u"frobnicate"_s}
                                     << u"unknown command \"frobnicate\""_s;
}

void tst_Cli::usageErrorsExitTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expectedError);

    const CliRun run = runCli(arguments);

    QCOMPARE(run.exitCode, 2);
    QVERIFY2(QString::fromUtf8(run.err).contains(expectedError), run.err.constData());
}

void tst_Cli::helpExitsZero()
{
    const CliRun run = runCli({u"--help"_s});

    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains("Usage: opsbench-cli COMMAND"));
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
