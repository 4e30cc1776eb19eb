#include "../core/unprivileged.h"
#include "calllog/callrecord.h"
#include "mainwindow.h"
#include "promptpanel/callcard.h"
#include "promptpanel/promptpanel.h"
#include "promptpanel/queryrunview.h"
#include "promptpanel/retrytimeline.h"
#include "router/modelrouter.h"
#include "screenshots.h"
#include "session/callsession.h"
#include "session/queryrun.h"
#include "sim/simulator.h"

#include <QAction>
#include <QBarSet>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <memory>

using namespace Qt::Literals::StringLiterals;

Q_DECLARE_METATYPE(Backend)

namespace {

const QString haiku = u"claude-haiku-4-5-20251001"_s;
const QString sonnet = u"claude-sonnet-4-6"_s;
constexpr int callTimeoutMs = 15'000;

// "$0.001234" -> 1234 micro-dollars.
qint64 microUsd(const QString &shown)
{
    QString digits = shown;
    digits.remove(u"<b>"_s).remove(u"</b>"_s).remove(u'$').remove(u'.');
    bool ok = false;
    const qint64 value = digits.toLongLong(&ok);
    return ok ? value : -1;
}

QString labelText(QWidget *parent, const QString &name)
{
    auto *label = parent->findChild<QLabel *>(name);
    return label ? label->text() : u"<no label %1>"_s.arg(name);
}

} // namespace

class tst_PromptPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sendShowsStreamedAnswerAndCard_data();
    void sendShowsStreamedAnswerAndCard();
    void secondCachedCallReadsTheCache_data();
    void secondCachedCallReadsTheCache();
    void cachingHintFollowsTheModel_data();
    void cachingHintFollowsTheModel();
    void rateLimitsShowOnTheTimeline_data();
    void rateLimitsShowOnTheTimeline();
    void cancelMidStreamEndsCleanly();
    void fiveQueryRunChartsEveryCall();
    void routerModeShowsItsDecision();
    void ctrlReturnSendsFromTheMessage();
    void errorsAreExplainedInPlainWords_data();
    void errorsAreExplainedInPlainWords();
    void callsThatCannotBeLoggedAreStillShown_data();
    void callsThatCannotBeLoggedAreStillShown();
    void rendersInBothPalettes();

private:
    std::unique_ptr<CallSession> startSession(const RetryPolicy &retry = RetryPolicy());
    static void selectModel(PromptPanel &panel, const QString &modelId);
    static void setMessage(PromptPanel &panel, const QString &text);
    static CallCard *sendAndWait(PromptPanel &panel);
    static CallRecord lastLogged(const CallSession &session);

    QTemporaryDir m_dir;
    int m_sessions = 0;
};

void tst_PromptPanel::initTestCase()
{
    qunsetenv("ANTHROPIC_API_KEY");
    qunsetenv("ANTHROPIC_BASE_URL");
    QVERIFY(m_dir.isValid());
}

std::unique_ptr<CallSession> tst_PromptPanel::startSession(const RetryPolicy &retry)
{
    auto session = std::make_unique<CallSession>();
    SessionOptions options;
    options.logPath = m_dir.filePath(u"calls-%1.jsonl"_s.arg(++m_sessions));
    options.simulatorLatencyScale = 0;
    options.retry = retry;
    const Expected<void> started = session->start(options);
    if (!started) {
        qWarning() << started.error();
        return nullptr;
    }
    return session;
}

void tst_PromptPanel::selectModel(PromptPanel &panel, const QString &modelId)
{
    auto *model = panel.findChild<QComboBox *>(u"model"_s);
    model->setCurrentIndex(model->findData(modelId));
}

void tst_PromptPanel::setMessage(PromptPanel &panel, const QString &text)
{
    panel.findChild<QPlainTextEdit *>(u"userMessage"_s)->setPlainText(text);
}

CallCard *tst_PromptPanel::sendAndWait(PromptPanel &panel)
{
    const qsizetype before = panel.cards().size();
    QSignalSpy finished(&panel, &PromptPanel::callFinished);
    panel.findChild<QPushButton *>(u"send"_s)->click();
    if (!finished.wait(callTimeoutMs) || panel.cards().size() != before + 1)
        return nullptr;
    return panel.cards().constFirst();
}

