#include "calllog/callrecord.h"
#include "session/callsession.h"
#include "sim/simulator.h"
#include "unprivileged.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

class tst_CallSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void choosesTheBackend_data();
    void choosesTheBackend();
    void refusesToSendTheKeyOverPlainHttp();
    void startingAgainKeepsTheSimulator();
    void unwritableLogIsAnErrorNamingIt();
    void callsThatCannotBeLoggedStillAnswer_data();
    void callsThatCannotBeLoggedStillAnswer();

private:
    SessionOptions options() const;
    static MessageCall *sendAndWait(CallSession &session);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_CallSession::init()
{
    qunsetenv("ANTHROPIC_API_KEY");
    qunsetenv("ANTHROPIC_BASE_URL");
    m_dir = std::make_unique<QTemporaryDir>();
}

void tst_CallSession::cleanup()
{
    qunsetenv("ANTHROPIC_API_KEY");
    qunsetenv("ANTHROPIC_BASE_URL");
}

SessionOptions tst_CallSession::options() const
{
    SessionOptions options;
    options.logPath = m_dir->filePath(u"llm_calls.jsonl"_s);
    options.simulatorLatencyScale = 0;
    return options;
}

MessageCall *tst_CallSession::sendAndWait(CallSession &session)
{
    MessageRequest request;
    request.model = u"claude-haiku-4-5-20251001"_s;
    request.maxTokens = 200;
    request.userMessage = u"How long does a basic service take?"_s;
    MessageCall *call = session.client()->send(request);
    QSignalSpy finished(call, &MessageCall::finished);
    if (!finished.wait(15'000))
        qWarning("the call did not finish");
    return call;
}

void tst_CallSession::choosesTheBackend_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("environmentKey");
    QTest::addColumn<QString>("baseUrl");
    QTest::addColumn<QByteArray>("environmentUrl");
    QTest::addColumn<bool>("forceSimulator");
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<QString>("host");

    QTest::newRow("nothing: the simulator")
        << QString() << QByteArray() << QString() << QByteArray() << false << Backend::Simulator
        << u"127.0.0.1"_s;
    QTest::newRow("a key: the API") << u"sk-ant-x"_s << QByteArray() << QString() << QByteArray()
                                    << false << Backend::AnthropicApi << u"api.anthropic.com"_s;
    QTest::newRow("a key in the environment: the API")
        << QString() << QByteArray("sk-ant-env") << QString() << QByteArray() << false
        << Backend::AnthropicApi << u"api.anthropic.com"_s;
    QTest::newRow("ANTHROPIC_BASE_URL")
        << QString() << QByteArray() << QString() << QByteArray("http://127.0.0.1:9") << false
        << Backend::Custom << u"127.0.0.1"_s;
    QTest::newRow("an explicit base URL wins over the environment")
        << QString() << QByteArray() << u"http://localhost:9"_s << QByteArray("http://127.0.0.1:9")
        << false << Backend::Custom << u"localhost"_s;
    QTest::newRow("forced simulator ignores the key")
        << u"sk-ant-x"_s << QByteArray("sk-ant-env") << QString() << QByteArray() << true
        << Backend::Simulator << u"127.0.0.1"_s;
}

void tst_CallSession::choosesTheBackend()
{
    QFETCH(QString, key);
    QFETCH(QByteArray, environmentKey);
    QFETCH(QString, baseUrl);
    QFETCH(QByteArray, environmentUrl);
    QFETCH(bool, forceSimulator);
    QFETCH(Backend, backend);
    QFETCH(QString, host);

    if (!environmentKey.isEmpty())
        qputenv("ANTHROPIC_API_KEY", environmentKey);
    if (!environmentUrl.isEmpty())
        qputenv("ANTHROPIC_BASE_URL", environmentUrl);
    SessionOptions chosen = options();
    chosen.apiKey = key;
    chosen.baseUrl = baseUrl;
    chosen.forceSimulator = forceSimulator;
    CallSession session;

    const Expected<void> started = session.start(chosen);

    QVERIFY2(started.hasValue(), qPrintable(started ? QString() : started.error()));
    QCOMPARE(session.backend(), backend);
    QCOMPARE(session.baseUrl().host(), host);
    QCOMPARE(session.simulator() != nullptr, backend == Backend::Simulator);
    QVERIFY(!session.client()->config().apiKey.isEmpty());
    QCOMPARE(session.logPath(), chosen.logPath);
}

void tst_CallSession::refusesToSendTheKeyOverPlainHttp()
{
    SessionOptions chosen = options();
    chosen.apiKey = u"sk-ant-x"_s;
    chosen.baseUrl = u"http://proxy.example.com"_s;
    CallSession session;

    const Expected<void> started = session.start(chosen);

    QVERIFY(!started.hasValue());
    QVERIFY2(started.error().contains(u"plain http to proxy.example.com"_s),
             qPrintable(started.error()));
}

void tst_CallSession::startingAgainKeepsTheSimulator()
{
    CallSession session;
    QVERIFY(session.start(options()).hasValue());
    const quint16 port = session.simulator()->port();
    SimFaults faults;
    faults.failFirst = 2;
    session.simulator()->setFaults(faults);

    QVERIFY(session.start(options()).hasValue());

    QCOMPARE(session.simulator()->port(), port);
    QCOMPARE(session.simulator()->faults().failFirst, 2);

    SessionOptions withKey = options();
    withKey.apiKey = u"sk-ant-x"_s;
    QVERIFY(session.start(withKey).hasValue());
    QVERIFY(!session.simulator());
}

void tst_CallSession::unwritableLogIsAnErrorNamingIt()
{
    SessionOptions chosen = options();
    chosen.logPath = u"/nonexistent/folder/llm_calls.jsonl"_s;
    CallSession session;

    const Expected<void> started = session.start(chosen);

    QVERIFY(!started.hasValue());
    QVERIFY(started.error().startsWith(u"/nonexistent/folder/llm_calls.jsonl"_s));
}

void tst_CallSession::callsThatCannotBeLoggedStillAnswer_data()
{
    QTest::addColumn<bool>("readOnly");
    QTest::addColumn<QString>("reason");

    QTest::newRow("full disk") << false << u"No space left"_s;
    QTest::newRow("read-only log") << true << u"Permission denied"_s;
}

void tst_CallSession::callsThatCannotBeLoggedStillAnswer()
{
    QFETCH(bool, readOnly);
    QFETCH(QString, reason);
    const QFile::Permissions readable = QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther;
    const QFile::Permissions writable = QFile::WriteOwner | QFile::WriteGroup | QFile::WriteOther;
    SessionOptions chosen = options();
    chosen.logRequired = false;
    const QByteArray existing = "{\"request_id\":\"earlier\"}\n";
    if (readOnly) {
        QFile log(chosen.logPath);
        QVERIFY(log.open(QIODevice::WriteOnly) && log.write(existing) == existing.size());
        log.close();
        QVERIFY(QFile::setPermissions(chosen.logPath, readable));
        QVERIFY(QFile::setPermissions(m_dir->path(), readable | QFile::WriteOwner | QFile::ExeOwner
                                                         | QFile::ExeGroup | QFile::ExeOther));
    } else {
        chosen.logPath = u"/dev/full"_s; // opens, and refuses every byte with ENOSPC
    }
    CallSession session;
    QSignalSpy writeFailed(&session, &CallSession::logWriteFailed);

    {
        const Unprivileged unprivileged;
        if (!unprivileged.isActive())
            QSKIP("running as root and cannot drop to an unprivileged user");
        const Expected<void> started = session.start(chosen);
        QVERIFY2(started.hasValue(), qPrintable(started ? QString() : started.error()));
        QCOMPARE(session.logProblem().isEmpty(), !readOnly);
        QVERIFY2(session.logProblem().isEmpty() || session.logProblem().contains(reason),
                 qPrintable(session.logProblem()));

        // Two calls, each answered and counted, each reported as not logged, naming the file.
        double costs = 0;
        for (int i = 1; i <= 2; ++i) {
            const MessageCall *call = sendAndWait(session);
            QVERIFY(call->succeeded());
            QVERIFY(!call->response().text().isEmpty());
            QVERIFY(call->record().inputTokens > 0 && call->record().outputTokens > 0);
            QVERIFY(call->record().costKnown && call->record().costUsd > 0);
            costs += call->record().costUsd;
            QCOMPARE(session.callCount(), i);
            QCOMPARE(session.sessionCostUsd(), costs);
            QCOMPARE(writeFailed.count(), i);
            const QString message = writeFailed.last().first().toString();
            QVERIFY2(message.startsWith(chosen.logPath + u':'), qPrintable(message));
            QVERIFY2(message.contains(reason), qPrintable(message));
        }
    }

    // Once the log can be written again (its permissions fixed, or another log chosen), the
    // next call is logged and nothing is reported.
    if (readOnly) {
        QVERIFY(QFile::setPermissions(chosen.logPath, readable | writable));
    } else {
        chosen.logPath = m_dir->filePath(u"llm_calls.jsonl"_s);
        QVERIFY(session.start(chosen).hasValue());
    }
    const MessageCall *call = nullptr;
    {
        const Unprivileged unprivileged;
        call = sendAndWait(session);
    }

    QVERIFY(call->succeeded());
    QCOMPARE(writeFailed.count(), 2);
    QFile log(chosen.logPath);
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray content = log.readAll();
    const QByteArray before = readOnly ? existing : QByteArray();
    QVERIFY(content.startsWith(before));
    const Expected<CallRecord> logged = CallRecord::fromJsonLine(content.mid(before.size()));
    QVERIFY(logged.hasValue());
    QCOMPARE(logged->requestId, call->record().requestId);
    QCOMPARE(content.count('\n'), before.count('\n') + 1);
}

QTEST_GUILESS_MAIN(tst_CallSession)
#include "tst_callsession.moc"
