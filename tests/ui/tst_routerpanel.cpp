#include "routerpanel/routerpanel.h"
#include "session/callsession.h"

#include "panelscreenshots.h"

#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>

using namespace Qt::Literals::StringLiterals;

namespace {

// Micro-dollars, so that sums of prices compare exactly.
qint64 micro(double usd)
{
    return qRound64(usd * 1e6);
}

Expected<void> startSession(CallSession &session, const QString &logPath)
{
    SessionOptions options;
    options.logPath = logPath;
    options.forceSimulator = true;
    options.simulatorLatencyScale = 0;
    return session.start(options);
}

} // namespace

class tst_RouterPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void previewFollowsTyping_data();
    void previewFollowsTyping();
    void testSetRunFillsTheTable();
    void replayRepricesTheLog();
    void rulesAreSavedAndReset();
    void renders();

private:
    QTemporaryDir m_dir;
    CallSession m_session;
};

void tst_RouterPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(u"OpsbenchTest"_s);
    QApplication::setApplicationName(u"tst_routerpanel"_s);
    QSettings().remove(u"router/rules"_s);
    QVERIFY(m_dir.isValid());
    const Expected<void> started = startSession(m_session, m_dir.filePath(u"calls.jsonl"_s));
    QVERIFY2(started, qPrintable(started ? QString() : started.error()));
}

void tst_RouterPanel::previewFollowsTyping_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("tier");

    QTest::newRow("short question") << u"What is 2+2?"_s << u"haiku"_s;
    QTest::newRow("code keyword") << u"Debug this function please"_s << u"sonnet"_s;
    QTest::newRow("inflected keyword") << u"I keep debugging errors"_s << u"sonnet"_s;
    QTest::newRow("high-stakes phrase") << u"Analyze in depth our churn"_s << u"opus"_s;
}

void tst_RouterPanel::previewFollowsTyping()
{
    QFETCH(QString, query);
    QFETCH(QString, tier);
    RouterPanel panel(&m_session);
    auto *editor = panel.findChild<QPlainTextEdit *>(u"query"_s);
    QSignalSpy changed(&panel, &RouterPanel::previewChanged);

    QTest::keyClicks(editor, query);

    QCOMPARE(changed.size(), query.size()); // once per key
    const Expected<ModelRouter> router =
        ModelRouter::create(RouterRules::builtIn(), m_session.prices());
    QVERIFY(router);
    const RouteDecision expected = router->route(query);
    const RouteDecision &shown = panel.preview();
    QCOMPARE(QString(routeTierName(shown.tier)), tier);
    QCOMPARE(shown.tier, expected.tier);
    QCOMPARE(shown.model, expected.model);
    QCOMPARE(shown.wordCount, expected.wordCount);
    QCOMPARE(shown.matchedKeywords, expected.matchedKeywords);
    QCOMPARE(shown.matchedPhrases, expected.matchedPhrases);
    QCOMPARE(shown.estimatedCostUsd, expected.estimatedCostUsd);
    const QString decision = panel.findChild<QLabel *>(u"decision"_s)->text();
    QVERIFY2(decision.contains(expected.model), qPrintable(decision));

    // Whatever the router matched is highlighted in the text, and nothing else.
    const QList<QTextLayout::FormatRange> marks =
        editor->document()->firstBlock().layout()->formats();
    QCOMPARE(marks.isEmpty(),
             expected.matchedKeywords.isEmpty() && expected.matchedPhrases.isEmpty());

    // The tier table prices the same estimate on every tier.
    auto *tiers = panel.findChild<QTableWidget *>(u"tierCosts"_s);
    QCOMPARE(tiers->item(int(expected.tier), 0)->text(), expected.model);
}