CallRecord tst_PromptPanel::lastLogged(const CallSession &session)
{
    QFile log(session.logPath());
    if (!log.open(QIODevice::ReadOnly))
        return {};
    const QList<QByteArray> lines = log.readAll().trimmed().split('\n');
    const Expected<CallRecord> record = CallRecord::fromJsonLine(lines.last());
    return record ? *record : CallRecord();
}

void tst_PromptPanel::sendShowsStreamedAnswerAndCard_data()
{
    QTest::addColumn<bool>("stream");
    QTest::addColumn<bool>("rag");
    QTest::newRow("streamed, with retrieval") << true << true;
    QTest::newRow("whole answer, no retrieval") << false << false;
}

void tst_PromptPanel::sendShowsStreamedAnswerAndCard()
{
    QFETCH(bool, stream);
    QFETCH(bool, rag);
    const std::unique_ptr<CallSession> session = startSession();
    QVERIFY(session);
    PromptPanel panel(session.get());
    panel.findChild<QCheckBox *>(u"streaming"_s)->setChecked(stream);
    panel.findChild<QCheckBox *>(u"ragEnabled"_s)->setChecked(rag);
    auto *answer = panel.findChild<QPlainTextEdit *>(u"answer"_s);
    QSignalSpy answerChanges(answer, &QPlainTextEdit::textChanged);

    CallCard *card = sendAndWait(panel);

    QVERIFY(card);
    const CallRecord logged = lastLogged(*session);
    QCOMPARE(logged.finishReason, u"end_turn"_s);
    QVERIFY(!answer->toPlainText().isEmpty());
    // A stream arrives in pieces: the view changed more than once (cleared, then each delta).
    QCOMPARE(answerChanges.count() > 2, stream);
    QCOMPARE(card->call().record.requestId, logged.requestId);
    QCOMPARE(logged.extra.value("stream"_L1).toBool(), stream);

    // The four parts, as shown, add up to the total shown, which is the logged cost in
    // micro-dollars; that cost is Haiku 4.5's: (input*1 + output*5 + read*0.10 + write*1.25) / 1e6.
    qint64 parts = 0;
    for (int i = 0; i < 4; ++i)
        parts += microUsd(labelText(card, u"cost%1"_s.arg(i)));
    const qint64 total = microUsd(labelText(card, u"costTotal"_s));
    QCOMPARE(parts, total);
    QCOMPARE(total, std::llround(logged.costUsd * 1e6));
    const double byHand = (double(logged.inputTokens) * 1.0 + double(logged.outputTokens) * 5.0
                           + double(logged.cacheReadInputTokens) * 0.10
                           + double(logged.cacheCreationInputTokens) * 1.25)
                          / 1e6;
    QVERIFY(qFuzzyCompare(logged.costUsd, byHand));
    QCOMPARE(labelText(card, u"tokens0"_s), QLocale().toString(logged.inputTokens));
    QCOMPARE(labelText(card, u"tokens3"_s), QLocale().toString(logged.outputTokens));

    QCOMPARE(labelText(card, u"timing"_s).startsWith(u"First token"_s), stream);
    QVERIFY(labelText(card, u"finishReason"_s).contains(u"end_turn"_s));
    QCOMPARE(labelText(card, u"attemptCount"_s), u"1 attempt, no retries"_s);
    QVERIFY(!card->findChild<RetryTimeline *>());
    QCOMPARE(logged.numRetrievedDocs, rag ? 3LL : 0LL);
    QCOMPARE(card->findChild<QLabel *>(u"retrievedDocuments"_s) != nullptr, rag);
    if (rag) {
        const RetrievedPassage &best = card->call().passages.constFirst();
        QVERIFY(labelText(card, u"retrievedDocuments"_s).contains(best.documentName));
    }
}

void tst_PromptPanel::secondCachedCallReadsTheCache_data()
{
    QTest::addColumn<int>("cachingIndex");
    QTest::addColumn<QString>("writeRate");
    // Haiku 4.5 writes at $1.25/M for five minutes and $2/M for an hour.
    QTest::newRow("5 minutes") << 1 << u"$1.25/M"_s;
    QTest::newRow("1 hour") << 2 << u"$2.00/M"_s;
}

