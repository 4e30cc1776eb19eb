#include "cachingpanel.h"

#include "chartreset.h"
#include "economics/calculationstep.h"
#include "session/callsession.h"
#include "sim/simmodelcatalogue.h"
#include "theme.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QSpinBox>
#include <QThread>
#include <QTreeWidget>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <memory>

using namespace Qt::Literals::StringLiterals;

namespace {

// The calls of the log kept for judging the latest run; older ones cannot change a verdict
// of the latest run but a very old prompt version's first call.
constexpr qsizetype recentCalls = 500;
constexpr int chartPoints = 80;

QDoubleSpinBox *numberBox(const QString &name, double maximum, int decimals, double step,
                          const QString &suffix)
{
    auto *box = new QDoubleSpinBox;
    box->setObjectName(name);
    box->setRange(0, maximum);
    box->setDecimals(decimals);
    box->setSingleStep(step);
    box->setSuffix(suffix);
    box->setKeyboardTracking(false);
    return box;
}

// Lays the rows out again and makes the tree tall enough to show every step without scrolling:
// the working is what a reader comes for.
void fitEveryRow(QTreeWidget *tree)
{
    tree->doItemsLayout();
    int height = tree->header()->sizeHint().height() + 2 * tree->frameWidth();
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        height += tree->visualItemRect(tree->topLevelItem(i)).height();
    if (tree->horizontalScrollBar()->isVisible())
        height += tree->horizontalScrollBar()->height();
    tree->setMinimumHeight(height);
}

QTreeWidget *stepTree(const QString &name)
{
    auto *tree = new QTreeWidget;
    tree->setObjectName(name);
    tree->setHeaderLabels({u"Step"_s, u"Formula"_s, u"Result"_s});
    tree->setRootIsDecorated(false);
    tree->setWordWrap(true);
    tree->setUniformRowHeights(false);
    tree->header()->setStretchLastSection(false);
    tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    tree->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    tree->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    // A narrower formula column (larger type in presentation mode) wraps its text onto more
    // lines, which a tree view only measures when laid out again.
    QObject::connect(tree->header(), &QHeaderView::sectionResized, tree,
                     [tree] { fitEveryRow(tree); });
    return tree;
}

void showWorking(QTreeWidget *tree, const std::optional<CacheEconomics> &economics)
{
    tree->clear();
    if (!economics)
        return;
    for (const CalculationStep &step : economics->working) {
        auto *item = new QTreeWidgetItem(tree, {step.label, step.formula, step.result});
        item->setToolTip(1, step.formula);
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
    }
    fitEveryRow(tree);
}

QGroupBox *titled(const QString &title, QLayout *layout)
{
    auto *box = new QGroupBox(title);
    box->setLayout(layout);
    return box;
}

} // namespace

struct CachingPanel::LogReading
{
    QList<MeasuredCall> recent;
    QString problem;
};

CachingPanel::CachingPanel(CallSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    m_uniformWorking = stepTree(u"uniformWorking"_s);
    m_poissonWorking = stepTree(u"poissonWorking"_s);
    m_warnings = new QLabel;
    m_warnings->setObjectName(u"warnings"_s);
    m_warnings->setWordWrap(true);

    m_chart = new QChart;
    m_chart->setTitle(u"Daily cost of the cached prefix against calls per day"_s);
    m_chartView = new QChartView(m_chart);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(260);

    auto *uniform = new QVBoxLayout;
    uniform->addWidget(m_uniformWorking);
    auto *poisson = new QVBoxLayout;
    poisson->addWidget(m_poissonWorking);
    auto *working = new QHBoxLayout;
    working->addWidget(titled(u"Part A, uniform arrivals"_s, uniform));
    working->addWidget(titled(u"Part A, Poisson arrivals"_s, poisson));

    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_chartView, 4);
    bottom->addWidget(buildMeasured(), 5);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(buildInputs());
    layout->addLayout(working, 3);
    layout->addWidget(m_warnings);
    layout->addLayout(bottom, 6);

    setScenario(
        CacheScenario{1000, 500, 0.30, 0.03, std::nullopt, 300, ArrivalPattern::Uniform, 90.0});
    connect(m_session, &CallSession::sessionCostChanged, this, &CachingPanel::refreshMeasured);
    connect(m_session, &CallSession::backendChanged, this, &CachingPanel::refreshMeasured);
    refreshMeasured();
}

