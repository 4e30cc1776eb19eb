#include "queryrunview.h"

#include "session/queryrun.h"
#include "theme.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace {

QLabel *figure(const QString &name)
{
    auto *label = new QLabel(u"–"_s);
    label->setObjectName(name);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

QueryRunView::QueryRunView(QWidget *parent)
    : QWidget(parent)
    , m_status(new QLabel(u"Not run yet. \"Run the five test queries\" sends the bundled questions "
                          "one after another with the settings on the left."_s))
    , m_progress(new QProgressBar)
    , m_totalCost(figure(u"runTotalCost"_s))
    , m_meanLatency(figure(u"runMeanLatency"_s))
    , m_cacheHitRate(figure(u"runCacheHitRate"_s))
    , m_calls(figure(u"runCalls"_s))
    , m_chart(new QChart)
    , m_chartView(new QChartView(m_chart))
    , m_series(new QBarSeries)
    , m_readSet(new QBarSet(u"Cache read tokens"_s))
    , m_writeSet(new QBarSet(u"Cache write tokens"_s))
    , m_categories(new QBarCategoryAxis)
    , m_tokens(new QValueAxis)
{
    m_status->setObjectName(u"runStatus"_s);
    m_status->setWordWrap(true);
    m_progress->setObjectName(u"runProgress"_s);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);

    auto *figures = new QFormLayout;
    figures->addRow(u"Calls"_s, m_calls);
    figures->addRow(u"Total cost"_s, m_totalCost);
    figures->addRow(u"Mean latency"_s, m_meanLatency);
    figures->addRow(u"Cache hit rate"_s, m_cacheHitRate);

    m_series->append(m_readSet);
    m_series->append(m_writeSet);
    m_chart->addSeries(m_series);
    m_chart->addAxis(m_categories, Qt::AlignBottom);
    m_chart->addAxis(m_tokens, Qt::AlignLeft);
    m_series->attachAxis(m_categories);
    m_series->attachAxis(m_tokens);
    m_tokens->setTitleText(u"tokens"_s);
    m_tokens->setLabelFormat(u"%d"_s);
    m_chart->setTitle(u"Prompt cache per call"_s);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chartView->setObjectName(u"runChart"_s);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(260);
    applyChartTheme();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_progress);
    layout->addLayout(figures);
    layout->addWidget(m_chartView, 1);
}

void QueryRunView::follow(QueryRun *run, int queryCount)
{
    if (m_run)
        m_run->disconnect(this);
    m_run = run;
    m_queryCount = queryCount;
    m_progress->setRange(0, queryCount);
    m_progress->setValue(0);
    for (QLabel *label : {m_totalCost, m_meanLatency, m_cacheHitRate, m_calls})
        label->setText(u"–"_s);
    m_readSet->remove(0, m_readSet->count());
    m_writeSet->remove(0, m_writeSet->count());
    m_categories->clear();
    m_status->setText(u"Starting…"_s);

    connect(run, &QueryRun::queryStarted, this, &QueryRunView::showStarted);
    connect(run, &QueryRun::queryFinished, this, &QueryRunView::showFinishedQuery);
    connect(run, &QueryRun::finished, this, &QueryRunView::showSummary);
}

QueryRun *QueryRunView::run() const
{
    return m_run;
}

void QueryRunView::showStarted(int index)
{
    m_status->setText(u"Sending query %1 of %2…"_s.arg(index + 1).arg(m_queryCount));
}

void QueryRunView::showFinishedQuery(int index)
{
    const QueryOutcome &outcome = m_run->outcomes().at(index);
    const qint64 read = outcome.record ? outcome.record->cacheReadInputTokens : 0;
    const qint64 written = outcome.record ? outcome.record->cacheCreationInputTokens : 0;
    m_categories->append(u"Call %1"_s.arg(index + 1));
    m_readSet->append(double(read));
    m_writeSet->append(double(written));
    qreal highest = 0;
    for (int i = 0; i < m_readSet->count(); ++i)
        highest = std::max({highest, m_readSet->at(i), m_writeSet->at(i)});
    m_tokens->setRange(0, highest > 0 ? highest * 1.1 : 1);
    m_tokens->applyNiceNumbers();
    m_progress->setValue(index + 1);
}

void QueryRunView::showSummary()
{
    const Expected<LogStats> summary = m_run->summary();
    const int failures = m_run->failures();
    if (!summary) {
        m_status->setText(u"The run finished, but its log records could not be read back: "_s
                          + summary.error());
        Q_EMIT finished();
        return;
    }
    const GroupStats overall = summary->overall();
    const QLocale locale;
    m_calls->setText(failures == 0
                         ? locale.toString(overall.records)
                         : u"%1 (%2 failed)"_s.arg(locale.toString(overall.records)).arg(failures));
    m_totalCost->setText(u"$"_s + QString::number(overall.costUsd, 'f', 6));
    m_meanLatency->setText(locale.toString(overall.meanLatencyMs(), 'f', 0) + u" ms"_s);
    m_cacheHitRate->setText(locale.toString(overall.cacheHitRate() * 100, 'f', 1) + u" %"_s);

    const bool complete = m_run->outcomes().size() == m_queryCount;
    m_status->setText(
        complete
            ? u"Done: %1 queries sent. Figures read back from the call log."_s.arg(m_queryCount)
            : u"Stopped after %1 of %2 queries."_s.arg(m_run->outcomes().size()).arg(m_queryCount));
    Q_EMIT finished();
}

void QueryRunView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyChartTheme();
    QWidget::changeEvent(event);
}

void QueryRunView::applyChartTheme()
{
    m_chart->setTheme(Theme::isDark() ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    m_chart->setBackgroundBrush(palette().brush(QPalette::Base));
    m_chart->legend()->setLabelColor(palette().color(QPalette::Text));
    Theme::styleChart(m_chart);
}