void tst_PromptPanel::secondCachedCallReadsTheCache()
{
    QFETCH(int, cachingIndex);
    QFETCH(QString, writeRate);
    const std::unique_ptr<CallSession> session = startSession();
    QVERIFY(session);
    PromptPanel panel(session.get());
    panel.findChild<QComboBox *>(u"caching"_s)->setCurrentIndex(cachingIndex);

    CallCard *first = sendAndWait(panel);
    QVERIFY(first);
    setMessage(panel, QueryRun::builtInQueries().at(1));
    CallCard *second = sendAndWait(panel);
    QVERIFY(second);

    // The first call writes the bundled prompt to the cache; the second reads exactly that.
    QCOMPARE(panel.cards(), (QList<CallCard *>{second, first}));
    QCOMPARE(first->call().record.cacheReadInputTokens, 0LL);
    const qint64 written = first->call().record.cacheCreationInputTokens;
    QVERIFY(written >= 4096);
    QCOMPARE(second->call().record.cacheReadInputTokens, written);
    QCOMPARE(labelText(second, u"tokens2"_s), QLocale().toString(written));
    QVERIFY(microUsd(labelText(second, u"cost2"_s)) > 0);
    QCOMPARE(labelText(second, u"tokens1"_s), u"0"_s);

    // The write is priced at the TTL's own rate, and the card still adds up to the log.
    QCOMPARE(first->call().price->cost(first->call().record.usage()), first->call().record.costUsd);
    const qint64 writeCost = microUsd(labelText(first, u"cost1"_s));
    const double rate = writeRate == "$2.00/M"_L1 ? 2.0 : 1.25;
    // Shown in whole micro-dollars, rounded together with the other parts: within one of it.
    QVERIFY(std::abs(double(writeCost) - double(written) * rate) < 1.0);
    QCOMPARE(microUsd(labelText(first, u"costTotal"_s)),
             std::llround(first->call().record.costUsd * 1e6));
}

void tst_PromptPanel::cachingHintFollowsTheModel_data()
{
    QTest::addColumn<int>("promptBytes");
    QTest::addColumn<QString>("model");
    QTest::addColumn<qint64>("tokens");
    QTest::addColumn<bool>("cacheable");
    QTest::addColumn<qint64>("minimum");
    // ceil(10,000 / 4) = 2,500 tokens: under Haiku 4.5's 4,096, over Sonnet 4.6's 2,048.
    QTest::newRow("2,500 tokens on Haiku 4.5") << 10'000 << haiku << 2500LL << false << 4096LL;
    QTest::newRow("2,500 tokens on Sonnet 4.6") << 10'000 << sonnet << 2500LL << true << 2048LL;
    // ceil(8,190 / 4) = 2,048: exactly the minimum counts.
    QTest::newRow("2,048 tokens on Sonnet 4.6") << 8'190 << sonnet << 2048LL << true << 2048LL;
    QTest::newRow("2,047 tokens on Sonnet 4.6") << 8'188 << sonnet << 2047LL << false << 2048LL;
}

void tst_PromptPanel::cachingHintFollowsTheModel()
{
    QFETCH(int, promptBytes);
    QFETCH(QString, model);
    QFETCH(qint64, tokens);
    QFETCH(bool, cacheable);
    QFETCH(qint64, minimum);
    const std::unique_ptr<CallSession> session = startSession();
    QVERIFY(session);
    PromptPanel panel(session.get());
    panel.findChild<QPlainTextEdit *>(u"systemPrompt"_s)->setPlainText(QString(promptBytes, u'a'));
    selectModel(panel, model == haiku ? sonnet : haiku);
    const QString before = labelText(&panel, u"promptEstimate"_s);

    selectModel(panel, model);

    const QString hint = labelText(&panel, u"promptEstimate"_s);
    QVERIFY(hint != before);
    const QLocale locale;
    QVERIFY2(hint.startsWith(u"About %1 tokens"_s.arg(locale.toString(tokens))), qPrintable(hint));
    QVERIFY2(hint.contains(locale.toString(minimum)), qPrintable(hint));
    QCOMPARE(hint.contains(u"Long enough to be cached"_s), cacheable);
    QCOMPARE(hint.contains(u"Too short to be cached"_s), !cacheable);
}

void tst_PromptPanel::rateLimitsShowOnTheTimeline_data()
{
    QTest::addColumn<int>("failFirst");
    QTest::addColumn<int>("attempts");
    QTest::addColumn<bool>("answered");
    QTest::newRow("two 429s, then an answer") << 2 << 3 << true;
    QTest::newRow("429s until attempts run out") << 5 << 3 << false;
}

