#include "calllog/callrecord.h"
#include "retry/retryclock.h"
#include "scenario/scenario.h"
#include "scenario/scenariorunner.h"
#include "session/callsession.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::Literals::StringLiterals;

namespace {

// Haiku 4.5 and Sonnet 4.6, USD per million tokens, from resources/prices.json.
constexpr double haikuInput = 1.0;
constexpr double haikuRead = 0.10;
constexpr double haikuWrite = 1.25;

// Everything of a record that the seed decides. Request ids (a fresh UUID per call), timestamps
// and measured latencies are left out on purpose: they may differ between two runs.
QStringList replayedFields(const ScenarioCall &call)
{
    QStringList fields{
        u"query=%1"_s.arg(call.outcome.query), u"attempts=%1"_s.arg(call.outcome.attempts),
        u"error=%1"_s.arg(call.outcome.error ? call.outcome.error->describe() : QString()),
        u"answer=%1"_s.arg(QString::fromLatin1(
            QCryptographicHash::hash(call.outcome.answer.toUtf8(), QCryptographicHash::Sha256)
                .toHex()))};
    for (const ScenarioRetry &retry : call.retries) {
        fields << u"retry %1: %2 %3 wait %4 hint %5"_s.arg(retry.attempt)
                      .arg(retry.httpStatus)
                      .arg(retry.errorType)
                      .arg(retry.waitMs)
                      .arg(retry.serverHint);
    }
    if (call.outcome.record) {
        const CallRecord &record = *call.outcome.record;
        fields << u"model=%1"_s.arg(record.model) << u"feature=%1"_s.arg(record.feature)
               << u"prompt=%1"_s.arg(record.systemPromptHash)
               << u"input=%1"_s.arg(record.inputTokens) << u"output=%1"_s.arg(record.outputTokens)
               << u"read=%1"_s.arg(record.cacheReadInputTokens)
               << u"write=%1"_s.arg(record.cacheCreationInputTokens)
               << u"cost=%1"_s.arg(record.costUsd, 0, 'g', 17)
               << u"finish=%1"_s.arg(record.finishReason)
               << u"docs=%1"_s.arg(record.numRetrievedDocs);
        for (const char *key :
             {"attempts", "http_status", "error_type", "api_request_id", "route_reason"})
            fields << u"%1=%2"_s.arg(
                QLatin1StringView(key),
                record.extra.value(QLatin1StringView(key)).toVariant().toString());
    }
    return fields;
}

} // namespace

class tst_Scenario : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void bundledScenariosLoad();
    void badFileNamesFileAndField_data();
    void badFileNamesFileAndField();
    void needsTheSimulator();
    void replaysIdentically_data();
    void replaysIdentically();
    void cachingPaysOff();
    void rateLimitStormIsServed();
    void routerSavesMoney();
    void jitterComesFromTheSeed();

private:
    QList<qint64> backoffWaits(quint64 seed);
    QList<ScenarioCall> run(const QString &id);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<VirtualClock> m_clock;
    std::unique_ptr<CallSession> m_session;
};

void tst_Scenario::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    SessionOptions options;
    options.forceSimulator = true;
    options.simulatorLatencyScale = 0;
    options.logPath = m_dir->filePath(u"llm_calls.jsonl"_s);
    m_session = std::make_unique<CallSession>();
    QVERIFY(m_session->start(options).hasValue());
    // Retry-after waits pass in virtual time, so a storm of one-second waits costs nothing.
    m_clock = std::make_unique<VirtualClock>(QDateTime(QDate(2026, 12, 3), QTime(9, 0), Qt::UTC));
    m_clock->setAutoAdvance(true);
    m_session->client()->setClock(m_clock.get());
}

void tst_Scenario::cleanup()
{
    m_session.reset();
    m_clock.reset();
    m_dir.reset();
}

