#include "responsescript.h"

#include "httpconnection.h"

#include <limits>

ResponseScript::ResponseScript(HttpConnection *connection, QElapsedTimer arrival, bool keepAlive,
                               QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_arrival(arrival)
    , m_keepAlive(keepAlive)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &ResponseScript::runDueSteps);
    connect(connection, &HttpConnection::closed, this, [this] { end(false); });
}

void ResponseScript::add(qint64 atMs, Action action, QByteArray bytes)
{
    m_steps.append(Step{atMs, action, std::move(bytes)});
}

void ResponseScript::start()
{
    runDueSteps();
}

void ResponseScript::runDueSteps()
{
    if (m_next < 0)
        return;
    while (m_next < m_steps.size()) {
        if (!m_connection) {
            end(false);
            return;
        }
        const Step &step = m_steps.at(m_next);
        const qint64 wait = step.atMs - m_arrival.elapsed();
        if (wait > 0) {
            m_timer.start(int(std::min<qint64>(wait, std::numeric_limits<int>::max())));
            return;
        }
        ++m_next;
        if (step.action == Action::Write) {
            m_connection->write(step.bytes);
            continue;
        }
        // Report first: closing can announce the disconnection synchronously, which would
        // otherwise count a complete answer as cut short.
        const Action action = step.action;
        HttpConnection *connection = m_connection;
        end(true);
        if (action == Action::Finish)
            connection->finishResponse(m_keepAlive);
        else if (action == Action::Close)
            connection->closeGracefully();
        else
            connection->reset();
        return;
    }
    end(true);
}

void ResponseScript::end(bool delivered)
{
    if (m_next < 0)
        return;
    m_next = -1;
    m_timer.stop();
    Q_EMIT finished(delivered, m_arrival.elapsed());
    deleteLater();
}
