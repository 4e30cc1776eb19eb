#include "cachingpanel/cachingpanel.h"
#include "mainwindow.h"
#include "panels.h"
#include "retry/retryclock.h"
#include "retrylab/retrylabpanel.h"
#include "routerpanel/routerpanel.h"
#include "scenario/scenariorunner.h"
#include "scenarios/scenariocontrols.h"
#include "session/callsession.h"
#include "workbench.h"

#include <QAbstractAxis>
#include <QApplication>
#include <QChartView>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::Literals::StringLiterals;

namespace {

QAction *actionNamed(QMenu *menu, const QString &name)
{
    for (QAction *action : menu->actions()) {
        if (action->objectName() == name)
            return action;
    }
    return nullptr;
}

QString backendStatus(MainWindow *window)
{
    QStringList texts;
    for (const QLabel *label : window->statusBar()->findChildren<QLabel *>())
        texts.append(label->text());
    return texts.join(u" | "_s);
}

} // namespace

class tst_Classroom : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void presentationEnlargesAndRestores();
    void panelsMoveWithoutTheList();
    void scenariosAreDescribed();
    void cachingScenarioLandsOnItsPanel();
    void routerScenarioShowsTheSaving();
    void stormScenarioDrawsTheWaits();
    void leavingBringsTheBackendBack();

private:
    void loadFromMenu(const QString &id);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<VirtualClock> m_clock;
    std::unique_ptr<Workbench> m_workbench;
    Panels *m_panels = nullptr;
    MainWindow *m_window = nullptr;
};

void tst_Classroom::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(u"OpsbenchTest"_s);
    QApplication::setApplicationName(u"tst_classroom"_s);
    m_dir = std::make_unique<QTemporaryDir>();
    m_workbench = std::make_unique<Workbench>(
        Workbench::Options{true, m_dir->filePath(u"llm_calls.jsonl"_s)});
    m_panels = new Panels(m_workbench.get());
    m_window = m_workbench->window();
    QSignalSpy ready(m_workbench.get(), &Workbench::ready);
    m_workbench->start();
    QVERIFY(ready.count() == 1 || ready.wait(5000));
    // Retry-after waits pass in virtual time, so the storm costs the test no seconds.
    m_clock = std::make_unique<VirtualClock>(QDateTime::currentDateTimeUtc());
    m_clock->setAutoAdvance(true);
    m_workbench->session()->client()->setClock(m_clock.get());
    m_window->restoreSavedState();
    m_window->resize(1440, 900);
    m_window->show();
}

void tst_Classroom::cleanupTestCase()
{
    m_workbench.reset();
    m_clock.reset();
}

void tst_Classroom::presentationEnlargesAndRestores()
{
    m_window->showPanel(u"caching"_s);
    QWidget *caching = m_window->panel(u"caching"_s);
    QLabel *label = caching->findChild<QLabel *>();
    QChartView *chartView = caching->findChild<QChartView *>();
    QVERIFY(label && chartView && !chartView->chart()->axes().isEmpty());
    const auto labelSize = [label] { return label->font().pointSizeF(); };
    const auto axisSize = [chartView] {
        return chartView->chart()->axes().constFirst()->labelsFont().pointSizeF();
    };
    auto *navigation = m_window->findChild<QListWidget *>(u"navigation"_s);
    auto *title = m_window->findChild<QLabel *>(u"panelTitle"_s);
    const qreal labelBefore = labelSize();
    const qreal axisBefore = axisSize();
    const QPalette paletteBefore = QApplication::palette();
    const QFont fontBefore = QApplication::font();
    QVERIFY(navigation->isVisible());
    QVERIFY(!title->isVisible());

    QAction *presentation = m_window->findChild<QAction *>(u"presentation"_s);
    QCOMPARE(presentation->shortcut(), QKeySequence(Qt::Key_F5));
    presentation->trigger();

    QVERIFY(m_window->isPresentation());
    // The application font is 1.5 times as large, and every widget follows it.
    QCOMPARE(labelSize(), labelBefore * 1.5);
    QTRY_VERIFY(axisSize() >= QApplication::font().pointSizeF());
    QVERIFY(axisSize() > axisBefore);
    QVERIFY(!navigation->isVisible());
    QVERIFY(title->isVisible());
    QCOMPARE(title->text(), u"Caching"_s);
    QVERIFY(title->font().pointSizeF() > labelSize());
    QVERIFY(QApplication::palette() != paletteBefore);

    QTest::keyClick(m_window, Qt::Key_Escape);

    QVERIFY(!m_window->isPresentation());
    QVERIFY(!presentation->isChecked());
    QCOMPARE(QApplication::font(), fontBefore);
    QCOMPARE(labelSize(), labelBefore);
    QTRY_COMPARE(axisSize(), axisBefore);
    QCOMPARE(QApplication::palette(), paletteBefore);
    QVERIFY(navigation->isVisible());
    QVERIFY(!title->isVisible());
}

