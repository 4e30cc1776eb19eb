#pragma once

#include <QObject>

class CallSession;
class QMenu;

// The Simulator menu: faults and conditions an instructor injects live into the in-process
// simulator (rate-limit storms, overloads, broken streams, slow answers, a short cache lifetime).
// The actions are disabled while another backend answers.
class SimulatorControls : public QObject
{
    Q_OBJECT

public:
    SimulatorControls(CallSession *session, QMenu *menu, QObject *parent = nullptr);

Q_SIGNALS:
    // A line for the status bar, e.g. "Simulator: the next 5 calls will be rate-limited".
    void announced(const QString &message);

private:
    void updateEnabled();

    CallSession *m_session;
    QMenu *m_menu;
};
