#pragma once

#include <QObject>

#include <functional>

class CachingPanel;
class CapacityPanel;
class LogPanel;
class RetryLabPanel;
class RouterPanel;
class PromptPanel;
class ScenarioControls;
class Workbench;

// Creates the panels of the workbench window, in the order a learner meets them, and connects
// them to the shared session and to the window's menus. The window owns the panels.
class Panels : public QObject
{
    Q_OBJECT

public:
    explicit Panels(Workbench *workbench);

    // Puts sample data in every panel for screenshots (the bundled sample log, a call to the
    // simulator, the "Caching pays off" scenario), then calls `done` from the event loop.
    void prepareScreenshots(std::function<void()> done);

    ScenarioControls *scenarios() const { return m_scenarios; }

private:
    void sessionReady();
    void openSampleLog(const std::function<void()> &loaded);

    Workbench *m_workbench;
    PromptPanel *m_prompt = nullptr;
    RouterPanel *m_router = nullptr;
    CachingPanel *m_caching = nullptr;
    LogPanel *m_log = nullptr;
    CapacityPanel *m_capacity = nullptr;
    RetryLabPanel *m_retryLab = nullptr;
    ScenarioControls *m_scenarios = nullptr;
};
