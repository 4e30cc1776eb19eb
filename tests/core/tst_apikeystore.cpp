#include "credentials/apikeystore.h"

#include <QCoreApplication>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace {

// When set, the executable does not run the tests: it loads a key once and prints what the
// store reported. Used to look at the store from a process with no keychain service at all.
constexpr char probeVariable[] = "OPSBENCH_KEYSTORE_PROBE";

const QString fakeKey = u"sk-ant-api03-opsbench-test-key-7Qa9"_s;

bool runAndWait(ApiKeyStore &store, void (ApiKeyStore::*operation)())
{
    QSignalSpy finished(&store, &ApiKeyStore::finished);
    (store.*operation)();
    return finished.count() == 1 || finished.wait(20'000);
}

int runProbe()
{
    ApiKeyStore store(u"Opsbench-probe"_s);
    runAndWait(store, &ApiKeyStore::load);
    std::printf("available=%d\nerror=%s\n", int(store.keychainAvailable()),
                qUtf8Printable(store.errorString()));
    return 0;
}

} // namespace

class tst_ApiKeyStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void roundTripThroughTheKeychain();
    void emptyKeyIsRefused();
    void precedence();
    void environmentKeyIsTrimmed_data();
    void environmentKeyIsTrimmed();
    void masking_data();
    void masking();
    void withoutAKeychainTheErrorSaysSo();

private:
    // Unique per run, so a failed run cannot leave a key that a later run reads.
    const QString m_service = u"Opsbench-test-%1"_s.arg(QCoreApplication::applicationPid());
};

void tst_ApiKeyStore::initTestCase()
{
    qunsetenv("ANTHROPIC_API_KEY");
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")) {
        // Outside the test command's private D-Bus session there is no keychain to test against;
        // in CI that is a broken set-up, not a reason to skip.
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL("no D-Bus session: run the tests through scripts/bootstrap.sh test");
        QSKIP("no D-Bus session with a keychain; scripts/bootstrap.sh test starts one");
    }
}

void tst_ApiKeyStore::roundTripThroughTheKeychain()
{
    ApiKeyStore writer(m_service);
    QVERIFY(runAndWait(writer, &ApiKeyStore::load));
    QVERIFY2(writer.errorString().isEmpty(), qPrintable(writer.errorString()));
    QCOMPARE(writer.source(), ApiKeyStore::Source::None);

    QSignalSpy stored(&writer, &ApiKeyStore::finished);
    writer.store(u"  "_s + fakeKey + u"\n"_s);
    QVERIFY(stored.wait(20'000));
    QVERIFY2(writer.errorString().isEmpty(), qPrintable(writer.errorString()));
    QCOMPARE(writer.source(), ApiKeyStore::Source::Keychain);

    // A second store, as a later run of the app would be, finds the key in the keychain.
    ApiKeyStore reader(m_service);
    QVERIFY(runAndWait(reader, &ApiKeyStore::load));
    QCOMPARE(reader.key(), fakeKey);
    QCOMPARE(reader.source(), ApiKeyStore::Source::Keychain);
    QVERIFY(reader.keychainAvailable());

    QVERIFY(runAndWait(reader, &ApiKeyStore::erase));
    QVERIFY2(reader.errorString().isEmpty(), qPrintable(reader.errorString()));
    ApiKeyStore afterErase(m_service);
    QVERIFY(runAndWait(afterErase, &ApiKeyStore::load));
    QCOMPARE(afterErase.source(), ApiKeyStore::Source::None);
    QVERIFY(afterErase.key().isEmpty());
}

void tst_ApiKeyStore::emptyKeyIsRefused()
{
    ApiKeyStore store(m_service);
    QSignalSpy finished(&store, &ApiKeyStore::finished);

    store.store(u"   "_s);

    QCOMPARE(finished.count(), 1);
    QVERIFY(store.errorString().contains(u"empty"_s));
    QCOMPARE(store.source(), ApiKeyStore::Source::None);
}

void tst_ApiKeyStore::precedence()
{
    ApiKeyStore store(m_service);
    qputenv("ANTHROPIC_API_KEY", "sk-from-environment");
    QCOMPARE(store.source(), ApiKeyStore::Source::Environment);
    QCOMPARE(store.key(), u"sk-from-environment"_s);

    store.setSessionKey(u"sk-for-this-session"_s);
    QCOMPARE(store.source(), ApiKeyStore::Source::Session);
    QCOMPARE(store.key(), u"sk-for-this-session"_s);

    store.setSessionKey(QString());
    qunsetenv("ANTHROPIC_API_KEY");
    QCOMPARE(store.source(), ApiKeyStore::Source::None);
}

void tst_ApiKeyStore::environmentKeyIsTrimmed_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("expected");

    QTest::newRow("plain") << QByteArray("sk-abc") << u"sk-abc"_s;
    QTest::newRow("padded") << QByteArray("  sk-abc \n") << u"sk-abc"_s;
    QTest::newRow("blank counts as unset") << QByteArray("   ") << QString();
}

void tst_ApiKeyStore::environmentKeyIsTrimmed()
{
    QFETCH(QByteArray, value);
    QFETCH(QString, expected);

    qputenv("ANTHROPIC_API_KEY", value);
    const QString key = ApiKeyStore::environmentKey();
    qunsetenv("ANTHROPIC_API_KEY");

    QCOMPARE(key, expected);
}

void tst_ApiKeyStore::masking_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("expected");

    QTest::newRow("real length") << fakeKey << u"sk-ant-…7Qa9"_s;
    QTest::newRow("short keys show nothing") << u"sk-12345"_s << u"••••••••"_s;
    // Seven and four of 16 characters would show most of it.
    QTest::newRow("a proxy's 16-character key shows nothing")
        << u"proxy-key-123456"_s << QString(16, u'•');
}

void tst_ApiKeyStore::masking()
{
    QFETCH(QString, key);
    QFETCH(QString, expected);

    QCOMPARE(ApiKeyStore::masked(key), expected);
}

void tst_ApiKeyStore::withoutAKeychainTheErrorSaysSo()
{
    // A process whose session bus leads nowhere, as on a machine without a keychain service.
    QProcess probe;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QString::fromLatin1(probeVariable), u"1"_s);
    environment.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=/nonexistent/bus"_s);
    probe.setProcessEnvironment(environment);
    probe.start(QCoreApplication::applicationFilePath());
    QVERIFY(probe.waitForFinished(60'000));

    const QString output = QString::fromUtf8(probe.readAllStandardOutput());
    QVERIFY2(output.contains(u"available=0"_s), qPrintable(output));
    QVERIFY2(output.contains(u"No system keychain is reachable"_s), qPrintable(output));
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet(probeVariable))
        return runProbe();
    tst_ApiKeyStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_apikeystore.moc"
