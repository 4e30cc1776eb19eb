#include "retryclock.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace {

class SystemTimer final : public RetryTimer
{
public:
    explicit SystemTimer(QObject *parent)
        : RetryTimer(parent)
    {
        // Backoffs are short and a person may be watching them; coarse timers may be 5% late.
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, &RetryTimer::timeout);
    }

    void start(qint64 ms) override
    {
        m_timer.start(int(std::clamp<qint64>(ms, 0, std::numeric_limits<int>::max())));
    }
    void stop() override { m_timer.stop(); }
    bool isActive() const override { return m_timer.isActive(); }

private:
    QTimer m_timer;
};

class SystemClock final : public RetryClock
{
public:
    SystemClock() { m_monotonic.start(); }

    QDateTime now() const override { return QDateTime::currentDateTimeUtc(); }
    qint64 elapsedMs() const override { return m_monotonic.elapsed(); }
    RetryTimer *createTimer(QObject *parent) override { return new SystemTimer(parent); }

private:
    QElapsedTimer m_monotonic;
};

} // namespace

RetryClock *RetryClock::system()
{
    static SystemClock clock;
    return &clock;
}

class VirtualClock::Timer final : public RetryTimer
{
public:
    Timer(VirtualClock *clock, QObject *parent)
        : RetryTimer(parent)
        , m_clock(clock)
    {}
    ~Timer() override
    {
        if (m_clock)
            m_clock->disarm(this);
    }

    void start(qint64 ms) override
    {
        if (!m_clock)
            return;
        m_deadline = m_clock->elapsedMs() + std::max<qint64>(0, ms);
        m_clock->arm(this);
    }
    void stop() override
    {
        if (m_clock)
            m_clock->disarm(this);
    }
    bool isActive() const override { return m_clock && m_clock->m_armed.contains(this); }

    qint64 deadline() const { return m_deadline; }
    void fire() { Q_EMIT timeout(); }

private:
    QPointer<VirtualClock> m_clock; // a timer may outlive its clock; it then never fires
    qint64 m_deadline = 0;
};

VirtualClock::VirtualClock(const QDateTime &start, QObject *parent)
    : QObject(parent)
    , m_start(start)
{}

QDateTime VirtualClock::now() const
{
    return m_start.addMSecs(m_elapsedMs);
}

qint64 VirtualClock::elapsedMs() const
{
    return m_elapsedMs;
}

RetryTimer *VirtualClock::createTimer(QObject *parent)
{
    return new Timer(this, parent);
}

void VirtualClock::advance(qint64 ms)
{
    const qint64 until = m_elapsedMs + std::max<qint64>(0, ms);

    // A timer that fires may start another one that also falls due before `until`, so the
    // next due timer is looked up afresh after every firing.
    while (Timer *timer = nextDue(until)) {
        m_elapsedMs = timer->deadline();
        disarm(timer);
        timer->fire();
    }
    m_elapsedMs = until;
}

void VirtualClock::setAutoAdvance(bool on)
{
    m_autoAdvance = on;
    if (on && !m_armed.isEmpty())
        QMetaObject::invokeMethod(this, &VirtualClock::advanceToNextDeadline, Qt::QueuedConnection);
}

int VirtualClock::activeTimers() const
{
    return int(m_armed.size());
}

void VirtualClock::arm(Timer *timer)
{
    if (!m_armed.contains(timer))
        m_armed.append(timer);

    // Queued, never direct: the code that started the timer must finish its own step before
    // the timer fires, exactly as with a real one.
    if (m_autoAdvance)
        QMetaObject::invokeMethod(this, &VirtualClock::advanceToNextDeadline, Qt::QueuedConnection);
}

void VirtualClock::disarm(Timer *timer)
{
    m_armed.removeOne(timer);
}

VirtualClock::Timer *VirtualClock::nextDue(qint64 until) const
{
    Timer *next = nullptr;
    for (Timer *timer : m_armed) {
        if (timer->deadline() <= until && (!next || timer->deadline() < next->deadline()))
            next = timer;
    }
    return next;
}

void VirtualClock::advanceToNextDeadline()
{
    if (!m_autoAdvance)
        return;

    if (const Timer *next = nextDue(std::numeric_limits<qint64>::max()))
        advance(next->deadline() - m_elapsedMs);
}
