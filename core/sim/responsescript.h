#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

class HttpConnection;

// An answer written as timed steps: bytes at given offsets from the request's arrival, then a
// normal end, a close mid-answer or a reset. Timers pace it, so the thread never blocks, and
// faults are just other endings. The script deletes itself once finished.
class ResponseScript : public QObject
{
    Q_OBJECT

public:
    enum class Action { Write, Finish, Close, Reset };

    // `arrival` is when the request arrived: step times count from it.
    ResponseScript(HttpConnection *connection, QElapsedTimer arrival, bool keepAlive,
                   QObject *parent = nullptr);

    void add(qint64 atMs, Action action, QByteArray bytes = {});
    void start();

Q_SIGNALS:
    // delivered is false when the peer went away before the last step.
    void finished(bool delivered, qint64 elapsedMs);

private:
    struct Step
    {
        qint64 atMs = 0;
        Action action = Action::Write;
        QByteArray bytes;
    };

    void runDueSteps();
    void end(bool delivered);

    QPointer<HttpConnection> m_connection;
    QElapsedTimer m_arrival;
    bool m_keepAlive = true;
    QList<Step> m_steps;
    qsizetype m_next = 0;
    QTimer m_timer;
};
