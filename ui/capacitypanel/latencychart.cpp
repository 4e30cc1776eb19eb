#include "latencychart.h"

#include "chartreset.h"
#include "theme.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QEvent>
#include <QHorizontalStackedBarSeries>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

LatencyChart::LatencyChart(QWidget *parent)
    : QChartView(parent)
{
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(220);
    chart()->legend()->setAlignment(Qt::AlignBottom);
    chart()->setMargins(QMargins(4, 4, 4, 4));
}

void LatencyChart::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_budget)
        setBudget(*m_budget, m_targetMs);
}

void LatencyChart::setBudget(const LatencyBudget &budget, double targetMs)
{
    m_budget = budget;
    m_targetMs = targetMs;
    QChart *chart = this->chart();
    resetChart(chart);
    chart->setTheme(Theme::isDark() ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setBackgroundRoundness(0);

    // The P99 row scales every part by the same factor: the spread is multiplicative.
    const double scale = budget.medianMs > 0 ? budget.p99Ms / budget.medianMs : 1;
    const LatencyInputs &in = budget.inputs;
    const std::pair<QString, double> parts[] = {{u"Network"_s, in.networkMs},
                                                {u"Queueing"_s, in.queueingMs},
                                                {u"Time to first token"_s, in.ttftMs},
                                                {u"Generation"_s, budget.generationMs}};
    auto *bars = new QHorizontalStackedBarSeries;
    for (const auto &[name, ms] : parts) {
        auto *set = new QBarSet(name);
        *set << ms << ms * scale;
        bars->append(set);
    }
    bars->setBarWidth(0.6);
    chart->addSeries(bars);

    auto *target = new QLineSeries;
    target->setName(u"P99 target %1 ms"_s.arg(targetMs, 0, 'f', 0));
    target->append(targetMs, -0.5);
    target->append(targetMs, 1.5);
    QPen pen(budget.p99Ms < targetMs ? QColor(0x2e, 0x9d, 0x4f) : QColor(0xd9, 0x3a, 0x3a));
    pen.setWidth(3);
    pen.setStyle(Qt::DashLine);
    target->setPen(pen);
    chart->addSeries(target);

    auto *rows = new QBarCategoryAxis;
    rows->append(QStringList{u"Median %1 ms"_s.arg(budget.medianMs, 0, 'f', 0),
                             u"P99 %1 ms"_s.arg(budget.p99Ms, 0, 'f', 0)});
    auto *time = new QValueAxis;
    time->setRange(0, std::max(budget.p99Ms, targetMs) * 1.08);
    time->setLabelFormat(u"%.0f"_s);
    time->setTitleText(u"milliseconds"_s);
    time->applyNiceNumbers();
    chart->addAxis(rows, Qt::AlignLeft);
    chart->addAxis(time, Qt::AlignBottom);
    for (QAbstractSeries *series : chart->series()) {
        series->attachAxis(rows);
        series->attachAxis(time);
    }
    Theme::styleChart(chart);
}
