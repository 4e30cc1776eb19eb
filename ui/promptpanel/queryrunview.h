#pragma once

#include <QPointer>
#include <QWidget>

class QBarCategoryAxis;
class QBarSeries;
class QBarSet;
class QChart;
class QChartView;
class QLabel;
class QProgressBar;
class QValueAxis;
class QueryRun;

// Follows one QueryRun of the test queries: progress while it runs, then what the run added to
// the log (total cost, mean latency, cache hit rate, read back by QueryRun::summary()) and a bar
// chart of the cache tokens each call read and wrote, where a learner sees the reads begin
// with the second call once caching is on. The run is not owned.
class QueryRunView : public QWidget
{
    Q_OBJECT

public:
    explicit QueryRunView(QWidget *parent = nullptr);

    // Resets the view and follows `run`, which must not have started yet.
    void follow(QueryRun *run, int queryCount);
    QueryRun *run() const;

    QBarSet *cacheReadSet() const { return m_readSet; }
    QBarSet *cacheWriteSet() const { return m_writeSet; }

Q_SIGNALS:
    void finished();

protected:
    void changeEvent(QEvent *event) override;

private:
    void showStarted(int index);
    void showFinishedQuery(int index);
    void showSummary();
    void applyChartTheme();

    QPointer<QueryRun> m_run;
    int m_queryCount = 0;
    QLabel *m_status;
    QProgressBar *m_progress;
    QLabel *m_totalCost;
    QLabel *m_meanLatency;
    QLabel *m_cacheHitRate;
    QLabel *m_calls;
    QChart *m_chart;
    QChartView *m_chartView;
    QBarSeries *m_series;
    QBarSet *m_readSet;
    QBarSet *m_writeSet;
    QBarCategoryAxis *m_categories;
    QValueAxis *m_tokens;
};
