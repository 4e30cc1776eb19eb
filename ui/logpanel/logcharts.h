#pragma once

#include "logchartdata.h"

#include <QColor>
#include <QStringList>
#include <QWidget>

class QChart;
class QChartView;
class QTabWidget;

// The log panel's charts, one per tab: cumulative cost over time, the latency histogram with
// p50/p95/p99 marked, and cost by model and by feature. Clicking a point or a bar tells what
// was clicked; the panel decides what to select or filter. Colours follow the palette.
class LogCharts : public QWidget
{
    Q_OBJECT

public:
    explicit LogCharts(QWidget *parent = nullptr);

    // `modelNames` and `featureNames` name the ids in `data`.
    void setData(const LogChartData &data, const QStringList &modelNames,
                 const QStringList &featureNames);
    // Redraws the charts if the palette changed since they were drawn.
    void followTheme();
    // The chart on the tab in front.
    QChartView *currentView() const;

Q_SIGNALS:
    void timeClicked(qint64 msSinceEpoch);
    void latencyBinClicked(double fromMs, double toMs);
    void modelClicked(const QString &model);
    void featureClicked(const QString &feature);

protected:
    void changeEvent(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    QChartView *addChart(const QString &title);
    // Marks every chart out of date and draws the one in front; the others are drawn when
    // their tab is brought forward, so a log that is followed redraws one chart, not four.
    void rebuild();
    void buildIfStale(QChartView *view);
    void buildCumulativeCost(QChart *chart);
    void buildLatency(QChart *chart);
    void buildCostBars(QChart *chart, const QList<LogChartData::Share> &shares,
                       const QStringList &names, bool byModel);
    void applyTheme(QChart *chart) const;
    static QPalette colors();

    QTabWidget *m_tabs;
    QChartView *m_costView;
    QChartView *m_latencyView;
    QChartView *m_modelView;
    QChartView *m_featureView;
    QList<QChartView *> m_staleViews;
    LogChartData m_data;
    QStringList m_modelNames;
    QStringList m_featureNames;
    bool m_builtDark = false;
    QColor m_builtBase;
};