CachingPanel::~CachingPanel()
{
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

QWidget *CachingPanel::buildInputs()
{
    m_model = new QComboBox;
    m_model->setObjectName(u"model"_s);
    m_model->addItem(u"Custom prices"_s);
    for (const ModelPrice &price : m_session->prices().models()) {
        if (!price.retired)
            m_model->addItem(price.displayName, price.family);
    }
    m_calls = numberBox(u"callsPerDay"_s, 1e8, 0, 100, QString());
    m_tokens = new QSpinBox;
    m_tokens->setObjectName(u"promptTokens"_s);
    m_tokens->setRange(0, 10'000'000);
    m_tokens->setSingleStep(100);
    m_tokens->setKeyboardTracking(false);
    m_inputPrice = numberBox(u"inputPrice"_s, 1000, 3, 0.05, u" $/MTok"_s);
    m_readPrice = numberBox(u"readPrice"_s, 1000, 3, 0.01, u" $/MTok"_s);
    m_writePrice = numberBox(u"writePrice"_s, 1000, 3, 0.05, u" $/MTok"_s);
    m_writePrice->setSpecialValueText(u"1.25 x input"_s);
    m_ttl = numberBox(u"ttl"_s, 86400, 0, 60, u" s"_s);
    m_ttl->setMinimum(1);
    m_interval = numberBox(u"interval"_s, 86400, 1, 10, u" s"_s);
    m_interval->setSpecialValueText(u"86400 / calls"_s);

    // Two rows of four inputs, so that the working below gets the whole width.
    const QList<std::pair<QString, QWidget *>> inputs = {
        {u"Prices of"_s, m_model},
        {u"Calls per day"_s, m_calls},
        {u"Cached prefix (tokens)"_s, m_tokens},
        {u"Cache lifetime (TTL)"_s, m_ttl},
        {u"Input price"_s, m_inputPrice},
        {u"Cache read price"_s, m_readPrice},
        {u"Cache write price"_s, m_writePrice},
        {u"Interval (uniform)"_s, m_interval},
    };
    auto *grid = new QGridLayout;
    for (int i = 0; i < int(inputs.size()); ++i) {
        auto *label = new QLabel(inputs.at(i).first);
        label->setBuddy(inputs.at(i).second);
        grid->addWidget(label, i / 4, (i % 4) * 2);
        grid->addWidget(inputs.at(i).second, i / 4, (i % 4) * 2 + 1);
        grid->setColumnStretch((i % 4) * 2 + 1, 1);
    }
    auto *note = new QLabel(u"Prices are USD per million tokens. Only the cached prefix is "
                            "priced: the rest of each call costs the same either way."_s);
    grid->addWidget(note, 2, 0, 1, 8);

    connect(m_model, &QComboBox::currentIndexChanged, this, &CachingPanel::choosePrices);
    for (QDoubleSpinBox *box :
         {m_calls, m_inputPrice, m_readPrice, m_writePrice, m_ttl, m_interval}) {
        connect(box, &QDoubleSpinBox::valueChanged, this, &CachingPanel::recompute);
    }
    connect(m_tokens, &QSpinBox::valueChanged, this, &CachingPanel::recompute);

    return titled(u"Scenario"_s, grid);
}

QWidget *CachingPanel::buildMeasured()
{
    m_measuredSummary = new QLabel;
    m_measuredSummary->setObjectName(u"measuredSummary"_s);
    m_measuredSummary->setWordWrap(true);
    m_measuredSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_measuredTable = new QTreeWidget;
    m_measuredTable->setObjectName(u"measuredCalls"_s);
    m_measuredTable->setHeaderLabels({u"Call"_s, u"Time (UTC)"_s, u"Prompt"_s, u"Written"_s,
                                      u"Read"_s, u"Uncached in"_s, u"Why"_s});
    m_measuredTable->setRootIsDecorated(false);
    m_measuredTable->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_measuredTable->header()->setStretchLastSection(true);

    auto *refresh = new QPushButton(u"Reread the log"_s);
    connect(refresh, &QPushButton::clicked, this, &CachingPanel::refreshMeasured);
    m_export = new QPushButton(u"Export exercise_03_solution.md..."_s);
    m_export->setObjectName(u"export"_s);
    connect(m_export, &QPushButton::clicked, this, &CachingPanel::askWhereToExport);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(refresh);
    buttons->addWidget(m_export);

    auto *layout = new QVBoxLayout;
    layout->addWidget(m_measuredSummary);
    layout->addWidget(m_measuredTable, 1);
    layout->addLayout(buttons);
    return titled(u"Part B: measured in the session's log"_s, layout);
}

CacheScenario CachingPanel::scenario() const
{
    CacheScenario scenario;
    scenario.callsPerDay = m_calls->value();
    scenario.cachedPromptTokens = m_tokens->value();
    scenario.inputPrice = m_inputPrice->value();
    scenario.cacheReadPrice = m_readPrice->value();
    if (m_writePrice->value() > 0)
        scenario.cacheWritePrice = m_writePrice->value();
    scenario.ttlSeconds = m_ttl->value();
    if (m_interval->value() > 0)
        scenario.intervalSeconds = m_interval->value();
    return scenario;
}

void CachingPanel::setScenario(const CacheScenario &scenario)
{
    const QSignalBlocker blockers[] = {QSignalBlocker(m_calls),      QSignalBlocker(m_tokens),
                                       QSignalBlocker(m_inputPrice), QSignalBlocker(m_readPrice),
                                       QSignalBlocker(m_writePrice), QSignalBlocker(m_ttl),
                                       QSignalBlocker(m_interval)};
    m_calls->setValue(scenario.callsPerDay);
    m_tokens->setValue(int(std::min<qint64>(scenario.cachedPromptTokens, m_tokens->maximum())));
    m_inputPrice->setValue(scenario.inputPrice);
    m_readPrice->setValue(scenario.cacheReadPrice);
    m_writePrice->setValue(scenario.cacheWritePrice.value_or(0));
    m_ttl->setValue(scenario.ttlSeconds);
    m_interval->setValue(scenario.intervalSeconds.value_or(0));
    recompute();
}

void CachingPanel::choosePrices(int index)
{
    if (index <= 0)
        return;
    const Expected<ModelPrice> price =
        m_session->prices().lookup(m_model->itemData(index).toString());
    if (!price)
        return;
    CacheScenario chosen = scenario();
    chosen.inputPrice = price->input;
    chosen.cacheReadPrice = price->cacheRead;
    chosen.cacheWritePrice = price->cacheWrite5m;
    setScenario(chosen);
}

void CachingPanel::recompute()
{
    CacheScenario uniform = scenario();
    uniform.arrivals = ArrivalPattern::Uniform;
    CacheScenario poisson = uniform;
    poisson.arrivals = ArrivalPattern::Poisson;
    poisson.intervalSeconds.reset();

    const Expected<CacheEconomics> uniformDay = CacheEconomics::compute(uniform);
    const Expected<CacheEconomics> poissonDay = CacheEconomics::compute(poisson);
    m_uniform = uniformDay ? std::optional(*uniformDay) : std::nullopt;
    m_poisson = poissonDay ? std::optional(*poissonDay) : std::nullopt;
    showWorking(m_uniformWorking, m_uniform);
    showWorking(m_poissonWorking, m_poisson);

    QStringList warnings;
    if (!uniformDay)
        warnings.append(uniformDay.error());
    if (m_uniform) {
        for (const QString &warning : m_uniform->warnings)
            warnings.append(u"Uniform: "_s + warning);
    }
    if (m_poisson) {
        for (const QString &warning : m_poisson->warnings)
            warnings.append(u"Poisson: "_s + warning);
    }
    m_warnings->setText(warnings.isEmpty() ? u"No warnings: the inputs are consistent."_s
                                           : QString(u"\u26a0 "_s + warnings.join(u"\n\u26a0 "_s)));
    updateChart();
    showMeasured();
}

void CachingPanel::updateChart()
{
    resetChart(m_chart);
    if (!m_uniform || !m_poisson)
        return;

    // The sweep spreads each volume over the day (interval 86400 / calls), so the curves show
    // how the volume alone decides whether the cache stays warm.
    CacheScenario sweep = scenario();
    sweep.intervalSeconds.reset();
    const double breakEven = m_uniform->breakEvenCallsPerDay.value_or(0);
    const double widest = std::max({2 * sweep.callsPerDay, 2 * breakEven, 100.0});

    // Short names: in presentation mode four keys in large type share the chart's width. The
    // cached curves are named by their arrivals, as Part A's two tables are.
    auto *without = new QLineSeries;
    without->setName(u"No caching"_s);
    auto *uniform = new QLineSeries;
    uniform->setName(u"Uniform"_s);
    auto *poisson = new QLineSeries;
    poisson->setName(u"Poisson"_s);
    double highest = 0;
    for (int i = 1; i <= chartPoints; ++i) {
        sweep.callsPerDay = widest * i / chartPoints;
        sweep.arrivals = ArrivalPattern::Uniform;
        const Expected<CacheEconomics> spread = CacheEconomics::compute(sweep);
        sweep.arrivals = ArrivalPattern::Poisson;
        const Expected<CacheEconomics> random = CacheEconomics::compute(sweep);
        if (!spread || !random)
            continue;
        without->append(sweep.callsPerDay, spread->costWithoutCaching);
        uniform->append(sweep.callsPerDay, spread->costWithCaching);
        poisson->append(sweep.callsPerDay, random->costWithCaching);
        highest = std::max({highest, spread->costWithoutCaching, spread->costWithCaching,
                            random->costWithCaching});
    }
    QList<QLineSeries *> all = {without, uniform, poisson};
    if (breakEven > 0) {
        auto *marker = new QLineSeries;
        marker->setName(u"Break-even %1/day"_s.arg(formatCount(breakEven)));
        marker->append(breakEven, 0);
        marker->append(breakEven, highest);
        all.append(marker);
    }

    auto *x = new QValueAxis;
    x->setTitleText(u"Calls per day"_s);
    x->setRange(0, widest);
    x->setLabelFormat(u"%.0f"_s);
    auto *y = new QValueAxis;
    y->setTitleText(u"USD/day"_s);
    y->setRange(0, highest > 0 ? highest * 1.05 : 1);
    y->setLabelFormat(u"$%.4g"_s);
    y->applyNiceNumbers();
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    for (QLineSeries *series : all) {
        m_chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
    }
    applyChartTheme();
}

void CachingPanel::applyChartTheme()
{
    m_chart->setTheme(Theme::isDark() ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    const QList<QAbstractSeries *> series = m_chart->series();
    if (series.size() == 4) {
        auto *marker = static_cast<QLineSeries *>(series.at(3));
        QPen pen = marker->pen();
        pen.setStyle(Qt::DashLine);
        marker->setPen(pen);
    }
    Theme::styleChart(m_chart);
}

void CachingPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_chart)
        applyChartTheme();
}