void tst_Classroom::panelsMoveWithoutTheList()
{
    m_window->setPresentation(true);
    m_window->showPanel(u"retry-lab"_s);
    auto *title = m_window->findChild<QLabel *>(u"panelTitle"_s);

    m_window->showAdjacentPanel(1); // the last panel wraps round to the first
    QCOMPARE(m_window->currentPanelId(), u"prompt"_s);
    QCOMPARE(title->text(), u"Prompt"_s);
    m_window->showAdjacentPanel(-1);
    QCOMPARE(m_window->currentPanelId(), u"retry-lab"_s);

    m_window->setPresentation(false);
}

void tst_Classroom::scenariosAreDescribed()
{
    const ScenarioControls *controls = m_panels->scenarios();
    QVERIFY(controls->scenarios().size() >= 3);
    for (const Scenario &scenario : controls->scenarios()) {
        QVERIFY(actionNamed(controls->menu(), scenario.id));
        QVERIFY(controls->descriptionsHtml().contains(scenario.name));
    }
}

void tst_Classroom::loadFromMenu(const QString &id)
{
    QAction *action = actionNamed(m_panels->scenarios()->menu(), id);
    QVERIFY(action);
    QSignalSpy finished(m_panels->scenarios(), &ScenarioControls::scenarioFinished);
    action->trigger();
    QVERIFY(finished.wait(10'000));
    QCOMPARE(finished.constFirst().constFirst().toString(), id);
}

void tst_Classroom::cachingScenarioLandsOnItsPanel()
{
    m_window->showPanel(u"prompt"_s);
    loadFromMenu(u"caching-pays-off"_s);

    QCOMPARE(m_window->currentPanelId(), u"caching"_s);
    QVERIFY(backendStatus(m_window).contains(u"Simulator (scenario: Caching pays off)"_s));
    auto *caching = static_cast<CachingPanel *>(m_window->panel(u"caching"_s));
    // Call 1 writes the handbook, calls 2-5 read what it wrote.
    QTRY_COMPARE(caching->measuredCalls().size(), 5);
    const QList<MeasuredCall> &calls = caching->measuredCalls();
    const qint64 written = calls.at(0).usage.cacheCreationInputTokens;
    QVERIFY(written > 0);
    QCOMPARE(calls.at(0).usage.cacheReadInputTokens, 0);
    for (qsizetype i = 1; i < calls.size(); ++i)
        QCOMPARE(calls.at(i).usage.cacheReadInputTokens, written);
    // The calculator took the scenario's inputs: 10,000 calls a day of the 6,186-token handbook.
    QCOMPARE(caching->scenario().callsPerDay, 10000.0);
    QCOMPARE(caching->scenario().cachedPromptTokens, qint64(6186));
}

void tst_Classroom::routerScenarioShowsTheSaving()
{
    loadFromMenu(u"router-saves-money"_s);

    QCOMPARE(m_window->currentPanelId(), u"router"_s);
    auto *router = static_cast<RouterPanel *>(m_window->panel(u"router"_s));
    QCOMPARE(router->findChild<QTableWidget *>(u"testSet"_s)->rowCount(), 6);
    QVERIFY(router->testSetTotalUsd() > 0);
    QCOMPARE(router->testSetTotalUsd(), m_panels->scenarios()->runner()->totalUsd());
    QVERIFY(router->testSetTotalUsd() < m_panels->scenarios()->runner()->allSonnetUsd());
}

void tst_Classroom::stormScenarioDrawsTheWaits()
{
    loadFromMenu(u"rate-limit-storm"_s);

    QCOMPARE(m_window->currentPanelId(), u"retry-lab"_s);
    auto *lab = static_cast<RetryLabPanel *>(m_window->panel(u"retry-lab"_s));
    QCOMPARE(lab->timelines().size(), 5);
    for (const CallTimeline &line : lab->timelines()) {
        QVERIFY(line.succeeded);
        // Two 429s with retry-after: at least two waits chosen by the server, one second each.
        int serverWaits = 0;
        for (const TimelineSegment &segment : line.segments) {
            if (segment.kind == TimelineSegment::Kind::RetryAfter) {
                ++serverWaits;
                QCOMPARE(segment.endMs - segment.startMs, 1000);
            }
        }
        QVERIFY(serverWaits >= 2);
    }
}

void tst_Classroom::leavingBringsTheBackendBack()
{
    QAction *leave = nullptr;
    for (QAction *action : m_panels->scenarios()->menu()->actions()) {
        if (action->text().contains(u"Leave"_s))
            leave = action;
    }
    QVERIFY(leave && leave->isEnabled());
    leave->trigger();
    QVERIFY(!leave->isEnabled());
    QVERIFY(m_workbench->scenarioName().isEmpty());
    QVERIFY(!backendStatus(m_window).contains(u"scenario"_s));
}

QTEST_MAIN(tst_Classroom)
#include "tst_classroom.moc"
