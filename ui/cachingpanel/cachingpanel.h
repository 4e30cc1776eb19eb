#pragma once

#include "economics/cacheeconomics.h"
#include "reports/cachereport.h"
#include "reports/measuredcall.h"

#include <QList>
#include <QWidget>

#include <optional>

class CallSession;
class QChart;
class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QThread;
class QTreeWidget;

// The Caching panel: prompt caching in theory and as measured. Part A recomputes the day as
// the inputs change, showing CacheEconomics' working under uniform and Poisson arrivals side by
// side, its warnings, and a chart of daily cost with and without caching against calls per day.
// Part B reads the session's call log off the GUI thread and measures the latest run of calls
// that shared a cached prompt, explaining every call that did not read the cache. Export writes
// both parts as markdown through CacheReport.
//
// The session must outlive the panel. Invalid inputs cannot be entered (the spin boxes bound
// them); a log that cannot be read is said in Part B in plain words.
class CachingPanel : public QWidget
{
    Q_OBJECT

public:
    explicit CachingPanel(CallSession *session, QWidget *parent = nullptr);
    ~CachingPanel() override;

    // The scenario the inputs describe, and setting the inputs from one.
    CacheScenario scenario() const;
    void setScenario(const CacheScenario &scenario);

    // The day under each arrival pattern, as shown; empty only if the inputs were invalid.
    const std::optional<CacheEconomics> &uniform() const { return m_uniform; }
    const std::optional<CacheEconomics> &poisson() const { return m_poisson; }

    // The calls Part B measures (the latest cached run of the log), as last read.
    const QList<MeasuredCall> &measuredCalls() const { return m_run; }

    // Rereads the session's log in a worker thread; measuredChanged() follows.
    void refreshMeasured();

    // Writes the cache report of the current inputs and measured calls to `path`.
    Expected<void> exportReport(const QString &path) const;

Q_SIGNALS:
    void measuredChanged();

protected:
    void changeEvent(QEvent *event) override;

private:
    struct LogReading;

    QWidget *buildInputs();
    QWidget *buildMeasured();
    void recompute();
    void updateChart();
    void applyChartTheme();
    void choosePrices(int index);
    void takeReading(const LogReading &reading);
    QList<CacheVerdict> verdictsOfRun() const;
    void showMeasured();
    void askWhereToExport();

    CallSession *m_session;
    QComboBox *m_model = nullptr;
    QDoubleSpinBox *m_calls = nullptr;
    QSpinBox *m_tokens = nullptr;
    QDoubleSpinBox *m_inputPrice = nullptr;
    QDoubleSpinBox *m_readPrice = nullptr;
    QDoubleSpinBox *m_writePrice = nullptr;
    QDoubleSpinBox *m_ttl = nullptr;
    QDoubleSpinBox *m_interval = nullptr;
    QTreeWidget *m_uniformWorking = nullptr;
    QTreeWidget *m_poissonWorking = nullptr;
    QLabel *m_warnings = nullptr;
    QChart *m_chart = nullptr;
    QChartView *m_chartView = nullptr;
    QLabel *m_measuredSummary = nullptr;
    QTreeWidget *m_measuredTable = nullptr;
    QPushButton *m_export = nullptr;

    std::optional<CacheEconomics> m_uniform;
    std::optional<CacheEconomics> m_poisson;
    QList<MeasuredCall> m_run;
    QList<MeasuredCall> m_recent; // the log's latest calls, for judging the run's misses
    QString m_logProblem;
    QThread *m_thread = nullptr;
    bool m_reading = false;
    bool m_readAgain = false;
};