void tst_PromptPanel::rateLimitsShowOnTheTimeline()
{
    QFETCH(int, failFirst);
    QFETCH(int, attempts);
    QFETCH(bool, answered);
    RetryPolicy retry;
    retry.setMaxAttempts(3);
    retry.setBaseDelayMs(5);
    retry.setMaxDelayMs(40);
    const std::unique_ptr<CallSession> session = startSession(retry);
    QVERIFY(session);
    SimFaults faults;
    faults.failFirst = failFirst;
    faults.failStatus = 429;
    faults.retryAfterSeconds = 0.02;
    session->simulator()->setFaults(faults);
    PromptPanel panel(session.get());
    panel.findChild<QCheckBox *>(u"ragEnabled"_s)->setChecked(false);

    CallCard *card = sendAndWait(panel);

    QVERIFY(card);
    auto *timeline = card->findChild<RetryTimeline *>(u"retryTimeline"_s);
    QVERIFY(timeline);
    const QList<AttemptSpan> spans = timeline->attempts();
    QCOMPARE(int(spans.size()), attempts);
    for (int i = 0; i < attempts - 1; ++i) {
        QCOMPARE(spans.at(i).outcome, AttemptSpan::Outcome::Failed);
        QCOMPARE(spans.at(i).label, u"429 rate_limit_error"_s);
        QVERIFY(spans.at(i).endMs <= spans.at(i + 1).startMs);
    }
    QCOMPARE(spans.last().outcome,
             answered ? AttemptSpan::Outcome::Succeeded : AttemptSpan::Outcome::Failed);
    QCOMPARE(int(timeline->waitsMs().size()), attempts - 1);
    QVERIFY(labelText(card, u"attemptCount"_s).startsWith(u"%1 attempts"_s.arg(attempts)));
    QCOMPARE(lastLogged(*session).extra.value("attempts"_L1).toInt(), attempts);

    auto *banner = panel.findChild<QLabel *>(u"errorBanner"_s);
    QCOMPARE(banner->isVisibleTo(&panel), !answered);
    if (!answered) {
        QVERIFY2(banner->text().contains(u"Rate limited"_s), qPrintable(banner->text()));
        QVERIFY2(banner->text().contains(u"retried 2 times"_s), qPrintable(banner->text()));
        QCOMPARE(lastLogged(*session).finishReason, u"error"_s);
    }
}

void tst_PromptPanel::cancelMidStreamEndsCleanly()
{
    const std::unique_ptr<CallSession> session = startSession();
    QVERIFY(session);
    // Twice real time: at Haiku's 75 tokens a second the stream runs long enough to cut.
    session->simulator()->setLatencyScale(2.0);
    PromptPanel panel(session.get());
    panel.findChild<QCheckBox *>(u"ragEnabled"_s)->setChecked(false);
    panel.findChild<QSpinBox *>(u"maxTokens"_s)->setValue(4000);
    auto *answer = panel.findChild<QPlainTextEdit *>(u"answer"_s);
    QSignalSpy finished(&panel, &PromptPanel::callFinished);

    panel.findChild<QPushButton *>(u"send"_s)->click();
    QTRY_VERIFY_WITH_TIMEOUT(!answer->toPlainText().isEmpty(), callTimeoutMs);
    QVERIFY(panel.isBusy());
    panel.findChild<QPushButton *>(u"cancel"_s)->click();

    // The call may end inside cancel() itself, so count rather than wait for a new signal.
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), qsizetype(1), callTimeoutMs);
    QVERIFY(!panel.isBusy());
    QVERIFY(!answer->toPlainText().isEmpty()); // what arrived is kept
    QVERIFY2(labelText(&panel, u"callStatus"_s).startsWith(u"Cancelled"_s),
             qPrintable(labelText(&panel, u"callStatus"_s)));
    QVERIFY(labelText(panel.cards().constFirst(), u"finishReason"_s).contains(u"cancelled"_s));
    QVERIFY(!panel.findChild<QLabel *>(u"errorBanner"_s)->isVisibleTo(&panel));
    QCOMPARE(lastLogged(*session).finishReason, u"cancelled"_s);
}

