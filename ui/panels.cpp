#include "panels.h"

#include "cachingpanel/cachingpanel.h"
#include "capacitypanel/capacitypanel.h"
#include "logpanel/logpanel.h"
#include "mainwindow.h"
#include "promptpanel/promptpanel.h"
#include "retrylab/retrylabpanel.h"
#include "routerpanel/routerpanel.h"
#include "scenarios/scenariocontrols.h"
#include "workbench.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QTimer>

using namespace Qt::Literals::StringLiterals;

Panels::Panels(Workbench *workbench)
    : QObject(workbench)
    , m_workbench(workbench)
{
    MainWindow *window = workbench->window();
    m_prompt = new PromptPanel(workbench->session());
    m_prompt->setModel(workbench->settings().defaultModel);
    window->addPanel(m_prompt, u"prompt"_s, u"Prompt"_s);
    m_router = new RouterPanel(workbench->session());
    window->addPanel(m_router, u"router"_s, u"Router"_s);
    m_caching = new CachingPanel(workbench->session());
    window->addPanel(m_caching, u"caching"_s, u"Caching"_s);
    m_log = new LogPanel(workbench->session()->prices());
    window->addPanel(m_log, u"log"_s, u"Log"_s);
    m_capacity = new CapacityPanel(workbench->session());
    window->addPanel(m_capacity, u"capacity"_s, u"Capacity"_s);
    m_retryLab = new RetryLabPanel(workbench->session());
    window->addPanel(m_retryLab, u"retry-lab"_s, u"Retry lab"_s);

    // The log panel's Open, recent files and exports go first in the File menu.
    QMenu *file = window->menu(MainWindow::Menu::File);
    QAction *first = file->actions().value(0);
    file->insertActions(first, m_log->fileActions());
    file->insertSeparator(first);

    // Sending is in the Prompt panel's own buttons; the menu names the shortcuts.
    QMenu *calls = window->menuBar()->addMenu(u"&Calls"_s);
    window->menuBar()->insertMenu(window->menu(MainWindow::Menu::Simulator)->menuAction(), calls);
    calls->addActions(
        {m_prompt->sendAction(), m_prompt->cancelAction(), m_prompt->runTestQueriesAction()});

    m_scenarios = new ScenarioControls(workbench, {m_caching, m_router, m_retryLab}, this);

    connect(workbench, &Workbench::ready, this, &Panels::sessionReady);
    connect(workbench->session(), &CallSession::backendChanged, this, &Panels::sessionReady);
}

void Panels::sessionReady()
{
    // The Log panel follows the log the session writes, so every call appears as it ends.
    const QString path = m_workbench->session()->logPath();
    if (m_log->logPath() != path)
        m_log->followLog(path);
}

void Panels::openSampleLog(const std::function<void()> &loaded)
{
    const QString sample = QDir(QFileInfo(m_workbench->session()->logPath()).absolutePath())
                               .filePath(u"sample_calls.jsonl"_s);
    QFile::remove(sample);
    QFile::copy(u":/opsbench/sample/llm_calls.jsonl"_s, sample);
    QFile::setPermissions(sample, QFile::ReadOwner | QFile::WriteOwner);
    // With a call selected, so that the picture shows a line of the log as it is written.
    connect(
        m_log, &LogPanel::loaded, this,
        [this, loaded] {
            m_log->selectRow(2);
            loaded();
        },
        Qt::SingleShotConnection);
    m_log->openLog(sample);
}

void Panels::prepareScreenshots(std::function<void()> done)
{
    // Two things to wait for: a call from the Prompt panel (so it shows an answer and its call
    // card), and after it the Router panel's test set, a Retry lab run through two rate limits
    // per call, the Router panel's replay of the session's log so far, the "Caching pays off"
    // scenario measured by the Caching panel and, last, the sample log indexed by the Log panel
    // (last, since a scenario restarts the session and the Log panel then follows the session's
    // log).
    auto waiting = std::make_shared<int>(2);
    auto oneDone = [waiting, done] {
        if (--*waiting == 0)
            QTimer::singleShot(0, done);
    };
    connect(m_prompt, &PromptPanel::callFinished, this, oneDone, Qt::SingleShotConnection);
    connect(
        m_scenarios, &ScenarioControls::scenarioFinished, this,
        [this, oneDone] {
            // The panel reads the log in a worker, once per call and once more at the end.
            auto measured = std::make_shared<QMetaObject::Connection>();
            *measured =
                connect(m_caching, &CachingPanel::measuredChanged, this, [this, oneDone, measured] {
                    if (m_caching->measuredCalls().size() < 5)
                        return;
                    disconnect(*measured);
                    openSampleLog(oneDone);
                });
            m_caching->refreshMeasured();
        },
        Qt::SingleShotConnection);

    // One after another, since they share the simulator: the Retry lab's injected rate limits
    // would hit the others' calls too.
    connect(m_prompt, &PromptPanel::callFinished, m_router, &RouterPanel::runTestSet,
            Qt::SingleShotConnection);
    connect(
        m_router, &RouterPanel::testSetFinished, this,
        [this] {
            m_retryLab->setPolicy(5, 200, 4000);
            m_retryLab->setFaults(2, false, 0);
            m_retryLab->runCalls();
        },
        Qt::SingleShotConnection);
    connect(m_retryLab, &RetryLabPanel::runFinished, m_router, &RouterPanel::replayLog,
            Qt::SingleShotConnection);
    connect(
        m_router, &RouterPanel::replayFinished, m_scenarios,
        [this] { m_scenarios->load(u"caching-pays-off"_s); }, Qt::SingleShotConnection);
    m_prompt->send();
}