QList<ScenarioCall> tst_Scenario::run(const QString &id)
{
    const Expected<Scenario> scenario = Scenario::findBundled(id);
    if (!scenario) {
        qWarning() << scenario.error();
        return {};
    }
    ScenarioRunner runner(m_session.get());
    QSignalSpy finished(&runner, &ScenarioRunner::finished);
    runner.start(*scenario);
    if (!finished.wait(10'000) || !runner.error().isEmpty())
        qWarning() << "scenario" << id << "did not finish:" << runner.error();
    return runner.calls();
}

void tst_Scenario::bundledScenariosLoad()
{
    const Expected<QList<Scenario>> all = Scenario::bundled();
    QVERIFY2(all.hasValue(), qPrintable(all ? QString() : all.error()));
    QStringList ids;
    for (const Scenario &scenario : *all) {
        ids << scenario.id;
        QVERIFY(!scenario.name.isEmpty());
        QVERIFY(!scenario.summary.isEmpty());
        QVERIFY(scenario.description.size() > 100);
        QVERIFY(!scenario.queries.isEmpty());
    }
    for (const QString &id :
         {u"caching-pays-off"_s, u"rate-limit-storm"_s, u"router-saves-money"_s})
        QVERIFY2(ids.contains(id), qPrintable(id));

    QCOMPARE(Scenario::findBundled(u"Caching PAYS off"_s)->id, u"caching-pays-off"_s);
    const Expected<Scenario> unknown = Scenario::findBundled(u"no-such"_s);
    QVERIFY(!unknown);
    QVERIFY(unknown.error().contains(u"rate-limit-storm"_s));
}

void tst_Scenario::badFileNamesFileAndField_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");

    const QByteArray head = R"("name": "n", "summary": "s", "description": "d", "panel": "log")";
    QTest::newRow("not json") << QByteArray("{ nope") << QString();
    QTest::newRow("seed missing") << "{" + head + R"(, "run": {}})" << u"seed"_s;
    QTest::newRow("name missing") << QByteArray(
        R"({"summary": "s", "description": "d", "panel": "log", "seed": 1,
                          "run": {}})")
                                  << u"name"_s;
    QTest::newRow("unknown panel")
        << QByteArray(R"({"name": "n", "summary": "s", "description": "d", "panel": "bar",
                          "seed": 1, "run": {}})")
        << u"panel"_s;
    QTest::newRow("fault typo") << "{" + head
                                       + R"(, "seed": 1, "simulator": {"faults": {"fail_frist": 2}},
                                          "run": {}})"
                                << u"simulator.faults.fail_frist"_s;
    QTest::newRow("error rate above 1")
        << "{" + head + R"(, "seed": 1, "simulator": {"faults": {"error_rate": 2}}, "run": {}})"
        << u"simulator.faults.error_rate"_s;
    QTest::newRow("bad caching") << "{" + head + R"(, "seed": 1, "run": {"caching": "10m"}})"
                                 << u"run.caching"_s;
    QTest::newRow("comparison without router")
        << "{" + head + R"(, "seed": 1, "run": {"compare_all_sonnet": true}})"
        << u"run.compare_all_sonnet"_s;
    QTest::newRow("fractional attempts")
        << "{" + head + R"(, "seed": 1, "retry": {"max_attempts": 2.5}, "run": {}})"
        << u"retry.max_attempts"_s;
}

void tst_Scenario::badFileNamesFileAndField()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);

    QTemporaryDir dir;
    const QString path = dir.filePath(u"broken.json"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json);
    file.close();

    const Expected<Scenario> scenario = Scenario::fromFile(path);
    QVERIFY(!scenario);
    QVERIFY2(scenario.error().contains(path), qPrintable(scenario.error()));
    if (!field.isEmpty())
        QVERIFY2(scenario.error().contains(field + u' '), qPrintable(scenario.error()));
}

void tst_Scenario::needsTheSimulator()
{
    SessionOptions options;
    options.baseUrl = u"http://127.0.0.1:9"_s;
    options.apiKey = u"sk-ant-test-not-a-real-key"_s;
    options.logPath = m_dir->filePath(u"other.jsonl"_s);
    CallSession session;
    QVERIFY(session.start(options).hasValue());
    ScenarioRunner runner(&session);
    QSignalSpy finished(&runner, &ScenarioRunner::finished);
    runner.start(*Scenario::findBundled(u"caching-pays-off"_s));
    QVERIFY(finished.wait(2000));
    QVERIFY(runner.error().contains(u"simulator"_s));
    QVERIFY(runner.calls().isEmpty());
}

void tst_Scenario::replaysIdentically_data()
{
    QTest::addColumn<QString>("id");
    const Expected<QList<Scenario>> all = Scenario::bundled();
    QVERIFY(all.hasValue());
    for (const Scenario &scenario : *all)
        QTest::newRow(qPrintable(scenario.id)) << scenario.id;
}

void tst_Scenario::replaysIdentically()
{
    QFETCH(QString, id);

    const QList<ScenarioCall> first = run(id);
    const QList<ScenarioCall> second = run(id);
    QVERIFY(!first.isEmpty());
    QCOMPARE(second.size(), first.size());
    for (qsizetype i = 0; i < first.size(); ++i) {
        QVERIFY(first.at(i).outcome.record.has_value());
        QCOMPARE(replayedFields(second.at(i)), replayedFields(first.at(i)));
    }
}

void tst_Scenario::cachingPaysOff()
{
    const QList<ScenarioCall> calls = run(u"caching-pays-off"_s);
    QCOMPARE(calls.size(), 5);

    // Call 1 writes the handbook (W tokens) and reads nothing; calls 2-5 read exactly W.
    const CallRecord &first = *calls.at(0).outcome.record;
    const qint64 written = first.cacheCreationInputTokens;
    QVERIFY(written >= 4096); // Haiku 4.5 caches nothing shorter
    QCOMPARE(first.cacheReadInputTokens, 0);
    for (qsizetype i = 1; i < calls.size(); ++i) {
        const CallRecord &record = *calls.at(i).outcome.record;
        QCOMPARE(record.cacheCreationInputTokens, 0);
        QCOMPARE(record.cacheReadInputTokens, written);
        QCOMPARE(record.numRetrievedDocs, 3);
    }

    // The handbook's part of the bill, in USD per million tokens of W:
    //   uncached: 5 calls x 1.00                 = 5.00
    //   cached:   1 write x 1.25 + 4 reads x 0.10 = 1.65
    // so caching saves 3.35 W / 1e6. Recomputed from the records' own token counts.
    double cached = 0;
    double uncached = 0;
    for (const ScenarioCall &call : calls) {
        const CallRecord &record = *call.outcome.record;
        cached +=
            (record.cacheCreationInputTokens * haikuWrite + record.cacheReadInputTokens * haikuRead)
            / 1e6;
        uncached +=
            (record.cacheCreationInputTokens + record.cacheReadInputTokens) * haikuInput / 1e6;
    }
    QVERIFY(qAbs((uncached - cached) - 3.35 * double(written) / 1e6) < 1e-12);
}