void tst_PromptPanel::fiveQueryRunChartsEveryCall()
{
    const std::unique_ptr<CallSession> session = startSession();
    QVERIFY(session);
    PromptPanel panel(session.get());
    panel.findChild<QComboBox *>(u"caching"_s)->setCurrentIndex(1); // 5 minutes
    QueryRunView *view = panel.testRunView();
    QSignalSpy finished(view, &QueryRunView::finished);

    panel.findChild<QPushButton *>(u"runTestQueries"_s)->click();

    QVERIFY(finished.wait(callTimeoutMs));
    QVERIFY(!panel.isBusy());
    const QueryRun *run = view->run();
    QCOMPARE(run->outcomes().size(), qsizetype(5));
    QCOMPARE(view->cacheReadSet()->count(), 5);
    QCOMPARE(view->cacheWriteSet()->count(), 5);
    for (int i = 0; i < 5; ++i) {
        const CallRecord &record = *run->outcomes().at(i).record;
        QCOMPARE(view->cacheReadSet()->at(i), double(record.cacheReadInputTokens));
        QCOMPARE(view->cacheWriteSet()->at(i), double(record.cacheCreationInputTokens));
        QCOMPARE(record.numRetrievedDocs, 3LL);
    }
    // The first call writes the prompt to the cache and every later one reads it.
    QCOMPARE(view->cacheReadSet()->at(0), 0.0);
    QVERIFY(view->cacheWriteSet()->at(0) > 0);
    for (int i = 1; i < 5; ++i)
        QCOMPARE(view->cacheReadSet()->at(i), view->cacheWriteSet()->at(0));

    const Expected<LogStats> summary = run->summary();
    QVERIFY(summary);
    const GroupStats overall = summary->overall();
    QCOMPARE(overall.records, 5LL);
    const QLocale locale;
    QCOMPARE(labelText(view, u"runTotalCost"_s), u"$"_s + QString::number(overall.costUsd, 'f', 6));
    QCOMPARE(labelText(view, u"runMeanLatency"_s),
             locale.toString(overall.meanLatencyMs(), 'f', 0) + u" ms"_s);
    QCOMPARE(labelText(view, u"runCacheHitRate"_s),
             locale.toString(overall.cacheHitRate() * 100, 'f', 1) + u" %"_s);
    QVERIFY(overall.cacheHitRate() > 0.5); // four of five calls read a prompt of 6,000 tokens
}

void tst_PromptPanel::routerModeShowsItsDecision()
{
    const std::unique_ptr<CallSession> session = startSession();
    QVERIFY(session);
    PromptPanel panel(session.get());
    panel.findChild<QCheckBox *>(u"ragEnabled"_s)->setChecked(false);
    const QString question = u"Write a python function that parses the rental log"_s;
    setMessage(panel, question);
    selectModel(panel, QString()); // Auto (router)

    const Expected<ModelRouter> router =
        ModelRouter::create(RouterRules::builtIn(), session->prices());
    QVERIFY(router);
    const RouteDecision expected =
        router->route(question, QueryRun::builtInSystemPrompt(),
                      panel.findChild<QSpinBox *>(u"maxTokens"_s)->value());
    QCOMPARE(expected.tier, RouteTier::Sonnet); // "python" and "function" are code keywords
    auto *preview = panel.findChild<QLabel *>(u"routeDecision"_s);
    QVERIFY(preview->isVisibleTo(&panel));
    QVERIFY2(preview->text().contains(expected.reason), qPrintable(preview->text()));

    CallCard *card = sendAndWait(panel);

    QVERIFY(card);
    QVERIFY(labelText(card, u"routeReason"_s).contains(expected.reason));
    const CallRecord logged = lastLogged(*session);
    QCOMPARE(logged.model, expected.model);
    QCOMPARE(logged.extra.value("route_reason"_L1).toString(), expected.reason);
}

