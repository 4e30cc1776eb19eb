#pragma once

#include <QList>
#include <QString>
#include <QWidget>

// One attempt of a call, in milliseconds since the call was sent.
struct AttemptSpan
{
    enum class Outcome { Running, Failed, Succeeded, Cancelled };

    int attempt = 1;
    qint64 startMs = 0;
    qint64 endMs = 0;
    Outcome outcome = Outcome::Running;
    QString label; // what ended it: "429 rate_limit_error", "end_turn"
};

// A call's attempts and the waits between them as bars on one time axis, so that exponential
// backoff can be seen: attempts in colour (red failed, green answered), waits as pale bars.
class RetryTimeline : public QWidget
{
    Q_OBJECT

public:
    explicit RetryTimeline(QWidget *parent = nullptr);

    void setAttempts(const QList<AttemptSpan> &attempts);
    const QList<AttemptSpan> &attempts() const { return m_attempts; }
    // The waits between consecutive attempts, in milliseconds.
    QList<qint64> waitsMs() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<AttemptSpan> m_attempts;
};
