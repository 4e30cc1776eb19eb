#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>

// A one-shot timer on some RetryClock. Emits timeout() once, `ms` after start(), unless
// stopped first; starting it again restarts it.
class RetryTimer : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    virtual void start(qint64 ms) = 0;
    virtual void stop() = 0;
    virtual bool isActive() const = 0;

Q_SIGNALS:
    void timeout();
};

// Where retries read the time and wait: the real clock, or a virtual one in tests and
// demonstrations, so that a minute of backoff passes instantly. now() is wall-clock time (for
// HTTP dates); elapsedMs() is monotonic (for measuring waits).
class RetryClock
{
public:
    virtual ~RetryClock() = default;

    virtual QDateTime now() const = 0;
    virtual qint64 elapsedMs() const = 0;

    // A new timer owned by `parent`.
    virtual RetryTimer *createTimer(QObject *parent) = 0;

    // The process-wide real clock: QDateTime, QElapsedTimer and precise QTimers.
    static RetryClock *system();
};

// Time that moves only when told to. advance() fires the timers that fall due, in deadline
// order, each seeing now() at its own deadline. With auto-advance on, the clock jumps to the
// next deadline from the event loop whenever a timer is waiting, so code under test runs
// through its waits without anyone pumping time by hand. Not thread-safe.
class VirtualClock final : public QObject, public RetryClock
{
    Q_OBJECT

public:
    explicit VirtualClock(const QDateTime &start, QObject *parent = nullptr);

    QDateTime now() const override;
    qint64 elapsedMs() const override;
    RetryTimer *createTimer(QObject *parent) override;

    void advance(qint64 ms);
    void setAutoAdvance(bool on);
    int activeTimers() const;

private:
    class Timer;

    void arm(Timer *timer);
    void disarm(Timer *timer);
    Timer *nextDue(qint64 until) const;
    void advanceToNextDeadline();

    QDateTime m_start;
    qint64 m_elapsedMs = 0;
    bool m_autoAdvance = false;
    QList<Timer *> m_armed;
};
