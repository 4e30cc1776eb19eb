#pragma once

#include "theme.h"

#include <QMainWindow>

class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;

// The workbench window: a list of panels on the left, the current panel on the right, menus
// with the usual shortcuts, and a status bar saying which backend answers, which log is written
// and what this session has spent.
//
// Panels are added by whoever builds the window (the window does not know what they are) and are
// owned by it. The window remembers its geometry, the panel last shown and the theme.
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

    // Restores geometry, panel and theme from QSettings; call after adding the panels.
    void restoreSavedState();

Q_SIGNALS:
    void settingsRequested();
    void themeChanged(Theme::Mode mode);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void setTheme(Theme::Mode mode);
    void saveState() const;

    QListWidget *m_navigation;
    QStackedWidget *m_panels;
    QStringList m_panelIds;
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