void tst_PromptPanel::ctrlReturnSendsFromTheMessage()
{
    const std::unique_ptr<CallSession> session = startSession();
    QVERIFY(session);
    PromptPanel panel(session.get());
    QAction *send = panel.sendAction();

    // The shortcut works from any child of the panel, the editors included. Synthesised key
    // clicks reach the shortcut map only some of the time on the offscreen platform, so the
    // binding is checked here and the action triggered directly.
    QVERIFY(send->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::Key_Return)));
    QCOMPARE(send->shortcutContext(), Qt::WidgetWithChildrenShortcut);
    QVERIFY(panel.actions().contains(send));
    QSignalSpy finished(&panel, &PromptPanel::callFinished);
    send->trigger();

    QVERIFY(finished.wait(callTimeoutMs));
    QCOMPARE(panel.cards().size(), qsizetype(1));
    QVERIFY(send->isEnabled()); // enabled again once the call is over
}

void tst_PromptPanel::errorsAreExplainedInPlainWords_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("attempts");
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("tryThis");
    QTest::newRow("429 after five attempts")
        << 429 << u"rate_limit_error"_s << 5 << Backend::Simulator
        << u"Rate limited (HTTP 429). Opsbench retried 4 times"_s << u"Wait a minute"_s;
    QTest::newRow("no key against the API")
        << 401 << u"authentication_error"_s << 1 << Backend::AnthropicApi
        << u"refused the credentials (HTTP 401"_s << u"set a key in Settings"_s;
    QTest::newRow("529 overloaded")
        << 529 << u"overloaded_error"_s << 2 << Backend::AnthropicApi
        << u"overloaded or failing (HTTP 529). Opsbench retried 1 time"_s << u"clears by itself"_s;
    QTest::newRow("bad request") << 400 << u"invalid_request_error"_s << 1 << Backend::Custom
                                 << u"rejected the request (HTTP 400"_s
                                 << u"Fix what the message"_s;
}

void tst_PromptPanel::errorsAreExplainedInPlainWords()
{
    QFETCH(int, status);
    QFETCH(QString, type);
    QFETCH(int, attempts);
    QFETCH(Backend, backend);
    QFETCH(QString, what);
    QFETCH(QString, tryThis);
    ApiError error;
    error.httpStatus = status;
    error.type = type;
    error.message = u"something went wrong"_s;

    const ErrorExplanation explanation = ErrorExplanation::of(error, attempts, backend);

    QVERIFY2(explanation.what.contains(what), qPrintable(explanation.what));
    QVERIFY2(explanation.tryThis.contains(tryThis), qPrintable(explanation.tryThis));
    QCOMPARE(explanation.details, error.describe());
}

void tst_PromptPanel::callsThatCannotBeLoggedAreStillShown_data()
{
    QTest::addColumn<bool>("readOnly");
    QTest::addColumn<QString>("reason");

    QTest::newRow("full disk") << false << u"No space left"_s;
    QTest::newRow("read-only log") << true << u"Permission denied"_s;
}

