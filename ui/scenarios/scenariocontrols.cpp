#include "scenariocontrols.h"

#include "cachingpanel/cachingpanel.h"
#include "common/logging.h"
#include "mainwindow.h"
#include "retrylab/retrylabpanel.h"
#include "routerpanel/routerpanel.h"
#include "scenario/scenariorunner.h"
#include "workbench.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QTextBrowser>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace {

// A scenario call as the Retry lab draws it: attempts between the failures the runner saw, and
// after each failure the wait the client took, coloured by who chose it.
CallTimeline timelineOf(const ScenarioCall &call)
{
    CallTimeline line;
    line.attempts = call.outcome.attempts;
    line.finished = true;
    line.succeeded = !call.outcome.error.has_value();
    qint64 attemptStart = call.startedMs;
    for (const ScenarioRetry &retry : call.retries) {
        const qint64 failedAt = std::max(attemptStart, retry.atMs);
        line.segments.append({TimelineSegment::Kind::Attempt, attemptStart, failedAt});
        const auto kind =
            retry.serverHint ? TimelineSegment::Kind::RetryAfter : TimelineSegment::Kind::Backoff;
        line.segments.append({kind, failedAt, failedAt + retry.waitMs});
        attemptStart = failedAt + retry.waitMs;
    }
    line.segments.append(
        {TimelineSegment::Kind::Attempt, attemptStart, std::max(attemptStart, call.finishedMs)});
    return line;
}

} // namespace

ScenarioControls::ScenarioControls(Workbench *workbench, const Panels &panels, QObject *parent)
    : QObject(parent)
    , m_workbench(workbench)
    , m_panels(panels)
    , m_runner(new ScenarioRunner(workbench->session(), this))
{
    MainWindow *window = workbench->window();
    m_menu = new QMenu(u"Sce&narios"_s, window);
    m_menu->setObjectName(u"scenarios"_s);
    m_menu->setToolTipsVisible(true);
    window->menuBar()->insertMenu(window->menu(MainWindow::Menu::Help)->menuAction(), m_menu);

    const Expected<QList<Scenario>> bundled = Scenario::bundled();
    if (bundled)
        m_scenarios = *bundled;
    else
        qCWarning(lcSim) << "the bundled scenarios are unusable:" << bundled.error();
    for (const Scenario &scenario : std::as_const(m_scenarios)) {
        QAction *action = m_menu->addAction(scenario.name);
        action->setObjectName(scenario.id);
        action->setToolTip(scenario.summary);
        action->setStatusTip(scenario.summary);
        const QString id = scenario.id;
        connect(action, &QAction::triggered, this, [this, id] { load(id); });
    }
    m_menu->addSeparator();
    m_leave = m_menu->addAction(u"&Leave the scenario"_s, this, &ScenarioControls::leave);
    m_leave->setEnabled(false);
    m_menu->addAction(u"What the scenarios &show…"_s, this, &ScenarioControls::showDescriptions);
    window->menu(MainWindow::Menu::Help)
        ->insertAction(window->menu(MainWindow::Menu::Help)->actions().value(0),
                       m_menu->actions().constLast());

    connect(m_runner, &ScenarioRunner::finished, this, &ScenarioControls::land);
}

ScenarioControls::~ScenarioControls() = default;

