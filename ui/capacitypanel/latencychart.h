#pragma once

#include "economics/latencybudget.h"

#include <QChartView>

#include <optional>

// The latency budget as horizontal stacked bars: the median made of network, queueing, time to
// first token and generation, the same parts scaled up to the P99 below it, and the P99 target
// drawn across both. Follows the palette (Theme::isDark()) each time it is shown new figures.
class LatencyChart : public QChartView
{
    Q_OBJECT

public:
    explicit LatencyChart(QWidget *parent = nullptr);

    void setBudget(const LatencyBudget &budget, double targetMs);

protected:
    void changeEvent(QEvent *event) override;

private:
    std::optional<LatencyBudget> m_budget;
    double m_targetMs = 0;
};
