#include "mainwindow.h"

#include "common/logging.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace {

const QString geometryKey = u"window/geometry"_s;
const QString panelKey = u"window/panel"_s;
const QString themeKey = u"window/theme"_s;
const QString presentationKey = u"window/presentation"_s;

// Holds the panels inside the presentation scroll area. Without a layout of its own it reports
// the panels' least size and no height-for-width, so the area scrolls only when the panels
// cannot be squeezed into the window; it would otherwise insist on their preferred height.
class PanelFrame final : public QWidget
{
public:
    QSize minimumSizeHint() const override
    {
        return content() ? content()->minimumSizeHint() : QSize();
    }
    QSize sizeHint() const override { return minimumSizeHint(); }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QWidget::resizeEvent(event);
        if (QWidget *widget = content())
            widget->setGeometry(rect());
    }

private:
    QWidget *content() const { return findChild<QWidget *>(QString(), Qt::FindDirectChildrenOnly); }
};

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_navigation(new QListWidget)
    , m_divider(new QFrame)
    , m_panelTitle(new QLabel)
    , m_panels(new QStackedWidget)
    , m_scroller(new QScrollArea)
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
    connect(m_panels, &QStackedWidget::currentChanged, this, &MainWindow::updatePanelTitle);

    // The title is shown in presentation mode only, where the navigation list is hidden.
    m_panelTitle->setObjectName(u"panelTitle"_s);
    m_panelTitle->setContentsMargins(12, 6, 12, 6);
    m_panelTitle->hide();

    auto *central = new QWidget;
    auto *column = new QVBoxLayout(central);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    column->addWidget(m_panelTitle);
    auto *layout = m_panelsRow = new QHBoxLayout;
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_navigation);
    m_divider->setFrameShape(QFrame::VLine);
    m_divider->setFrameShadow(QFrame::Plain);
    m_divider->setForegroundRole(QPalette::Mid);
    layout->addWidget(m_divider);
    layout->addWidget(m_panels, 1);
    // In presentation mode the panels sit in here, so that a panel whose large type needs more
    // room than a 1280x720 projector has scrolls instead of pushing the window off the screen.
    m_scroller->setFrameShape(QFrame::NoFrame);
    m_scroller->setWidgetResizable(true);
    m_scroller->setWidget(new PanelFrame);
    m_scroller->hide();
    layout->addWidget(m_scroller, 1);
    column->addLayout(layout, 1);
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
    m_panelTitles.append(title);
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

void MainWindow::setPresentation(bool on)
{
    if (on == m_presenting)
        return;
    m_presenting = on;
    if (on)
        m_normalGeometry = saveGeometry();
    Theme::setPresentation(on, m_theme);
    // Qt hands a new application font to existing widgets only once its event loop has run;
    // set on the window as well, the change reaches every panel at once (and an empty font
    // makes the window inherit the application's again).
    setFont(on ? QApplication::font() : QFont());
    if (on) {
        m_panels->setParent(m_scroller->widget());
        m_panels->setGeometry(m_scroller->widget()->rect());
        m_panels->show();
        m_scroller->show();
    } else {
        m_scroller->hide();
        m_panelsRow->insertWidget(m_panelsRow->indexOf(m_scroller), m_panels, 1);
        m_panels->show();
    }
    m_navigation->setVisible(!on);
    m_divider->setVisible(!on);
    m_panelTitle->setVisible(on);
    updatePanelTitle();
    // The window state rather than showFullScreen(), so that a window restored into
    // presentation mode before it is shown opens full screen too.
    if (on) {
        setWindowState(windowState() | Qt::WindowFullScreen);
    } else {
        setWindowState(windowState() & ~Qt::WindowFullScreen);
        restoreGeometry(m_normalGeometry);
    }
    m_presentationAction->setChecked(on);
    Q_EMIT presentationChanged(on);
}

void MainWindow::showAdjacentPanel(int step)
{
    const int count = m_panels->count();
    if (count > 0)
        m_navigation->setCurrentRow(((m_panels->currentIndex() + step) % count + count) % count);
}

void MainWindow::restoreSavedState()
{
    const QSettings settings;
    if (!restoreGeometry(settings.value(geometryKey).toByteArray()))
        resize(1280, 800);
    showPanel(settings.value(panelKey).toString());
    setTheme(Theme::modeFromName(settings.value(themeKey).toString()));
    setPresentation(settings.value(presentationKey, false).toBool());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveState();
    QMainWindow::closeEvent(event);
}

void MainWindow::keyPressEvent(QKeyEvent *event)
{
    // A key event, not a shortcut: Esc that a panel or a focused widget wants (cancelling a
    // call) stays theirs, and only an unclaimed Esc leaves presentation mode.
    if (m_presenting && event->key() == Qt::Key_Escape && event->modifiers() == Qt::NoModifier) {
        setPresentation(false);
        return;
    }
    QMainWindow::keyPressEvent(event);
}

void MainWindow::updatePanelTitle()
{
    const int index = m_panels->currentIndex();
    m_panelTitle->setText(index < 0 ? QString() : m_panelTitles.value(index));
    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * 1.6);
    font.setBold(true);
    m_panelTitle->setFont(font);
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
    QAction *previous =
        m_viewMenu->addAction(u"Pre&vious panel"_s, this, [this] { showAdjacentPanel(-1); });
    previous->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_PageUp));
    QAction *next = m_viewMenu->addAction(u"&Next panel"_s, this, [this] { showAdjacentPanel(1); });
    next->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_PageDown));
    m_presentationAction = m_viewMenu->addAction(u"&Presentation"_s);
    m_presentationAction->setObjectName(u"presentation"_s);
    m_presentationAction->setCheckable(true);
    m_presentationAction->setShortcut(QKeySequence(Qt::Key_F5));
    m_presentationAction->setToolTip(
        u"Large type, high contrast and one panel at a time, for a projector (Esc leaves)"_s);
    connect(m_presentationAction, &QAction::triggered, this, &MainWindow::setPresentation);
    m_viewMenu->addSeparator();
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
    settings.setValue(geometryKey, m_presenting ? m_normalGeometry : saveGeometry());
    settings.setValue(presentationKey, m_presenting);
    settings.setValue(panelKey, currentPanelId());
    settings.setValue(themeKey, Theme::modeName(m_theme));
}