void ScenarioControls::load(const QString &id)
{
    const auto found = std::find_if(m_scenarios.cbegin(), m_scenarios.cend(),
                                    [&id](const Scenario &scenario) { return scenario.id == id; });
    if (found == m_scenarios.cend() || m_runner->isRunning())
        return;
    const Scenario &scenario = *found;
    MainWindow *window = m_workbench->window();
    if (const Expected<void> forced = m_workbench->useScenarioBackend(scenario.name); !forced) {
        window->statusBar()->showMessage(
            u"Scenario \"%1\" cannot run: %2"_s.arg(scenario.name, forced.error()), 10'000);
        return;
    }
    m_leave->setEnabled(true);

    if (scenario.calculator && m_panels.caching) {
        const Expected<ModelPrice> price =
            m_workbench->session()->prices().lookup(scenario.calculator->model);
        if (price) {
            CacheScenario inputs;
            inputs.callsPerDay = scenario.calculator->callsPerDay;
            inputs.cachedPromptTokens = scenario.calculator->cachedPromptTokens;
            inputs.inputPrice = price->input;
            inputs.cacheReadPrice = price->cacheRead;
            inputs.cacheWritePrice = price->cacheWrite5m;
            inputs.ttlSeconds = scenario.calculator->ttlSeconds;
            m_panels.caching->setScenario(inputs);
        }
    }
    window->showPanel(scenario.panel);
    window->statusBar()->showMessage(
        u"Scenario \"%1\": sending %2 calls to the simulator (seed %3)…"_s.arg(scenario.name)
            .arg(scenario.queries.size())
            .arg(scenario.seed));
    m_runner->start(scenario);
}

void ScenarioControls::leave()
{
    if (m_runner->isRunning())
        m_runner->cancel();
    if (const Expected<void> back = m_workbench->useScenarioBackend(QString()); !back)
        return;
    m_leave->setEnabled(false);
    m_workbench->window()->statusBar()->showMessage(
        u"Scenario left: calls go to the configured backend again"_s, 8000);
}

void ScenarioControls::land()
{
    const Scenario &scenario = m_runner->scenario();
    MainWindow *window = m_workbench->window();
    if (!m_runner->error().isEmpty()) {
        window->statusBar()->showMessage(m_runner->error(), 10'000);
        return;
    }

    QList<QueryOutcome> outcomes;
    QList<CallTimeline> timelines;
    int retries = 0;
    for (const ScenarioCall &call : m_runner->calls()) {
        outcomes.append(call.outcome);
        timelines.append(timelineOf(call));
        retries += int(call.retries.size());
    }
    const int failed = m_runner->failures();
    const QString done = u"%1 calls, %2 retries, %3 failed."_s.arg(m_runner->calls().size())
                             .arg(retries)
                             .arg(failed);
    if (scenario.panel == "caching"_L1 && m_panels.caching)
        m_panels.caching->refreshMeasured();
    else if (scenario.panel == "router"_L1 && m_panels.router)
        m_panels.router->showTestSet(outcomes, m_runner->totalUsd(), m_runner->allSonnetUsd());
    else if (scenario.panel == "retry-lab"_L1 && m_panels.retryLab)
        m_panels.retryLab->showCalls(timelines, u"Scenario \"%1\": "_s.arg(scenario.name) + done);
    window->showPanel(scenario.panel);
    window->statusBar()->showMessage(u"Scenario \"%1\" done: "_s.arg(scenario.name) + done, 10'000);
    Q_EMIT scenarioFinished(scenario.id);
}

QString ScenarioControls::descriptionsHtml() const
{
    QString html = u"<h2>Classroom scenarios</h2><p>Each scenario makes the built-in simulator "
                   "answer, with a fixed seed, so it plays out the same way every time. Choose "
                   "one from the Scenarios menu; <i>Leave the scenario</i> brings the configured "
                   "backend back.</p>"_s;
    for (const Scenario &scenario : m_scenarios) {
        html += u"<h3>%1</h3><p><i>%2</i></p><p>%3</p>"_s.arg(scenario.name.toHtmlEscaped(),
                                                              scenario.summary.toHtmlEscaped(),
                                                              scenario.description.toHtmlEscaped());
    }
    return html;
}

void ScenarioControls::showDescriptions()
{
    QDialog dialog(m_workbench->window());
    dialog.setWindowTitle(u"Classroom scenarios"_s);
    auto *layout = new QVBoxLayout(&dialog);
    auto *text = new QTextBrowser;
    text->setHtml(descriptionsHtml());
    layout->addWidget(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.resize(dialog.fontMetrics().averageCharWidth() * 80, dialog.fontMetrics().height() * 32);
    dialog.exec();
}
