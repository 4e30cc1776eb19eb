#include "../canarykey.h"

#include "calllog/callrecord.h"
#include "client/messagerequest.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <list>
#include <memory>
#include <sys/resource.h>

using namespace Qt::Literals::StringLiterals;

namespace {

// Every process a test starts, with all it printed, so that all of it can be searched.
struct Started
{
    QString name;
    std::unique_ptr<QProcess> process;
    QByteArray out;
    QByteArray err;

    void collect()
    {
        out += process->readAllStandardOutput();
        err += process->readAllStandardError();
    }
};

} // namespace

// The API key given to opsbench-cli through ANTHROPIC_API_KEY must not come out anywhere: not on
// standard output or error with every debug category on, not in the call log, not in the
// reports, not in any file the process writes under its home, configuration, data, cache or
// temporary folders, not in what it prints when it crashes, and not from the simulator it sent
// the key to.
class tst_CliKeySecrecy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void theSearchFindsACutOrMaskedKey();
    void aWholeSessionLeavesNoTrace();
    void aCrashMidCallPrintsNoKey_data();
    void aCrashMidCallPrintsNoKey();
    void aSystemPromptFileOverTheLimitIsRefusedUnread();
    void logPromptsStoresThePromptAndTheAnswer();

private:
    QProcessEnvironment environment(bool withKey) const;
    Started &start(const QString &name, const QStringList &arguments, bool withKey);
    QString startSimulator(const QStringList &faults);
    Started &runToEnd(const QString &name, const QStringList &arguments);
    int exitCodeOf(const QString &name, const QStringList &arguments)
    {
        return runToEnd(name, arguments).process->exitCode();
    }
    QStringList leaks(int *searchedFiles = nullptr);
    QString path(const QString &name) const { return m_root->filePath(u"work/"_s + name); }

    CanaryKey m_canary;
    std::unique_ptr<QTemporaryDir> m_root;
    std::list<Started> m_started;
};

void tst_CliKeySecrecy::init()
{
    m_root = std::make_unique<QTemporaryDir>();
    for (const char *folder : {"home", "config", "data", "cache", "tmp", "work"})
        QVERIFY(QDir(m_root->path()).mkdir(QString::fromLatin1(folder)));
}

void tst_CliKeySecrecy::cleanup()
{
    m_started.clear();
    m_root.reset();
}

QProcessEnvironment tst_CliKeySecrecy::environment(bool withKey) const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(u"ANTHROPIC_BASE_URL"_s);
    environment.remove(u"ANTHROPIC_API_KEY"_s);
    if (withKey)
        environment.insert(u"ANTHROPIC_API_KEY"_s, m_canary.key());
    environment.insert(u"QT_LOGGING_RULES"_s, u"opsbench.*=true"_s);
    environment.insert(u"HOME"_s, m_root->filePath(u"home"_s));
    environment.insert(u"XDG_CONFIG_HOME"_s, m_root->filePath(u"config"_s));
    environment.insert(u"XDG_DATA_HOME"_s, m_root->filePath(u"data"_s));
    environment.insert(u"XDG_CACHE_HOME"_s, m_root->filePath(u"cache"_s));
    environment.insert(u"TMPDIR"_s, m_root->filePath(u"tmp"_s));
    return environment;
}

Started &tst_CliKeySecrecy::start(const QString &name, const QStringList &arguments, bool withKey)
{
    Started &started = m_started.emplace_back();
    started.name = name;
    started.process = std::make_unique<QProcess>();
    QProcess &process = *started.process;
    process.setProcessEnvironment(environment(withKey));
    process.setWorkingDirectory(m_root->filePath(u"work"_s));
    // A core file would hold the key, as any memory of the process does; it is not output.
    process.setChildProcessModifier([] {
        const rlimit none{0, 0};
        ::setrlimit(RLIMIT_CORE, &none);
    });
    process.start(QStringLiteral(OPSBENCH_CLI_PATH), arguments);
    return started;
}