void tst_PromptPanel::callsThatCannotBeLoggedAreStillShown()
{
    QFETCH(bool, readOnly);
    QFETCH(QString, reason);
    const QFile::Permissions readable = QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther;
    const QFile::Permissions writable = QFile::WriteOwner | QFile::WriteGroup | QFile::WriteOther;
    const QFile::Permissions searchable = QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther;
    SessionOptions options;
    options.simulatorLatencyScale = 0;
    options.logRequired = false;      // as the workbench starts it
    options.logPath = u"/dev/full"_s; // opens, and refuses every byte with ENOSPC
    if (readOnly) {
        options.logPath = m_dir.filePath(u"read-only.jsonl"_s);
        QFile log(options.logPath);
        QVERIFY(log.open(QIODevice::WriteOnly));
        log.close();
        QVERIFY(QFile::setPermissions(options.logPath, readable));
        QVERIFY(QFile::setPermissions(m_dir.path(), readable | searchable | QFile::WriteOwner));
    }
    CallSession session;
    MainWindow window;
    PromptPanel *panel = nullptr;
    QLabel *banner = nullptr;

    {
        const Unprivileged unprivileged;
        if (!unprivileged.isActive())
            QSKIP("running as root and cannot drop to an unprivileged user");
        QVERIFY(session.start(options).hasValue());
        panel = new PromptPanel(&session);
        window.addPanel(panel, u"prompt"_s, u"Prompt"_s);
        banner = panel->findChild<QLabel *>(u"errorBanner"_s);
        QVERIFY(banner);

        // Each call is answered and explained as usual; the banner and the card say, naming
        // the file, that it is not in the log.
        for (int i = 1; i <= 2; ++i) {
            CallCard *card = sendAndWait(*panel);
            QVERIFY(card);
            QVERIFY(!panel->findChild<QPlainTextEdit *>(u"answer"_s)->toPlainText().isEmpty());
            const CallRecord &record = card->call().record;
            QVERIFY(record.inputTokens > 0 && record.outputTokens > 0);
            QCOMPARE(labelText(card, u"tokens0"_s), QLocale().toString(record.inputTokens));
            QCOMPARE(microUsd(labelText(card, u"costTotal"_s)), std::llround(record.costUsd * 1e6));
            QVERIFY(record.costUsd > 0);
            const QString onCard = labelText(card, u"cardLogFailure"_s);
            QVERIFY2(onCard.contains(options.logPath + u':') && onCard.contains(reason),
                     qPrintable(onCard));
            QVERIFY(banner->isVisibleTo(panel));
            QVERIFY2(banner->text().contains(options.logPath) && banner->text().contains(reason),
                     qPrintable(banner->text()));
            QCOMPARE(panel->cards().size(), qsizetype(i));
        }
    }

    // OPSBENCH_SHOTS keeps the pictures of the banner and the card for a person to look at.
    const QString shots = qEnvironmentVariableIsSet("OPSBENCH_SHOTS")
                              ? qEnvironmentVariable("OPSBENCH_SHOTS")
                              : m_dir.filePath(u"shots"_s);
    QVERIFY(renderScreenshots(window, shots + u"/not-logged"_s, QSize(1440, 900)));

    // With a log that can be written again, the next call is logged and nothing is reported.
    if (readOnly) {
        QVERIFY(QFile::setPermissions(options.logPath, readable | writable));
    } else {
        options.logPath = m_dir.filePath(u"calls-%1.jsonl"_s.arg(++m_sessions));
        QVERIFY(session.start(options).hasValue());
    }
    CallCard *card = nullptr;
    {
        const Unprivileged unprivileged;
        card = sendAndWait(*panel);
    }

    QVERIFY(card);
    QVERIFY(!card->findChild<QLabel *>(u"cardLogFailure"_s));
    QVERIFY(!banner->isVisibleTo(panel));
    QCOMPARE(lastLogged(session).requestId, card->call().record.requestId);
}

void tst_PromptPanel::rendersInBothPalettes()
{
    // OPSBENCH_SHOTS keeps the pictures for a person to look at.
    const QString folder = qEnvironmentVariableIsSet("OPSBENCH_SHOTS")
                               ? qEnvironmentVariable("OPSBENCH_SHOTS")
                               : m_dir.filePath(u"shots"_s);
    RetryPolicy retry;
    retry.setBaseDelayMs(5);
    const std::unique_ptr<CallSession> session = startSession(retry);
    QVERIFY(session);
    MainWindow window;
    auto *panel = new PromptPanel(session.get());
    window.addPanel(panel, u"prompt"_s, u"Prompt"_s);
    panel->findChild<QComboBox *>(u"caching"_s)->setCurrentIndex(1);
    QVERIFY(sendAndWait(*panel));
    SimFaults faults;
    faults.failFirst = 2;
    session->simulator()->setFaults(faults);
    setMessage(*panel, QueryRun::builtInQueries().at(3));
    QVERIFY(sendAndWait(*panel));

    const Expected<QStringList> written = renderScreenshots(window, folder, QSize(1440, 900));
    QVERIFY2(written, qPrintable(written ? QString() : written.error()));
    QCOMPARE(written->size(), qsizetype(2));
    const Expected<QStringList> small =
        renderScreenshots(window, folder + u"/1280"_s, QSize(1280, 800));
    QVERIFY(small);

    QSignalSpy runFinished(panel->testRunView(), &QueryRunView::finished);
    panel->runTestQueriesAction()->trigger();
    QVERIFY(runFinished.wait(callTimeoutMs));
    QVERIFY(renderScreenshots(window, folder + u"/run"_s, QSize(1440, 900)));

    faults.failFirst = 10; // more than the five attempts: the call fails and says why
    session->simulator()->setFaults(faults);
    QVERIFY(sendAndWait(*panel));
    QVERIFY(renderScreenshots(window, folder + u"/error"_s, QSize(1440, 900)));
    Theme::apply(Theme::Mode::Light);
}

QTEST_MAIN(tst_PromptPanel)
#include "tst_promptpanel.moc"
