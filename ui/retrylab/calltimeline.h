#pragma once

#include <QList>
#include <QWidget>

// One stretch of a call's life: an attempt on the wire, or a wait before the next attempt.
struct TimelineSegment
{
    enum class Kind { Attempt, Backoff, RetryAfter };

    Kind kind = Kind::Attempt;
    qint64 startMs = 0; // from the start of the run
    qint64 endMs = 0;
};

// What one call did, attempt by attempt.
struct CallTimeline
{
    QList<TimelineSegment> segments;
    int attempts = 0;
    bool finished = false;
    bool succeeded = false;
};

// A Gantt chart of calls: one row per call, attempts as solid bars, backoff waits hatched and
// waits the server asked for (retry-after) in a colour of their own, on one time axis.
class CallTimelineView : public QWidget
{
    Q_OBJECT

public:
    explicit CallTimelineView(QWidget *parent = nullptr);

    void setCalls(const QList<CallTimeline> &calls);

    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<CallTimeline> m_calls;
};
