#include "mainwindow.h"

#include "common/logging.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>

using namespace Qt::Literals::StringLiterals;

namespace {

const QString geometryKey = u"window/geometry"_s;
const QString panelKey = u"window/panel"_s;
const QString themeKey = u"window/theme"_s;

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_navigation(new QListWidget)
    , m_panels(new QStackedWidget)
    , m_backendLabel(new QLabel)
    , m_logFileLabel(new QLabel)
    , m_costLabel(new QLabel)
{
    setWindowTitle(u"Opsbench"_s);

    m_navigation->setObjectName(u"navigation"_s);
    m_navigation->setFrameShape(QFrame::NoFrame);
    m_navigation->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
    m_navigation->setAccessibleName(u"Panels"_s);
    connect(m_navigation, &QListWidget::currentRowChanged, m_panels,
            &QStackedWidget::setCurrentIndex);

    auto *central = new QWidget;
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_navigation);
    auto *divider = new QFrame;
    divider->setFrameShape(QFrame::VLine);
    divider->setFrameShadow(QFrame::Plain);
    divider->setForegroundRole(QPalette::Mid);
    layout->addWidget(divider);
    layout->addWidget(m_panels, 1);
    setCentralWidget(central);

    m_logFileLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_costLabel->setToolTip(u"What the calls of this session cost, priced from their tokens"_s);
    statusBar()->addWidget(m_backendLabel);
    statusBar()->addWidget(m_logFileLabel, 1);
    statusBar()->addPermanentWidget(m_costLabel);
    setSessionCost(0);

    createMenus();
}

void MainWindow::addPanel(QWidget *panel, const QString &id, const QString &title)
{
    m_panelIds.append(id);
    m_panels->addWidget(panel);
    m_navigation->addItem(title);

    const int number = int(m_panelIds.size());
    auto *action = new QAction(title, this);
    if (number <= 9)
        action->setShortcut(QKeySequence(u"Ctrl+%1"_s.arg(number)));
    connect(action, &QAction::triggered, this, [this, id] { showPanel(id); });
    m_viewMenu->insertAction(m_panelsSeparator, action);

    // The list is as wide as its longest title, so no title is cut off.
    const int width = m_navigation->sizeHintForColumn(0) + 2 * m_navigation->frameWidth() + 32;
    m_navigation->setFixedWidth(std::max(width, 140));
    if (m_navigation->currentRow() < 0)
        m_navigation->setCurrentRow(0);
}

QStringList MainWindow::panelIds() const
{
    return m_panelIds;
}

QWidget *MainWindow::panel(const QString &id) const
{
    const qsizetype index = m_panelIds.indexOf(id);
    return index < 0 ? nullptr : m_panels->widget(int(index));
}

QString MainWindow::currentPanelId() const
{
    const int index = m_panels->currentIndex();
    return index < 0 ? QString() : m_panelIds.at(index);
}

void MainWindow::showPanel(const QString &id)
{
    const qsizetype index = m_panelIds.indexOf(id);
    if (index >= 0)
        m_navigation->setCurrentRow(int(index));
}

QMenu *MainWindow::menu(Menu which) const
{
    switch (which) {
    case Menu::File:
        return m_fileMenu;
    case Menu::View:
        return m_viewMenu;
    case Menu::Simulator:
        return m_simulatorMenu;
    case Menu::Help:
        return m_helpMenu;
    }
    return nullptr;
}

void MainWindow::setBackendStatus(const QString &text, const QString &toolTip)
{
    m_backendLabel->setText(text);
    m_backendLabel->setToolTip(toolTip);
}

void MainWindow::setLogFileStatus(const QString &path)
{
    m_logFileLabel->setText(u"Log: "_s + path);
    m_logFileLabel->setToolTip(path);
}

void MainWindow::setSessionCost(double usd)
{
    m_costLabel->setText(u"Session cost $%1"_s.arg(usd, 0, 'f', 6));
}

void MainWindow::restoreSavedState()
{
    const QSettings settings;
    if (!restoreGeometry(settings.value(geometryKey).toByteArray()))
        resize(1280, 800);
    showPanel(settings.value(panelKey).toString());
    setTheme(Theme::modeFromName(settings.value(themeKey).toString()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveState();
    QMainWindow::closeEvent(event);
}

void MainWindow::createMenus()
{
    m_fileMenu = menuBar()->addMenu(u"&File"_s);
    auto *settings = m_fileMenu->addAction(u"&Settings…"_s, this, &MainWindow::settingsRequested);
    settings->setShortcut(QKeySequence::Preferences);
    settings->setMenuRole(QAction::PreferencesRole);
    m_fileMenu->addSeparator();
    auto *quit = m_fileMenu->addAction(u"&Quit"_s, this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    m_viewMenu = menuBar()->addMenu(u"&View"_s);
    m_panelsSeparator = m_viewMenu->addSeparator();
    QMenu *themeMenu = m_viewMenu->addMenu(u"&Theme"_s);
    auto *themes = new QActionGroup(this);
    for (Theme::Mode mode : {Theme::Mode::System, Theme::Mode::Light, Theme::Mode::Dark}) {
        const QString name = Theme::modeName(mode);
        QAction *action = themeMenu->addAction(name.front().toUpper() + name.mid(1));
        action->setCheckable(true);
        action->setData(name);
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [this, mode] { setTheme(mode); });
    }
    connect(this, &MainWindow::themeChanged, themes, [themes](Theme::Mode mode) {
        for (QAction *action : themes->actions())
            action->setChecked(action->data().toString() == Theme::modeName(mode));
    });

    m_simulatorMenu = menuBar()->addMenu(u"&Simulator"_s);

    m_helpMenu = menuBar()->addMenu(u"&Help"_s);
    m_helpMenu->addAction(u"&About Opsbench"_s, this, [this] {
        QMessageBox::about(
            this, u"About Opsbench"_s,
            u"<h3>Opsbench %1</h3><p>A workbench for the cost, latency, caching and retries of "
            "LLM calls. Every figure can be recomputed by hand from the tokens.</p>"_s.arg(
                QApplication::applicationVersion()));
    });
}

void MainWindow::setTheme(Theme::Mode mode)
{
    m_theme = mode;
    Theme::apply(mode);
    Q_EMIT themeChanged(mode);
}

void MainWindow::saveState() const
{
    QSettings settings;
    settings.setValue(geometryKey, saveGeometry());
    settings.setValue(panelKey, currentPanelId());
    settings.setValue(themeKey, Theme::modeName(m_theme));
}
