#include "logcharts.h"

#include "chartaxes.h"
#include "chartreset.h"
#include "theme.h"

#include <QApplication>
#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QGraphicsLayout>
#include <QHorizontalBarSeries>
#include <QLegendMarker>
#include <QLineSeries>
#include <QTabWidget>
#include <QTimer>
#include <QTimeZone>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace {

// More bars than this crowd the names; the rest is folded into one bar.
constexpr int maxBars = 12;

} // namespace

LogCharts::LogCharts(QWidget *parent)
    : QWidget(parent)
    , m_tabs(new QTabWidget(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
    m_costView = addChart(u"Cumulative cost"_s);
    m_latencyView = addChart(u"Latency"_s);
    m_modelView = addChart(u"Cost by model"_s);
    m_featureView = addChart(u"Cost by feature"_s);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { buildIfStale(currentView()); });
    rebuild();
}

QChartView *LogCharts::addChart(const QString &title)
{
    auto *view = new QChartView(new QChart, m_tabs);
    view->setRenderHint(QPainter::Antialiasing);
    view->chart()->legend()->setVisible(false);
    m_tabs->addTab(view, title);
    return view;
}

QChartView *LogCharts::currentView() const
{
    return static_cast<QChartView *>(m_tabs->currentWidget());
}

void LogCharts::setData(const LogChartData &data, const QStringList &modelNames,
                        const QStringList &featureNames)
{
    m_data = data;
    m_modelNames = modelNames;
    m_featureNames = featureNames;
    rebuild();
}

void LogCharts::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        followTheme();
    else if (event->type() == QEvent::FontChange)
        rebuild(); // presentation mode: the charts' type follows the application font
}

void LogCharts::paintEvent(QPaintEvent *event)
{
    // A palette change does not always reach this widget as an event (seen with Qt 6.4 when
    // the application palette is switched back and forth), but it always repaints it.
    QWidget::paintEvent(event);
    if (m_builtDark != Theme::isDark())
        QTimer::singleShot(0, this, &LogCharts::followTheme);
}

void LogCharts::followTheme()
{
    if (m_builtDark != Theme::isDark() || m_builtBase != colors().color(QPalette::Base))
        rebuild();
}

QPalette LogCharts::colors()
{
    // The application's palette is the one Theme switched to; a widget's own may lag behind.
    return QApplication::palette();
}

void LogCharts::rebuild()
{
    m_builtDark = Theme::isDark();
    m_builtBase = colors().color(QPalette::Base);
    m_staleViews = {m_costView, m_latencyView, m_modelView, m_featureView};
    buildIfStale(currentView());
}

void LogCharts::buildIfStale(QChartView *view)
{
    if (!m_staleViews.removeOne(view))
        return;
    QChart *chart = view->chart();
    resetChart(chart);
    applyTheme(chart);
    view->setBackgroundBrush(colors().color(QPalette::Base));
    if (view == m_costView)
        buildCumulativeCost(chart);
    else if (view == m_latencyView)
        buildLatency(chart);
    else if (view == m_modelView)
        buildCostBars(chart, m_data.costByModel, m_modelNames, true);
    else
        buildCostBars(chart, m_data.costByFeature, m_featureNames, false);
    Theme::styleChart(chart);
    // Laid out now rather than on the next turn of the event loop, so that a grab right after
    // a change shows the new chart, its legend included (the legend asks for its layout with a
    // posted event).
    if (QGraphicsLayout *layout = chart->layout())
        layout->activate();
    QCoreApplication::sendPostedEvents(chart->legend(), QEvent::LayoutRequest);
}

void LogCharts::applyTheme(QChart *chart) const
{
    const bool dark = Theme::isDark();
    if (chart->theme() != (dark ? QChart::ChartThemeDark : QChart::ChartThemeLight))
        chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setBackgroundBrush(colors().color(QPalette::Base));
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setLabelColor(colors().color(QPalette::Text));
}

void LogCharts::buildCumulativeCost(QChart *chart)
{
    auto *series = new QLineSeries;
    series->replace(m_data.cumulativeCost);
    series->setPen(QPen(colors().color(QPalette::Highlight), 2));
    chart->addSeries(series);

    auto *time = new QDateTimeAxis;
    time->setTickCount(6);
    auto *cost = new QValueAxis;
    cost->setTitleText(u"Total cost (USD)"_s);
    time->setTitleText(u"Time (UTC)"_s);
    if (!m_data.cumulativeCost.isEmpty()) {
        const auto toTime = [](double ms) {
            return QDateTime::fromMSecsSinceEpoch(qint64(ms), QTimeZone::utc());
        };
        const double first = m_data.cumulativeCost.first().x();
        const double last = std::max(first + 1000, m_data.cumulativeCost.last().x());
        time->setRange(toTime(first), toTime(last));
        // Labels that differ from tick to tick: seconds for minutes of calls, dates for weeks.
        constexpr double hour = 3600e3;
        const double span = last - first;
        time->setFormat(span < hour            ? u"HH:mm:ss"_s
                        : span < 7 * 24 * hour ? u"MM-dd HH:mm"_s
                                               : u"yyyy-MM-dd"_s);
    }
    // A little room above the line's end, so that it does not run along the chart's edge.
    const double top = m_data.cumulativeCost.isEmpty() ? 0 : m_data.cumulativeCost.last().y();
    ChartAxes::setRoundRange(cost, top * 1.02, 5, true);
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(cost, Qt::AlignLeft);
    series->attachAxis(time);
    series->attachAxis(cost);
    connect(series, &QLineSeries::clicked, this,
            [this](const QPointF &point) { Q_EMIT timeClicked(qint64(point.x())); });
}

