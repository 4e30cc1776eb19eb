#include "calllog/callrecord.h"
#include "session/callsession.h"
#include "sim/simulator.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

// Everything a line of JSON must escape or carry as it is: quotes, a backslash, line breaks of
// three kinds, a tab, accents, a character outside the BMP.
const QString prompt = u"Line one\nLine \"two\"\r\n\ttabbed \\ back\u2028slash — naïve 🚲 end"_s;

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

// The call log keeps no prompt and no answer unless the user asks; asked, it keeps both exactly,
// still one record per line, and still no key.
class tst_PromptLogging : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void textIsLoggedOnlyWhenAsked_data();
    void textIsLoggedOnlyWhenAsked();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_PromptLogging::init()
{
    qunsetenv("ANTHROPIC_BASE_URL");
    qunsetenv("ANTHROPIC_API_KEY");
    m_dir = std::make_unique<QTemporaryDir>();
}

void tst_PromptLogging::textIsLoggedOnlyWhenAsked_data()
{
    QTest::addColumn<bool>("logPrompts");

    QTest::newRow("off (the default)") << SessionOptions().logPrompts;
    QTest::newRow("on") << true;
}

void tst_PromptLogging::textIsLoggedOnlyWhenAsked()
{
    QFETCH(bool, logPrompts);
    const QString key = u"sk-ant-api03-prompt-logging-key-Qw7x"_s;
    const QString log = m_dir->filePath(u"llm_calls.jsonl"_s);
    // A simulator of its own, so that the key is really sent (the built-in one gets a stand-in).
    Simulator simulator;
    simulator.setLatencyScale(0);
    QVERIFY(simulator.start().hasValue());
    CallSession session;
    SessionOptions options;
    options.logPath = log;
    options.baseUrl = simulator.baseUrl().toString();
    options.apiKey = key;
    options.logPrompts = logPrompts;
    QVERIFY(session.start(options).hasValue());
    MessageRequest request;
    request.model = u"claude-haiku-4-5"_s;
    request.systemPrompt = u"You answer in one sentence."_s;
    request.userMessage = prompt;

    MessageCall *call = session.client()->send(request);
    QSignalSpy finished(call, &MessageCall::finished);
    QVERIFY(finished.wait(20'000));
    QVERIFY(call->succeeded());
    const QString answer = call->response().text();
    QVERIFY(!answer.isEmpty());

    const QByteArray bytes = readAll(log);
    QCOMPARE(bytes.count('\n'), 1); // one record, one line, whatever the text held
    QVERIFY(!bytes.contains(key.toUtf8()));
    QVERIFY(!bytes.contains("prompt-logging-key"));
    QVERIFY(!bytes.contains("You answer in one sentence"));
    const Expected<CallRecord> record = CallRecord::fromJsonLine(bytes);
    QVERIFY(record.hasValue());
    if (!logPrompts) {
        // Neither the text nor any piece of it, raw or escaped.
        QVERIFY(!bytes.contains("Line one"));
        QVERIFY(!bytes.contains("tabbed"));
        QVERIFY(!bytes.contains(answer.left(20).toUtf8()));
        QVERIFY(!record->extra.contains("prompt"_L1));
        QVERIFY(!record->extra.contains("answer"_L1));
        return;
    }
    QCOMPARE(record->extra.value("prompt"_L1).toString(), prompt);
    QCOMPARE(record->extra.value("answer"_L1).toString(), answer);
    QVERIFY(bytes.contains(R"("Line one\nLine \"two\"\r\n\ttabbed \\ back\u2028slash)"));
    // After the fixed keys, among the extras in key order: answer, ..., prompt, stream.
    const qsizetype lastFixed = bytes.indexOf("\"num_retrieved_docs\"");
    QVERIFY(lastFixed > 0);
    QVERIFY(bytes.indexOf("\"answer\":") > lastFixed);
    QVERIFY(bytes.indexOf("\"prompt\":") > bytes.indexOf("\"answer\":"));
    QVERIFY(bytes.indexOf("\"stream\":") > bytes.indexOf("\"prompt\":"));
}

QTEST_GUILESS_MAIN(tst_PromptLogging)
#include "tst_promptlogging.moc"
