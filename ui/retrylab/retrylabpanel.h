#pragma once

#include "calltimeline.h"
#include "thunderingherd.h"

#include "retry/retrypolicy.h"
#include "sim/simfaults.h"

#include <QElapsedTimer>
#include <QWidget>

#include <memory>

class CallSession;
class CallTimelineView;
class MessagesClient;
class QChartView;
class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QNetworkAccessManager;
class QPushButton;
class QSpinBox;

// The Retry lab: a RetryPolicy's attempts, base delay and cap; N calls sent one after another to
// the in-process simulator with injected faults (the first K attempts of each call rate-limited,
// with or without retry-after, plus a random error rate), drawn as a Gantt chart of attempts and
// waits; and the thundering herd, computed in virtual time, as two histograms of retry instants:
// without jitter and with it.
//
// The lab sends through a client of its own (the session's backend, the lab's policy, no log),
// and puts the simulator's faults back as they were when a run ends. The network part is
// disabled, with a message, while the session's backend is not the in-process simulator. The
// session is not owned and must outlive the panel.
class RetryLabPanel : public QWidget
{
    Q_OBJECT

public:
    explicit RetryLabPanel(CallSession *session, QWidget *parent = nullptr);
    ~RetryLabPanel() override;

    RetryPolicy policy() const;
    void setPolicy(int attempts, qint64 baseDelayMs, qint64 maxDelayMs);

    // The faults of a run: rate-limited attempts per call, retry-after, error rate.
    void setFaults(int rateLimitedAttempts, bool retryAfter, double errorRate);
    void setCallCount(int calls);

    // Sends the calls; runFinished() follows. Does nothing while a run is going or when the
    // simulator does not answer.
    void runCalls();
    bool isRunning() const { return m_running; }
    const QList<CallTimeline> &timelines() const { return m_timelines; }
    // Shows calls sent elsewhere (a classroom scenario) on the timeline, with `status` below
    // the controls. Does nothing while a run is going.
    void showCalls(const QList<CallTimeline> &calls, const QString &status);

    void setHerdClients(int clients);
    const RetryHistogram &herdWithoutJitter() const { return m_withoutJitter; }
    const RetryHistogram &herdWithJitter() const { return m_withJitter; }

Q_SIGNALS:
    void runFinished();

protected:
    void changeEvent(QEvent *event) override;

private:
    QWidget *createControls();
    QWidget *createHerd();
    void updateBackend();
    void sendNext();
    void endRun();
    void computeHerd();
    void showHistogram(QChartView *view, const QString &title, const RetryHistogram &histogram);
    qint64 now() const { return m_clock.elapsed(); }

    CallSession *m_session;
    std::unique_ptr<QNetworkAccessManager> m_network;
    MessagesClient *m_client = nullptr;
    QSpinBox *m_attempts;
    QSpinBox *m_baseDelay;
    QSpinBox *m_maxDelay;
    QSpinBox *m_calls;
    QSpinBox *m_rateLimited;
    QCheckBox *m_retryAfter;
    QDoubleSpinBox *m_errorRate;
    QPushButton *m_run;
    QLabel *m_status;
    CallTimelineView *m_timeline;
    QSpinBox *m_herdClients;
    QChartView *m_herdPlain;
    QChartView *m_herdJittered;

    bool m_running = false;
    SimFaults m_savedFaults;
    QElapsedTimer m_clock;
    QList<CallTimeline> m_timelines;
    RetryHistogram m_withoutJitter;
    RetryHistogram m_withJitter;
};
