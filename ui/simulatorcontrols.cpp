#include "simulatorcontrols.h"

#include "session/callsession.h"
#include "sim/simulator.h"

#include <QActionGroup>
#include <QMenu>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr double slowLatencyScale = 4.0;
constexpr int shortCacheSeconds = 30;

} // namespace

SimulatorControls::SimulatorControls(CallSession *session, QMenu *menu, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_menu(menu)
{
    // Every change starts from the faults in force, so they can be combined.
    auto changeFaults = [this](const std::function<void(SimFaults &)> &change,
                               const QString &message) {
        Simulator *simulator = m_session->simulator();
        if (!simulator)
            return;
        SimFaults faults = simulator->faults();
        change(faults);
        simulator->setFaults(faults);
        Q_EMIT announced(u"Simulator: "_s + message);
    };

    menu->addAction(u"Rate-limit the next 5 calls (429)"_s, this, [changeFaults] {
        changeFaults(
            [](SimFaults &faults) {
                faults.failFirst = 5;
                faults.failStatus = 429;
                faults.retryAfterSeconds = 2;
            },
            u"the next 5 calls will be rate-limited, with retry-after 2 s"_s);
    });
    menu->addAction(u"Overload the next 3 calls (529)"_s, this, [changeFaults] {
        changeFaults(
            [](SimFaults &faults) {
                faults.failFirst = 3;
                faults.failStatus = 529;
                faults.retryAfterSeconds = 0;
            },
            u"the next 3 calls will be overloaded"_s);
    });

    QMenu *rates = menu->addMenu(u"Random errors"_s);
    auto *rateGroup = new QActionGroup(rates);
    for (const double rate : {0.0, 0.1, 0.3, 0.5}) {
        const QString label = rate == 0 ? u"None"_s : u"%1% of calls (529)"_s.arg(rate * 100);
        QAction *action = rates->addAction(label);
        action->setCheckable(true);
        action->setChecked(rate == 0);
        rateGroup->addAction(action);
        connect(action, &QAction::triggered, this, [changeFaults, rate, label] {
            changeFaults([rate](SimFaults &faults) { faults.errorRate = rate; },
                         u"random errors: "_s + label.toLower());
        });
    }

    QAction *brokenStreams = menu->addAction(u"Break half the streams mid-answer"_s);
    brokenStreams->setCheckable(true);
    connect(brokenStreams, &QAction::toggled, this, [changeFaults](bool on) {
        changeFaults([on](SimFaults &faults) { faults.midStreamErrorRate = on ? 0.5 : 0; },
                     on ? u"half the streams end in overloaded_error"_s
                        : u"streams finish normally"_s);
    });

    menu->addSeparator();
    QAction *slow = menu->addAction(u"Slow responses"_s);
    slow->setCheckable(true);
    connect(slow, &QAction::toggled, this, [this](bool on) {
        if (Simulator *simulator = m_session->simulator()) {
            simulator->setLatencyScale(on ? slowLatencyScale : 1.0);
            Q_EMIT announced(on ? u"Simulator: answers take four times as long"_s
                                : u"Simulator: answers at the usual speed"_s);
        }
    });
    QAction *shortCache = menu->addAction(u"Short cache lifetime (30 s)"_s);
    shortCache->setCheckable(true);
    connect(shortCache, &QAction::toggled, this, [this](bool on) {
        if (Simulator *simulator = m_session->simulator()) {
            simulator->setCacheTtlOverride(on ? std::optional<int>(shortCacheSeconds)
                                              : std::nullopt);
            Q_EMIT announced(on ? u"Simulator: cache entries expire after 30 s"_s
                                : u"Simulator: cache entries live 5 min (or 1 h)"_s);
        }
    });

    menu->addSeparator();
    menu->addAction(u"Clear faults"_s, this, [this, rateGroup, brokenStreams] {
        if (Simulator *simulator = m_session->simulator()) {
            simulator->setFaults(SimFaults());
            rateGroup->actions().constFirst()->setChecked(true);
            brokenStreams->setChecked(false);
            Q_EMIT announced(u"Simulator: no faults"_s);
        }
    });

    connect(session, &CallSession::backendChanged, this, &SimulatorControls::updateEnabled);
    updateEnabled();
}

void SimulatorControls::updateEnabled()
{
    const bool simulated = m_session->simulator() != nullptr;
    for (QAction *action : m_menu->actions())
        action->setEnabled(simulated);
    m_menu->setToolTipsVisible(true);
    m_menu->setToolTip(simulated ? QString()
                                 : u"Another backend answers: faults apply to the built-in "
                                   "simulator only"_s);
}
