#include "session/callsession.h"
#include "sim/simulator.h"

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

private:
    SessionOptions options() const;

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

void tst_CallSession::choosesTheBackend_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("environmentKey");
    QTest::addColumn<QString>("baseUrl");
    QTest::addColumn<QByteArray>("environmentUrl");
    QTest::addColumn<bool>("forceSimulator");
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<QString>("host");

    QTest::newRow("nothing: the simulator") << QString() << QByteArray() << QString()
                                            << QByteArray() << false << Backend::Simulator
                                            << u"127.0.0.1"_s;
    QTest::newRow("a key: the API") << u"sk-ant-x"_s << QByteArray() << QString() << QByteArray()
                                    << false << Backend::AnthropicApi << u"api.anthropic.com"_s;
    QTest::newRow("a key in the environment: the API")
        << QString() << QByteArray("sk-ant-env") << QString() << QByteArray() << false
        << Backend::AnthropicApi << u"api.anthropic.com"_s;
    QTest::newRow("ANTHROPIC_BASE_URL") << QString() << QByteArray() << QString()
                                        << QByteArray("http://127.0.0.1:9") << false
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

QTEST_GUILESS_MAIN(tst_CallSession)
#include "tst_callsession.moc"
