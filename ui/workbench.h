#pragma once

#include "credentials/apikeystore.h"
#include "session/callsession.h"
#include "settings/appsettings.h"

#include <QObject>

#include <memory>

class MainWindow;
class SimulatorControls;

// Puts the workbench together: the settings, the key store, one CallSession shared by every
// panel, the window with its panels, the Simulator menu and the status bar. It owns all of them.
//
// start() reads the key from the keychain (asynchronously) and then starts the session, so the
// window opens at once and says "connecting" until the backend is known. A backend that cannot
// start (a log file that cannot be opened, an unsafe base URL) is reported in the status bar and
// the settings stay open to fix it.
class Workbench : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        // Skip the keychain and any key: the built-in simulator answers, answering instantly,
        // and the log goes to `logPath`. For screenshots and tests.
        bool simulatorOnly = false;
        QString logPath;
        // The keychain entry the key is kept under; tests name their own.
        QString keychainService = QStringLiteral("Opsbench");
    };

    explicit Workbench(const Options &options, QObject *parent = nullptr);
    ~Workbench() override;

    void start();

    // Makes the in-process simulator answer whatever the settings say, for a classroom scenario
    // named `scenario` (the status bar says so), or with an empty name goes back to the
    // configured backend. Fails, saying why, when the session cannot start that way.
    Expected<void> useScenarioBackend(const QString &scenario);
    QString scenarioName() const { return m_scenario; }

    MainWindow *window() const { return m_window.get(); }
    CallSession *session() const { return m_session.get(); }
    const AppSettings &settings() const { return m_settings; }

Q_SIGNALS:
    // The session is running and the panels can send calls.
    void ready();

private:
    Expected<void> startSession();
    void showSettings();
    void updateStatus();
    void showMessage(const QString &message);

    Options m_options;
    AppSettings m_settings;
    std::unique_ptr<ApiKeyStore> m_keys;
    std::unique_ptr<CallSession> m_session;
    std::unique_ptr<MainWindow> m_window;
    SimulatorControls *m_simulatorControls = nullptr;
    bool m_ready = false;
    QString m_scenario; // the scenario the simulator is forced for; empty when none
};