// A simulator in a process of its own, given no key: whatever key it prints, it was sent.
QString tst_CliKeySecrecy::startSimulator(const QStringList &faults)
{
    Started &simulator = start(u"sim %1"_s.arg(faults.join(u' ')),
                               QStringList{u"sim"_s, u"--latency-scale"_s, u"0"_s} + faults, false);
    if (!simulator.process->waitForReadyRead(20'000))
        return QString();
    simulator.out += simulator.process->readLine();
    const QString listening = QString::fromUtf8(simulator.out).trimmed();
    if (!listening.endsWith(u"(loopback only: other machines cannot connect)"_s)) {
        qWarning() << "the simulator does not say it listens on loopback only:" << listening;
        return QString();
    }
    return listening.section(u' ', 2, 2);
}

Started &tst_CliKeySecrecy::runToEnd(const QString &name, const QStringList &arguments)
{
    Started &run = start(name, arguments, true);
    if (!run.process->waitForFinished(60'000))
        run.process->kill();
    run.collect();
    return run;
}

QStringList tst_CliKeySecrecy::leaks(int *searchedFiles)
{
    QStringList found;
    for (Started &started : m_started) {
        if (started.process->state() != QProcess::NotRunning) {
            started.process->terminate();
            started.process->waitForFinished(10'000);
        }
        started.collect();
        found += m_canary.findIn(started.out, started.name + u" (standard output)"_s);
        found += m_canary.findIn(started.err, started.name + u" (standard error)"_s);
    }
    found += m_canary.findInFolder(m_root->path(), searchedFiles);
    return found;
}

void tst_CliKeySecrecy::theSearchFindsACutOrMaskedKey()
{
    const QByteArray key = m_canary.key().toLatin1();
    const QByteArray random = m_canary.randomPart();

    QVERIFY(!m_canary.findIn("x-api-key: " + key + "\r\n", u"whole"_s).isEmpty());
    // Cut after the marker's first letters, and with the marker replaced: the random part's
    // pieces still give it away.
    QVERIFY(!m_canary.findIn("key=" + key.left(40), u"cut"_s).isEmpty());
    QVERIFY(
        !m_canary.findIn("sk-ant-api03-***" + random.mid(13, 12) + "***", u"masked"_s).isEmpty());
    // What the product shows on purpose is not a leak.
    QCOMPARE(m_canary.findIn("Stored in the system keychain: sk-ant-…" + random.right(4), u"ok"_s),
             QStringList());
}

void tst_CliKeySecrecy::aWholeSessionLeavesNoTrace()
{
    const QString log = path(u"llm_calls.jsonl"_s);
    const QString healthy = startSimulator({});
    QVERIFY(!healthy.isEmpty());

    QCOMPARE(exitCodeOf(u"run, cached RAG"_s, {u"run"_s, u"--base-url"_s, healthy, u"--rag"_s,
                                               u"--cache"_s, u"--log"_s, log}),
             0);
    QCOMPARE(exitCodeOf(u"run, streamed with Bearer"_s,
                        {u"run"_s, u"--base-url"_s, healthy, u"--api-version"_s, u"2026-10-21"_s,
                         u"--stream"_s, u"--log"_s, log}),
             0);
    QCOMPARE(exitCodeOf(u"run, JSON with prompts logged"_s,
                        {u"run"_s, u"--base-url"_s, healthy, u"--json"_s, u"--log-prompts"_s,
                         u"--log"_s, log}),
             0);

    // A key refused (not retried) and rate limits ridden out: the error paths print.
    const QString refusing =
        startSimulator({u"--fail-first"_s, u"1000"_s, u"--fail-status"_s, u"401"_s});
    const Started &refused =
        runToEnd(u"run, 401"_s, {u"run"_s, u"--base-url"_s, refusing, u"--log"_s, log});
    QCOMPARE(refused.process->exitCode(), 1);
    QVERIFY2(refused.out.contains("authentication_error"), refused.out.constData());
    const QString limiting = startSimulator(
        {u"--fail-first"_s, u"2"_s, u"--fail-status"_s, u"429"_s, u"--retry-after"_s, u"0.01"_s});
    const Started &retried =
        runToEnd(u"run, 429 and retries"_s, {u"run"_s, u"--base-url"_s, limiting, u"--log"_s, log});
    QCOMPARE(retried.process->exitCode(), 0);
    QVERIFY2(retried.out.contains("retrying"), retried.out.constData());

    // Proof that the key was read: only a key makes plain http to another machine refused.
    const Started &unsafe =
        runToEnd(u"run, plain http"_s,
                 {u"run"_s, u"--base-url"_s, u"http://example.com"_s, u"--log"_s, log});
    QCOMPARE(unsafe.process->exitCode(), 1);
    QVERIFY2(unsafe.err.contains("refusing to send the API key over plain http to example.com"),
             unsafe.err.constData());

    QCOMPARE(exitCodeOf(u"report cache"_s, {u"report"_s, u"cache"_s, u"--log"_s, log, u"--out"_s,
                                            path(u"cache-report.md"_s)}),
             0);
    QCOMPARE(exitCodeOf(u"report capacity"_s,
                        {u"report"_s, u"capacity"_s, u"--requests-per-day"_s, u"50000"_s,
                         u"--log"_s, log, u"--out"_s, path(u"capacity-report.md"_s)}),
             0);
    QCOMPARE(exitCodeOf(u"stats"_s, {u"stats"_s, log}), 0);

    QFile written(log);
    QVERIFY(written.open(QIODevice::ReadOnly));
    // 5 calls each: three healthy runs, the refused run and the retried one; the plain-http run
    // is refused before any call and logs nothing.
    QCOMPARE(written.readAll().count('\n'), 25);
    int searchedFiles = 0;
    const QStringList found = leaks(&searchedFiles);
    QVERIFY2(found.isEmpty(), qPrintable(found.join(u'\n')));
    QVERIFY(searchedFiles >= 3); // the log and the two reports at least
}

void tst_CliKeySecrecy::aCrashMidCallPrintsNoKey_data()
{
    QTest::addColumn<int>("signal");

    QTest::newRow("SIGABRT") << SIGABRT;
    QTest::newRow("SIGSEGV") << SIGSEGV;
}

void tst_CliKeySecrecy::aCrashMidCallPrintsNoKey()
{
    QFETCH(int, signal);
    const QString stalling =
        startSimulator({u"--stall-rate"_s, u"1"_s, u"--stall-ms"_s, u"60000"_s});
    QVERIFY(!stalling.isEmpty());
    Started &simulator = m_started.back();

    Started &run =
        start(u"run, killed"_s,
              {u"run"_s, u"--base-url"_s, stalling, u"--log"_s, path(u"llm_calls.jsonl"_s)}, true);
    // The request has reached the simulator, which holds it: the call is in flight.
    QTRY_VERIFY_WITH_TIMEOUT((simulator.collect(), simulator.err.contains("/v1/messages")), 20'000);
    run.collect();
    QVERIFY2(run.err.contains("attempt 1 to"), run.err.constData());
    ::kill(pid_t(run.process->processId()), signal);
    QVERIFY(run.process->waitForFinished(10'000));
    QCOMPARE(run.process->exitStatus(), QProcess::CrashExit);

    const QStringList found = leaks();
    QVERIFY2(found.isEmpty(), qPrintable(found.join(u'\n')));
}

void tst_CliKeySecrecy::aSystemPromptFileOverTheLimitIsRefusedUnread()
{
    // A sparse file: its size is one byte over the limit without a byte written.
    const QString prompt = path(u"prompt.md"_s);
    QFile file(prompt);
    QVERIFY(file.open(QIODevice::WriteOnly) && file.resize(MessageRequest::maxBodyBytes + 1));
    file.close();

    const Started &run =
        runToEnd(u"run, huge prompt"_s, {u"run"_s, u"--system-prompt-file"_s, prompt, u"--log"_s,
                                         path(u"llm_calls.jsonl"_s)});

    QCOMPARE(run.process->exitCode(), 1);
    // 32,000,000 + 1 bytes against the 32,000,000 the Messages API takes.
    QCOMPARE(QString::fromUtf8(run.err).trimmed(),
             u"opsbench-cli: %1: the system prompt file of 32000001 bytes is over the limit of "
             "32000000 bytes; nothing was read"_s.arg(prompt));
    QVERIFY(!QFile::exists(path(u"llm_calls.jsonl"_s)));
}

void tst_CliKeySecrecy::logPromptsStoresThePromptAndTheAnswer()
{
    const QString queries = path(u"queries.txt"_s);
    QFile file(queries);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(u"Où est mon \"remboursement\" ? \\ ✓\n"_s.toUtf8());
    file.close();
    const QString simulator = startSimulator({});
    QVERIFY(!simulator.isEmpty());
    const QString plain = path(u"plain.jsonl"_s);
    const QString withPrompts = path(u"prompts.jsonl"_s);

    const QStringList arguments{u"run"_s, u"--queries"_s, queries, u"--base-url"_s, simulator};
    QCOMPARE(exitCodeOf(u"run"_s, arguments + QStringList{u"--log"_s, plain}), 0);
    QCOMPARE(exitCodeOf(u"run --log-prompts"_s,
                        arguments + QStringList{u"--log-prompts"_s, u"--log"_s, withPrompts}),
             0);

    QFile off(plain);
    QVERIFY(off.open(QIODevice::ReadOnly));
    const QByteArray offBytes = off.readAll();
    QVERIFY(!offBytes.contains("remboursement"));
    QVERIFY(!offBytes.contains("\"prompt\":"));
    QFile on(withPrompts);
    QVERIFY(on.open(QIODevice::ReadOnly));
    const Expected<CallRecord> record = CallRecord::fromJsonLine(on.readLine());
    QVERIFY(record.hasValue());
    QCOMPARE(record->extra.value("prompt"_L1).toString(), u"Où est mon \"remboursement\" ? \\ ✓"_s);
    QVERIFY(!record->extra.value("answer"_L1).toString().isEmpty());

    const QStringList help =
        QString::fromUtf8(runToEnd(u"help"_s, {u"run"_s, u"--help"_s}).out).split(u'\n');
    const QString option = help.filter(u"--log-prompts"_s).value(0);
    QVERIFY2(help.join(u' ').simplified().contains(
                 u"Anyone who can read that file can then read them."_s),
             qPrintable(help.join(u'\n')));
    QVERIFY(!option.isEmpty());
}

QTEST_GUILESS_MAIN(tst_CliKeySecrecy)
#include "tst_clikeysecrecy.moc"