void tst_RouterPanel::testSetRunFillsTheTable()
{
    RouterPanel panel(&m_session);
    QSignalSpy finished(&panel, &RouterPanel::testSetFinished);

    panel.findChild<QPushButton *>(u"runTestSet"_s)->click();

    QVERIFY(finished.wait(30'000));
    auto *table = panel.findChild<QTableWidget *>(u"testSet"_s);
    QCOMPARE(table->rowCount(), 6);
    const Expected<ModelRouter> router =
        ModelRouter::create(RouterRules::builtIn(), m_session.prices());
    QVERIFY(router);
    double sum = 0;
    for (int row = 0; row < 6; ++row) {
        const QString query = table->item(row, 0)->text();
        QCOMPARE(table->item(row, 1)->text(), router->route(query).model);
        QVERIFY(table->item(row, 2)->text().toLongLong() > 0);
        QVERIFY(table->item(row, 3)->text().toLongLong() > 0);
        sum += table->item(row, 4)->text().mid(1).toDouble();
    }
    // The cells show six decimals, so their sum is within 6 x 5e-7 of the total.
    QVERIFY(qAbs(sum - panel.testSetTotalUsd()) < 6e-6);
    QVERIFY(panel.testSetTotalUsd() > 0);
    // Four of the six go to Haiku, so all on Sonnet costs more for the same tokens.
    QVERIFY(panel.testSetAllSonnetUsd() > panel.testSetTotalUsd());
    const QString total = panel.findChild<QLabel *>(u"testTotal"_s)->text();
    QVERIFY2(total.contains(u"for 6 calls"_s), qPrintable(total));
}

void tst_RouterPanel::replayRepricesTheLog()
{
    QTemporaryDir dir;
    const QString log = dir.filePath(u"replay.jsonl"_s);
    QVERIFY(QFile::copy(QFINDTESTDATA("../core/data/calls_replay.jsonl"), log));
    CallSession session;
    QVERIFY(startSession(session, log));
    RouterPanel panel(&session);
    QSignalSpy finished(&panel, &RouterPanel::replayFinished);

    panel.replayLog();

    QVERIFY(finished.wait(10'000));
    QVERIFY(panel.replay());
    const RouterReplay &replay = *panel.replay();
    // The fixture's four successful calls, in/out tokens: Haiku 1000/200, Sonnet 2000/500,
    // Opus 1000/1000 and an in-house model 100/100 logged at $0.004. Haiku 4.5 $1/$5,
    // Sonnet 4.6 $3/$15, Opus 4.8 $5/$25 per million tokens.
    QCOMPARE(replay.calls, 4);
    QCOMPARE(micro(replay.routedUsd), 2000 + 13500 + 30000 + 4000);
    // (1000 + 1000) + (2000 + 2500) + (1000 + 5000) + (100 + 500)
    QCOMPARE(micro(replay.allOnTierUsd[0]), 13100);
    // (3000 + 3000) + (6000 + 7500) + (3000 + 15000) + (300 + 1500)
    QCOMPARE(micro(replay.allOnTierUsd[1]), 39300);
    // (5000 + 5000) + (10000 + 12500) + (5000 + 25000) + (500 + 2500)
    QCOMPARE(micro(replay.allOnTierUsd[2]), 65500);
}

void tst_RouterPanel::rulesAreSavedAndReset()
{
    {
        RouterPanel panel(&m_session);
        RouterRules rules = panel.rules();
        rules.wordThreshold = 3;
        QVERIFY(panel.setRules(rules));
    }
    const Expected<RouterRules> saved =
        RouterRules::fromJson(QSettings().value(u"router/rules"_s).toByteArray(), u"settings"_s);
    QVERIFY(saved);
    QCOMPARE(saved->wordThreshold, 3);

    RouterPanel reopened(&m_session);
    QCOMPARE(reopened.rules().wordThreshold, 3);
    QCOMPARE(reopened.findChild<QSpinBox *>(u"threshold"_s)->value(), 3);
    QTest::keyClicks(reopened.findChild<QPlainTextEdit *>(u"query"_s), u"tell me more"_s);
    QCOMPARE(reopened.preview().tier, RouteTier::Sonnet); // three words reach the threshold

    reopened.resetRules();
    QVERIFY(reopened.rules() == RouterRules::builtIn());
    QVERIFY(!QSettings().contains(u"router/rules"_s));
}

void tst_RouterPanel::renders()
{
    RouterPanel panel(&m_session);
    QTest::keyClicks(panel.findChild<QPlainTextEdit *>(u"query"_s),
                     u"Debug this Python function and analyze in depth why it fails"_s);
    QSignalSpy tested(&panel, &RouterPanel::testSetFinished);
    QSignalSpy replayed(&panel, &RouterPanel::replayFinished);
    panel.runTestSet();
    QVERIFY(tested.wait(30'000));
    panel.replayLog();
    QVERIFY(replayed.wait(10'000));
    const QString problem = renderInBothPalettes(panel, u"router"_s);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

QTEST_MAIN(tst_RouterPanel)
#include "tst_routerpanel.moc"