void CachingPanel::refreshMeasured()
{
    if (m_reading) {
        m_readAgain = true;
        return;
    }
    m_reading = true;
    auto reading = std::make_shared<LogReading>();
    const QString path = m_session->logPath();
    const PriceBook prices = m_session->prices();
    m_thread = QThread::create([reading, path, prices] {
        const Expected<QList<MeasuredCall>> calls = MeasuredCall::readLog(path, prices);
        if (!calls) {
            reading->problem = calls.error();
            return;
        }
        reading->recent = calls->mid(std::max<qsizetype>(0, calls->size() - recentCalls));
    });
    connect(m_thread, &QThread::finished, this, [this, reading] {
        m_thread->deleteLater();
        m_thread = nullptr;
        m_reading = false;
        takeReading(*reading);
        if (m_readAgain) {
            m_readAgain = false;
            refreshMeasured();
        }
    });
    m_thread->start();
}

void CachingPanel::takeReading(const LogReading &reading)
{
    m_logProblem = reading.problem;
    m_recent = reading.recent;
    m_run = MeasuredCall::latestCachedRun(m_recent);
    showMeasured();
    Q_EMIT measuredChanged();
}

QList<CacheVerdict> CachingPanel::verdictsOfRun() const
{
    qsizetype last = m_recent.size() - 1;
    while (last >= 0 && !m_recent.at(last).usedCache())
        --last;
    const QList<CacheVerdict> all =
        explainCacheUse(m_recent.mid(0, last + 1), m_ttl->value(), SimModelCatalogue::builtIn());
    return all.mid(all.size() - m_run.size());
}

