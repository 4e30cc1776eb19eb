#pragma once

#include "scenario/scenario.h"

#include <QList>
#include <QObject>
#include <QString>

class CachingPanel;
class QAction;
class QMenu;
class RetryLabPanel;
class RouterPanel;
class ScenarioRunner;
class Workbench;

// The Scenarios menu: the bundled classroom scenarios, each loaded in one click, a "Leave the
// scenario" entry, and a page describing them all (also under Help). Loading one makes the
// in-process simulator answer (the status bar says so), runs the scenario through a
// ScenarioRunner on the session, so its calls reach the log as any others, and lands on the
// scenario's panel with its figures: the Caching panel's measured calls, the Router panel's test
// set and bar chart, or the Retry lab's timeline of attempts and waits. Leaving, or choosing
// another scenario, brings the configured backend back.
//
// The workbench and the panels must outlive the controls. A scenario that cannot run (the
// simulator cannot start) is reported in the status bar.
class ScenarioControls : public QObject
{
    Q_OBJECT

public:
    struct Panels
    {
        CachingPanel *caching = nullptr;
        RouterPanel *router = nullptr;
        RetryLabPanel *retryLab = nullptr;
    };

    ScenarioControls(Workbench *workbench, const Panels &panels, QObject *parent = nullptr);
    ~ScenarioControls() override;

    const QList<Scenario> &scenarios() const { return m_scenarios; }
    QMenu *menu() const { return m_menu; }
    const ScenarioRunner *runner() const { return m_runner; }

    // Loads the bundled scenario `id` and runs it; scenarioFinished() follows.
    void load(const QString &id);
    void leave();
    // The page that describes every scenario, as HTML.
    QString descriptionsHtml() const;

Q_SIGNALS:
    // The scenario ran and its panel shows the outcome.
    void scenarioFinished(const QString &id);

private:
    void land();
    void showDescriptions();

    Workbench *m_workbench;
    Panels m_panels;
    QList<Scenario> m_scenarios;
    QMenu *m_menu = nullptr;
    QAction *m_leave = nullptr;
    ScenarioRunner *m_runner = nullptr;
};
