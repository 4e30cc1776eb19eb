#include "panels.h"

#include "logpanel/logpanel.h"
#include "mainwindow.h"
#include "workbench.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMenu>
#include <QTimer>

using namespace Qt::Literals::StringLiterals;

Panels::Panels(Workbench *workbench)
    : QObject(workbench)
    , m_workbench(workbench)
{
    MainWindow *window = workbench->window();
    m_log = new LogPanel(workbench->session()->prices());
    window->addPanel(m_log, u"log"_s, u"Log"_s);

    // The log panel's Open, recent files and exports go first in the File menu.
    QMenu *file = window->menu(MainWindow::Menu::File);
    QAction *first = file->actions().value(0);
    file->insertActions(first, m_log->fileActions());
    file->insertSeparator(first);

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

void Panels::prepareScreenshots(std::function<void()> done)
{
    const QString sample = QDir(QFileInfo(m_workbench->session()->logPath()).absolutePath())
                               .filePath(u"sample_calls.jsonl"_s);
    QFile::remove(sample);
    QFile::copy(u":/opsbench/sample/llm_calls.jsonl"_s, sample);
    QFile::setPermissions(sample, QFile::ReadOwner | QFile::WriteOwner);
    connect(m_log, &LogPanel::loaded, this, [done] { QTimer::singleShot(0, done); },
            Qt::SingleShotConnection);
    m_log->openLog(sample);
}