void tst_Scenario::rateLimitStormIsServed()
{
    const QList<ScenarioCall> calls = run(u"rate-limit-storm"_s);
    QCOMPARE(calls.size(), 5);

    int overloads = 0;
    for (const ScenarioCall &call : calls) {
        QVERIFY2(!call.outcome.error, qPrintable(call.outcome.query));
        QCOMPARE(call.outcome.record->finishReason, u"end_turn"_s);
        // Two 429s per call, each followed by the server's one-second wait: attempt 3 at the
        // earliest, 2 x 1000 ms waited at the least.
        QVERIFY(call.outcome.attempts >= 3);
        QCOMPARE(call.retries.size(), call.outcome.attempts - 1);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(call.retries.at(i).httpStatus, 429);
            QCOMPARE(call.retries.at(i).waitMs, 1000);
            QVERIFY(call.retries.at(i).serverHint);
        }
        for (qsizetype i = 2; i < call.retries.size(); ++i) {
            QCOMPARE(call.retries.at(i).httpStatus, 529);
            ++overloads;
        }
        QVERIFY(call.finishedMs - call.startedMs >= 2000);
    }
    // The seed decides how many of the 25% overloads strike; that some do is the point.
    QVERIFY(overloads > 0);
}

void tst_Scenario::routerSavesMoney()
{
    const Expected<Scenario> scenario = Scenario::findBundled(u"router-saves-money"_s);
    ScenarioRunner runner(m_session.get());
    QSignalSpy finished(&runner, &ScenarioRunner::finished);
    runner.start(*scenario);
    QVERIFY(finished.wait(10'000));
    QCOMPARE(runner.calls().size(), 6);

    // Sonnet's prices are three times Haiku's for input and for output ($3/$15 against
    // $1/$5), so a query the router sent to Haiku costs a third of what it would on Sonnet;
    // the Sonnet queries cost the same either way. Recomputed from the tokens of each record.
    double routed = 0;
    double allSonnet = 0;
    int haikuCalls = 0;
    for (const ScenarioCall &call : runner.calls()) {
        const CallRecord &record = *call.outcome.record;
        const double sonnet = (record.inputTokens * 3.0 + record.outputTokens * 15.0) / 1e6;
        if (record.model.startsWith(u"claude-haiku"_s)) {
            ++haikuCalls;
            QVERIFY(qAbs(record.costUsd * 3 - sonnet) < 1e-12);
        }
        routed += record.costUsd;
        allSonnet += sonnet;
    }
    QVERIFY(haikuCalls >= 2);
    QVERIFY(qAbs(runner.totalUsd() - routed) < 1e-12);
    QVERIFY(qAbs(runner.allSonnetUsd() - allSonnet) < 1e-12);
    QVERIFY(runner.totalUsd() < runner.allSonnetUsd());
}

QList<qint64> tst_Scenario::backoffWaits(quint64 seed)
{
    // Two 429s without retry-after: the client's own backoff, jitter included, decides.
    Scenario scenario = *Scenario::findBundled(u"rate-limit-storm"_s);
    scenario.seed = seed;
    scenario.faults.retryAfterSeconds = 0;
    scenario.faults.errorRate = 0;
    scenario.queries = scenario.queries.mid(0, 2);
    ScenarioRunner runner(m_session.get());
    QSignalSpy finished(&runner, &ScenarioRunner::finished);
    runner.start(scenario);
    if (!finished.wait(10'000))
        return {};
    QList<qint64> waits;
    for (const ScenarioCall &call : runner.calls()) {
        for (const ScenarioRetry &retry : call.retries)
            waits << retry.waitMs;
    }
    return waits;
}

void tst_Scenario::jitterComesFromTheSeed()
{
    const QList<qint64> first = backoffWaits(11);
    QCOMPARE(first.size(), 4);
    // Base 500 ms: the waits are 500 and 1000 ms plus jitter below 10% of each.
    for (qsizetype i = 0; i < first.size(); ++i) {
        const qint64 base = i % 2 == 0 ? 500 : 1000;
        QVERIFY(first.at(i) >= base && first.at(i) < base + base / 10);
    }
    QCOMPARE(backoffWaits(11), first);
    // Another seed draws other jitter: the waits are not a constant that merely looks seeded.
    QVERIFY(backoffWaits(12) != first);
}

QTEST_GUILESS_MAIN(tst_Scenario)
#include "tst_scenario.moc"