void LogCharts::buildLatency(QChart *chart)
{
    // Steps drawn as an area, so the x axis is real milliseconds and the markers sit exactly.
    auto *upper = new QLineSeries;
    qint64 highest = 0;
    for (const LogChartData::Bin &bin : m_data.latencyBins) {
        upper->append(bin.fromMs, double(bin.calls));
        upper->append(bin.toMs, double(bin.calls));
        highest = std::max(highest, bin.calls);
    }
    auto *area = new QAreaSeries(upper);
    upper->setParent(area); // an area series does not own its boundary
    QColor fill = colors().color(QPalette::Highlight);
    area->setPen(QPen(fill, 1));
    fill.setAlpha(150);
    area->setBrush(fill);
    chart->addSeries(area);

    auto *latency = new QValueAxis;
    latency->setTitleText(u"Latency (ms)"_s);
    latency->setLabelFormat(u"%.0f"_s);
    auto *calls = new QValueAxis;
    calls->setTitleText(u"Calls"_s);
    const double right = m_data.latencyBins.isEmpty() ? 1000 : m_data.latencyBins.last().toMs;
    latency->setRange(0, right);
    latency->setTickType(QValueAxis::TicksDynamic);
    latency->setTickAnchor(0);
    latency->setTickInterval(ChartAxes::roundStep(right, 6, 1));
    // Calls are whole: ticks a whole number of calls apart, so that no two labels read the same.
    ChartAxes::setRoundRange(calls, double(std::max<qint64>(1, highest)) * 1.15, 5, false);
    chart->addAxis(latency, Qt::AlignBottom);
    chart->addAxis(calls, Qt::AlignLeft);
    area->attachAxis(latency);
    area->attachAxis(calls);

    const struct
    {
        const char *name;
        double ms;
        QColor color;
    } marks[] = {{"p50", m_data.p50LatencyMs, QColor(0x2e, 0xa0, 0x43)},
                 {"p95", m_data.p95LatencyMs, QColor(0xe0, 0x8a, 0x00)},
                 {"p99", m_data.p99LatencyMs, QColor(0xd6, 0x3c, 0x3c)}};
    for (const auto &mark : marks) {
        if (m_data.latencyBins.isEmpty())
            break;
        auto *line = new QLineSeries;
        line->setName(u"%1 %2 ms"_s.arg(QLatin1StringView(mark.name)).arg(mark.ms, 0, 'f', 0));
        line->append(mark.ms, 0);
        line->append(mark.ms, calls->max());
        line->setPen(QPen(mark.color, 2, Qt::DashLine));
        chart->addSeries(line);
        line->attachAxis(latency);
        line->attachAxis(calls);
    }
    chart->legend()->setVisible(!m_data.latencyBins.isEmpty());
    chart->legend()->setAlignment(Qt::AlignTop);
    // The area itself needs no legend entry; the markers do.
    if (!chart->legend()->markers(area).isEmpty())
        chart->legend()->markers(area).first()->setVisible(false);

    connect(area, &QAreaSeries::clicked, this, [this](const QPointF &point) {
        for (const LogChartData::Bin &bin : std::as_const(m_data.latencyBins)) {
            if (point.x() >= bin.fromMs && point.x() < bin.toMs) {
                Q_EMIT latencyBinClicked(bin.fromMs, bin.toMs);
                return;
            }
        }
    });
}

void LogCharts::buildCostBars(QChart *chart, const QList<LogChartData::Share> &shares,
                              const QStringList &names, bool byModel)
{
    auto *set = new QBarSet(u"Cost"_s);
    set->setColor(colors().color(QPalette::Highlight));
    set->setBorderColor(colors().color(QPalette::Highlight));
    QStringList labels;
    double others = 0;
    for (qsizetype i = 0; i < shares.size(); ++i) {
        if (i < maxBars - 1 || shares.size() == maxBars) {
            labels.append(names.value(shares[i].id));
            *set << shares[i].costUsd;
        } else {
            others += shares[i].costUsd;
        }
    }
    if (others > 0) {
        labels.append(u"(%1 others)"_s.arg(shares.size() - maxBars + 1));
        *set << others;
    }
    // Highest cost at the top: horizontal bars are drawn from the bottom up.
    std::reverse(labels.begin(), labels.end());
    QList<qreal> values;
    for (int i = set->count() - 1; i >= 0; --i)
        values.append(set->at(i));
    set->remove(0, set->count());
    set->append(values);

    auto *series = new QHorizontalBarSeries;
    series->append(set);
    series->setLabelsVisible(true);
    series->setLabelsFormat(u"$@value"_s);
    series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    set->setLabelColor(colors().color(QPalette::Text));
    chart->addSeries(series);

    auto *categories = new QBarCategoryAxis;
    categories->append(labels);
    auto *cost = new QValueAxis;
    cost->setTitleText(u"Cost (USD)"_s);
    double top = 0;
    for (const qreal value : std::as_const(values))
        top = std::max(top, value);
    // Room beyond the longest bar for its label.
    ChartAxes::setRoundRange(cost, top * 1.25, 5, true);
    chart->addAxis(categories, Qt::AlignLeft);
    chart->addAxis(cost, Qt::AlignBottom);
    series->attachAxis(categories);
    series->attachAxis(cost);

    connect(set, &QBarSet::clicked, this, [this, labels, byModel](int index) {
        const QString name = labels.value(index);
        if (name.startsWith(u'(') && !(byModel ? m_modelNames : m_featureNames).contains(name))
            return; // the folded bar names no single value
        if (byModel)
            Q_EMIT modelClicked(name);
        else
            Q_EMIT featureClicked(name);
    });
}
