#include "workbench.h"

#include "common/logging.h"
#include "mainwindow.h"
#include "settings/settingsdialog.h"
#include "simulatorcontrols.h"

#include <QMenu>
#include <QStatusBar>

using namespace Qt::Literals::StringLiterals;

Workbench::Workbench(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_settings(AppSettings::load())
    , m_keys(std::make_unique<ApiKeyStore>(options.keychainService))
    , m_session(std::make_unique<CallSession>())
    , m_window(std::make_unique<MainWindow>())
{
    if (!options.logPath.isEmpty())
        m_settings.logPath = options.logPath;

    m_simulatorControls =
        new SimulatorControls(m_session.get(), m_window->menu(MainWindow::Menu::Simulator), this);
    connect(m_simulatorControls, &SimulatorControls::announced, this, &Workbench::showMessage);
    connect(m_window.get(), &MainWindow::settingsRequested, this, &Workbench::showSettings);
    connect(m_session.get(), &CallSession::sessionCostChanged, m_window.get(),
            &MainWindow::setSessionCost);
    connect(m_session.get(), &CallSession::backendChanged, this, &Workbench::updateStatus);
    connect(m_session.get(), &CallSession::logWriteFailed, this, [this](const QString &message) {
        showMessage(u"The call was not logged: "_s + message);
    });
    m_window->setBackendStatus(u"Connecting…"_s, QString());
}

Workbench::~Workbench() = default;

void Workbench::start()
{
    if (m_options.simulatorOnly) {
        (void)startSession();
        return;
    }
    connect(
        m_keys.get(), &ApiKeyStore::finished, this, [this] { (void)startSession(); },
        Qt::SingleShotConnection);
    m_keys->load();
}

Expected<void> Workbench::useScenarioBackend(const QString &scenario)
{
    const QString previous = m_scenario;
    m_scenario = scenario;
    const Expected<void> started = startSession();
    if (!started)
        m_scenario = previous;
    return started;
}

Expected<void> Workbench::startSession()
{
    SessionOptions options = m_settings.sessionOptions(m_keys->key());
    options.logRequired = false;
    if (m_options.simulatorOnly) {
        options.forceSimulator = true;
        options.simulatorLatencyScale = 0;
    }
    if (!m_scenario.isEmpty())
        options.forceSimulator = true;
    const Expected<void> started = m_session->start(options);
    if (!started) {
        m_window->setBackendStatus(u"Not connected"_s, started.error());
        showMessage(u"Calls cannot be sent: "_s + started.error());
        return started;
    }
    if (!m_keys->errorString().isEmpty())
        showMessage(m_keys->errorString());
    if (!m_session->logProblem().isEmpty())
        showMessage(u"Calls are answered but not logged: "_s + m_session->logProblem());
    updateStatus();
    if (!m_ready) {
        m_ready = true;
        Q_EMIT ready();
    }
    return {};
}

void Workbench::showSettings()
{
    SettingsDialog dialog(m_settings, m_keys.get(), m_window.get());
    bool keyChanged = false;
    connect(&dialog, &SettingsDialog::keyChanged, this, [&keyChanged] { keyChanged = true; });
    const bool accepted = dialog.exec() == QDialog::Accepted;
    if (accepted) {
        m_settings = dialog.settings();
        m_settings.save();
    }
    if (accepted || keyChanged)
        (void)startSession();
}

void Workbench::updateStatus()
{
    QString toolTip = m_session->baseUrl().toString();
    if (m_session->backend() == Backend::Simulator)
        toolTip += u"\nNo API key: the built-in simulator answers like the Messages API. It "
                   "listens on loopback only: other machines cannot connect."_s;
    QString text = m_session->backendDescription();
    if (!m_scenario.isEmpty()) {
        text = u"Simulator (scenario: %1)"_s.arg(m_scenario);
        toolTip += u"\nA classroom scenario runs: the built-in simulator answers whatever the "
                   "settings say, until the scenario is left."_s;
    }
    m_window->setBackendStatus(text, toolTip);
    m_window->setLogFileStatus(m_session->logPath());
}

void Workbench::showMessage(const QString &message)
{
    m_window->statusBar()->showMessage(message, 8000);
}