void CachingPanel::showMeasured()
{
    if (!m_measuredTable)
        return;
    m_measuredTable->clear();
    if (!m_logProblem.isEmpty()) {
        m_measuredSummary->setText(u"The log could not be read: %1"_s.arg(m_logProblem));
        return;
    }
    if (m_run.isEmpty()) {
        m_measuredSummary->setText(
            u"No call in %1 used the prompt cache yet. Send a few queries with caching on (the "
            "Prompt panel's five test queries, or opsbench-cli run --cache) and they appear "
            "here."_s.arg(m_session->logPath()));
        return;
    }

    const Expected<CacheMeasurement> measured =
        CacheMeasurement::measure(m_run, m_session->prices());
    if (!measured) {
        m_measuredSummary->setText(measured.error());
        return;
    }
    QStringList reads;
    for (qint64 tokens : measured->laterReadTokens)
        reads.append(QString::number(tokens));
    QString text =
        u"<b>%1 calls</b> to %2 with prompt <code>%3</code>. Call 1 wrote %4 tokens; "
        "later calls read %5.<br>Measured: <b>%6</b> against %7 without caching, "
        "a saving of <b>%8%</b> (%9% on the cached prefix). "
        "Theory for these calls: <b>%10%</b>."_s.arg(m_run.size())
            .arg(m_run.constFirst().model, m_run.constFirst().systemPromptHash)
            .arg(measured->firstCallWriteTokens)
            .arg(reads.isEmpty() ? u"nothing"_s : reads.join(", "_L1), formatUsd(measured->costUsd),
                 formatUsd(measured->costWithoutCachingUsd))
            .arg(measured->savingPercent, 0, 'f', 2)
            .arg(measured->prefixSavingPercent, 0, 'f', 2)
            .arg(measured->theorySavingPercent, 0, 'f', 2);
    if (m_uniform && m_poisson) {
        text += u" The scenario's day: %1% uniform, %2% Poisson."_s
                    .arg(m_uniform->savingPercent, 0, 'f', 2)
                    .arg(m_poisson->savingPercent, 0, 'f', 2);
    }
    m_measuredSummary->setText(text);

    const QList<CacheVerdict> verdicts = verdictsOfRun();
    for (qsizetype i = 0; i < m_run.size(); ++i) {
        const MeasuredCall &call = m_run.at(i);
        const CacheVerdict verdict = verdicts.value(i, CacheVerdict::Unexplained);
        auto *item = new QTreeWidgetItem(
            m_measuredTable,
            {QString::number(i + 1), call.timestamp.toString(u"HH:mm:ss"_s), call.systemPromptHash,
             QString::number(call.usage.cacheCreationInputTokens),
             QString::number(call.usage.cacheReadInputTokens),
             QString::number(call.usage.inputTokens), cacheVerdictText(verdict)});
        for (int column = 3; column <= 5; ++column)
            item->setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
    }
}

Expected<void> CachingPanel::exportReport(const QString &path) const
{
    CacheReport report(scenario());
    report.setMeasuredCalls(m_run);
    const Expected<QString> text = report.toMarkdown(m_session->prices());
    if (!text)
        return Failure{text.error()};
    QSaveFile file(path);
    const QByteArray bytes = text->toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return fail(u"Cannot write %1: %2"_s.arg(path, file.errorString()));
    return {};
}

void CachingPanel::askWhereToExport()
{
    const QString path = QFileDialog::getSaveFileName(
        this, u"Export the cache report"_s, CacheReport::defaultFileName(), u"Markdown (*.md)"_s);
    if (path.isEmpty())
        return;
    const Expected<void> written = exportReport(path);
    if (!written)
        QMessageBox::warning(this, u"Export the cache report"_s, written.error());
}
