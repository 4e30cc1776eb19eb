#pragma once

#include "theme.h"

#include <QMainWindow>

class QFrame;
class QHBoxLayout;
class QLabel;
class QListWidget;
class QScrollArea;
class QMenu;
class QStackedWidget;

// The workbench window: a list of panels on the left, the current panel on the right, menus
// with the usual shortcuts, and a status bar saying which backend answers, which log is written
// and what this session has spent.
//
// Panels are added by whoever builds the window (the window does not know what they are) and are
// owned by it. The window remembers its geometry, the panel last shown, the theme and whether it
// was in presentation mode.
//
// Presentation mode (View > Presentation, F5; Esc leaves it) is for a projector: fonts half as
// large again everywhere, a high-contrast palette, the window full screen with one panel at a time
// under its title in large type and no navigation list (Ctrl+PageUp/PageDown and Ctrl+1..9 move
// between panels). Leaving it restores fonts, palette, navigation and geometry.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);

    // Adds `panel` under `title`; `id` is a short lowercase name used for its screenshot file
    // and its saved state. Panel n (from 1) gets the shortcut Ctrl+n.
    void addPanel(QWidget *panel, const QString &id, const QString &title);
    QStringList panelIds() const;
    QWidget *panel(const QString &id) const;
    QString currentPanelId() const;
    void showPanel(const QString &id);

    enum class Menu { File, View, Simulator, Help };
    QMenu *menu(Menu which) const;

    void setBackendStatus(const QString &text, const QString &toolTip);
    void setLogFileStatus(const QString &path);
    void setSessionCost(double usd);

    void setPresentation(bool on);
    bool isPresentation() const { return m_presenting; }
    // Shows the panel before or after the current one, wrapping around.
    void showAdjacentPanel(int step);

    // Restores geometry, panel, theme and presentation mode from QSettings; call after adding
    // the panels.
    void restoreSavedState();

Q_SIGNALS:
    void settingsRequested();
    void themeChanged(Theme::Mode mode);
    void presentationChanged(bool on);

protected:
    void closeEvent(QCloseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void createMenus();
    void setTheme(Theme::Mode mode);
    void saveState() const;
    void updatePanelTitle();

    QListWidget *m_navigation;
    QFrame *m_divider;
    QLabel *m_panelTitle;
    QStackedWidget *m_panels;
    QScrollArea *m_scroller;
    QHBoxLayout *m_panelsRow = nullptr;
    QStringList m_panelIds;
    QStringList m_panelTitles;
    QAction *m_presentationAction = nullptr;
    bool m_presenting = false;
    QByteArray m_normalGeometry; // the window's geometry before presentation mode
    QMenu *m_fileMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_simulatorMenu = nullptr;
    QMenu *m_helpMenu = nullptr;
    QAction *m_panelsSeparator = nullptr;
    QLabel *m_backendLabel;
    QLabel *m_logFileLabel;
    QLabel *m_costLabel;
    Theme::Mode m_theme = Theme::Mode::System;
};
