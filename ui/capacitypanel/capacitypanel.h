#pragma once

#include "common/expected.h"
#include "economics/capacityplan.h"
#include "economics/latencybudget.h"
#include "reports/capacityreport.h"

#include <QHash>
#include <QWidget>

#include <initializer_list>
#include <optional>
#include <utility>

class CallSession;
class LatencyChart;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

// The Capacity panel: a deployment scenario as inputs on the left, and on the right every
// CapacityPlan figure, the binding rate limit and the latency budget as a chart against the P99
// target, all recomputed on every change. The spread of the latency can be fitted to the
// session's call log, which is read on a worker thread. Export writes the design document
// (CapacityReport) as markdown.
//
// The session is not owned and must outlive the panel. Figures that cannot be computed (an
// unknown model, a bad rate-limit file) are replaced by the reason, in red.
class CapacityPanel : public QWidget
{
    Q_OBJECT

public:
    explicit CapacityPanel(CallSession *session, QWidget *parent = nullptr);

    CapacityScenario scenario() const;
    void setScenario(const CapacityScenario &scenario);
    LatencyInputs latencyInputs() const;
    void setLatencyInputs(const LatencyInputs &inputs);
    double p99TargetMs() const;
    void setP99TargetMs(double ms);

    // The current figures, or why there are none.
    const Expected<CapacityReport> &report() const { return m_report; }
    // The text shown for a figure: "peakRps", "baselineDaily", "tier", "binding", "p99", ...
    QString figureText(const QString &name) const;

    // Reads the session's log on a worker thread and fits the latency spread to it;
    // logFitFinished() follows. The fit stays until the box is unticked.
    void fitToLog();
    Expected<void> exportReport(const QString &path) const;

Q_SIGNALS:
    void recomputed();
    void logFitFinished(bool fitted);

private:
    QWidget *createInputs();
    QWidget *createFigures();
    // A group of labelled figures; each label's object name is its figure's name.
    QGroupBox *figureGroup(const QString &title,
                           std::initializer_list<std::pair<QString, QString>> rows);
    void recompute();
    void showFigures(const CapacityReport &report);
    void exportClicked();

    CallSession *m_session;
    QSpinBox *m_requests;
    QDoubleSpinBox *m_peakRatio;
    QSpinBox *m_inputTokens;
    QSpinBox *m_outputTokens;
    QComboBox *m_model;
    QDoubleSpinBox *m_routeShare;
    QComboBox *m_routeModel;
    QSpinBox *m_prefixTokens;
    QDoubleSpinBox *m_hitRate;
    QLineEdit *m_limitsPath;
    QDoubleSpinBox *m_networkMs;
    QDoubleSpinBox *m_queueingMs;
    QDoubleSpinBox *m_ttftMs;
    QDoubleSpinBox *m_tokensPerSecond;
    QDoubleSpinBox *m_sigma;
    QDoubleSpinBox *m_target;
    QCheckBox *m_fitToLog;
    QLabel *m_fitStatus;
    QLabel *m_error;
    QLabel *m_bindingBox;
    QPushButton *m_export;
    LatencyChart *m_chart;
    QHash<QString, QLabel *> m_figures;
    std::optional<MeasuredLatency> m_measured;
    Expected<CapacityReport> m_report = fail(QString());
};
