#include "capacitypanel.h"

#include "latencychart.h"

#include "calllog/calllogreader.h"
#include "economics/calculationstep.h"
#include "session/callsession.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSpinBox>
#include <QThread>

#include <memory>

using namespace Qt::Literals::StringLiterals;

namespace {

const QStringList models{u"claude-sonnet-4-6"_s, u"claude-haiku-4-5"_s, u"claude-opus-4-6"_s,
                         u"claude-3-haiku"_s};

QSpinBox *integerBox(int minimum, int maximum, int value, int step)
{
    auto *box = new QSpinBox;
    box->setRange(minimum, maximum);
    box->setSingleStep(step);
    box->setValue(value);
    box->setGroupSeparatorShown(true);
    return box;
}

QDoubleSpinBox *numberBox(double minimum, double maximum, double value, int decimals,
                          const QString &suffix = {})
{
    auto *box = new QDoubleSpinBox;
    box->setRange(minimum, maximum);
    box->setDecimals(decimals);
    box->setSingleStep(decimals >= 2 ? 0.05 : 10);
    box->setValue(value);
    box->setSuffix(suffix);
    return box;
}

QComboBox *modelBox(const QString &current)
{
    auto *box = new QComboBox;
    box->setEditable(true);
    box->addItems(models);
    box->setCurrentText(current);
    return box;
}

QString ms(double value)
{
    return formatCount(value) + u" ms"_s;
}

} // namespace

CapacityPanel::CapacityPanel(CallSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    auto *layout = new QHBoxLayout(this);
    auto *inputs = new QScrollArea;
    inputs->setWidget(createInputs());
    inputs->setWidgetResizable(true);
    inputs->setFrameShape(QFrame::NoFrame);
    inputs->setMinimumWidth(inputs->widget()->sizeHint().width() + 24);
    layout->addWidget(inputs, 0);
    layout->addWidget(createFigures(), 1);

    for (QSpinBox *box : findChildren<QSpinBox *>())
        connect(box, &QSpinBox::valueChanged, this, &CapacityPanel::recompute);
    for (QDoubleSpinBox *box : findChildren<QDoubleSpinBox *>())
        connect(box, &QDoubleSpinBox::valueChanged, this, &CapacityPanel::recompute);
    for (QComboBox *box : {m_model, m_routeModel})
        connect(box, &QComboBox::currentTextChanged, this, &CapacityPanel::recompute);
    connect(m_limitsPath, &QLineEdit::editingFinished, this, &CapacityPanel::recompute);
    connect(m_fitToLog, &QCheckBox::toggled, this, [this](bool on) {
        if (on) {
            fitToLog();
        } else {
            m_measured.reset();
            m_fitStatus->clear();
            recompute();
        }
    });
    connect(m_export, &QPushButton::clicked, this, &CapacityPanel::exportClicked);
    recompute();
}

QWidget *CapacityPanel::createInputs()
{
    auto *page = new QWidget;
    auto *column = new QVBoxLayout(page);
    column->setContentsMargins(0, 0, 0, 0);

    auto *traffic = new QGroupBox(tr("Traffic"));
    auto *form = new QFormLayout(traffic);
    m_requests = integerBox(0, 2'000'000'000, 10000, 1000);
    m_peakRatio = numberBox(1, 1000, 10, 1, u" x"_s);
    m_inputTokens = integerBox(0, 10'000'000, 1500, 100);
    m_outputTokens = integerBox(0, 1'000'000, 300, 50);
    m_model = modelBox(models.first());
    form->addRow(tr("Requests per day"), m_requests);
    form->addRow(tr("Peak / average"), m_peakRatio);
    form->addRow(tr("Input tokens"), m_inputTokens);
    form->addRow(tr("Output tokens"), m_outputTokens);
    form->addRow(tr("Model"), m_model);
    column->addWidget(traffic);

    auto *savings = new QGroupBox(tr("Routing and caching"));
    form = new QFormLayout(savings);
    m_routeShare = numberBox(0, 1, 0, 2);
    m_routeModel = modelBox(u"claude-haiku-4-5"_s);
    m_prefixTokens = integerBox(0, 10'000'000, 0, 100);
    m_hitRate = numberBox(0, 1, 0.8, 2);
    m_limitsPath = new QLineEdit;
    m_limitsPath->setPlaceholderText(tr("built-in tier table"));
    form->addRow(tr("Routed share"), m_routeShare);
    form->addRow(tr("Cheap model"), m_routeModel);
    form->addRow(tr("Cached prefix tokens"), m_prefixTokens);
    form->addRow(tr("Cache hit rate"), m_hitRate);
    form->addRow(tr("Tier table"), m_limitsPath);
    column->addWidget(savings);

    const LatencyInputs defaults;
    auto *latency = new QGroupBox(tr("Latency"));
    form = new QFormLayout(latency);
    m_networkMs = numberBox(0, 60000, defaults.networkMs, 0, u" ms"_s);
    m_queueingMs = numberBox(0, 60000, defaults.queueingMs, 0, u" ms"_s);
    m_ttftMs = numberBox(0, 60000, defaults.ttftMs, 0, u" ms"_s);
    m_tokensPerSecond = numberBox(1, 100000, defaults.outputTokensPerSecond, 0, u" tok/s"_s);
    m_sigma = numberBox(0, 5, defaults.spreadSigma, 3);
    m_target = numberBox(1, 600000, 2000, 0, u" ms"_s);
    m_fitToLog = new QCheckBox(tr("Fit the spread to the call log"));
    m_fitStatus = new QLabel;
    m_fitStatus->setWordWrap(true);
    form->addRow(tr("Network"), m_networkMs);
    form->addRow(tr("Queueing"), m_queueingMs);
    form->addRow(tr("Time to first token"), m_ttftMs);
    form->addRow(tr("Output speed"), m_tokensPerSecond);
    form->addRow(tr("Spread (sigma)"), m_sigma);
    form->addRow(tr("P99 target"), m_target);
    form->addRow(m_fitToLog);
    form->addRow(m_fitStatus);
    column->addWidget(latency);

    m_export = new QPushButton(tr("Export design…"));
    column->addWidget(m_export);
    column->addStretch();
    return page;
}

QGroupBox *CapacityPanel::figureGroup(const QString &title,
                                      std::initializer_list<std::pair<QString, QString>> rows)
{
    auto *group = new QGroupBox(title);
    auto *form = new QFormLayout(group);
    for (const auto &[name, label] : rows) {
        auto *value = new QLabel;
        value->setObjectName(name);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        form->addRow(label, value);
        m_figures.insert(name, value);
    }
    return group;
}

QWidget *CapacityPanel::createFigures()
{
    auto *page = new QWidget;
    auto *column = new QVBoxLayout(page);
    column->setContentsMargins(0, 0, 0, 0);

    m_error = new QLabel;
    m_error->setWordWrap(true);
    m_error->setStyleSheet(u"color: #d93a3a; font-weight: bold;"_s);
    column->addWidget(m_error);

    auto *row = new QHBoxLayout;
    row->addWidget(figureGroup(tr("Traffic and tokens"),
                               {{u"averageRps"_s, tr("Average RPS")},
                                {u"peakRps"_s, tr("Peak RPS")},
                                {u"peakRpm"_s, tr("Peak RPM")},
                                {u"dailyInputTokens"_s, tr("Input tokens/day")},
                                {u"dailyOutputTokens"_s, tr("Output tokens/day")},
                                {u"peakInputTpm"_s, tr("Peak input TPM")},
                                {u"countedPeakInputTpm"_s, tr("…as the limiter counts")},
                                {u"peakOutputTpm"_s, tr("Peak output TPM")}}));
    row->addWidget(figureGroup(tr("Cost"), {{u"baselineDaily"_s, tr("Baseline / day")},
                                            {u"baselineMonthly"_s, tr("Baseline / month")},
                                            {u"routedDaily"_s, tr("After routing / day")},
                                            {u"routedSaving"_s, tr("Routing saves")},
                                            {u"cachedDaily"_s, tr("After caching / day")},
                                            {u"cachedSaving"_s, tr("Caching saves")},
                                            {u"cachedMonthly"_s, tr("Optimised / month")}}));
    row->addWidget(
        figureGroup(tr("Rate limits and latency"), {{u"tier"_s, tr("Tier needed")},
                                                    {u"median"_s, tr("Median latency")},
                                                    {u"p99"_s, tr("P99 latency")},
                                                    {u"concurrency"_s, tr("In flight at peak")}}));
    column->addLayout(row);

    m_bindingBox = new QLabel;
    m_bindingBox->setObjectName(u"binding"_s);
    m_figures.insert(u"binding"_s, m_bindingBox);
    column->addWidget(m_bindingBox);

    m_chart = new LatencyChart;
    column->addWidget(m_chart, 1);
    return page;
}

CapacityScenario CapacityPanel::scenario() const
{
    CapacityScenario scenario;
    scenario.requestsPerDay = m_requests->value();
    scenario.peakRatio = m_peakRatio->value();
    scenario.inputTokensPerRequest = m_inputTokens->value();
    scenario.outputTokensPerRequest = m_outputTokens->value();
    scenario.modelId = m_model->currentText().trimmed();
    if (m_routeShare->value() > 0)
        scenario.routing =
            RoutingShare{m_routeShare->value(), m_routeModel->currentText().trimmed()};
    if (m_prefixTokens->value() > 0)
        scenario.caching = PrefixCaching{m_prefixTokens->value(), m_hitRate->value()};
    return scenario;
}

void CapacityPanel::setScenario(const CapacityScenario &scenario)
{
    m_requests->setValue(int(scenario.requestsPerDay));
    m_peakRatio->setValue(scenario.peakRatio);
    m_inputTokens->setValue(int(scenario.inputTokensPerRequest));
    m_outputTokens->setValue(int(scenario.outputTokensPerRequest));
    m_model->setCurrentText(scenario.modelId);
    m_routeShare->setValue(scenario.routing ? scenario.routing->share : 0);
    if (scenario.routing)
        m_routeModel->setCurrentText(scenario.routing->modelId);
    m_prefixTokens->setValue(scenario.caching ? int(scenario.caching->prefixTokens) : 0);
    if (scenario.caching)
        m_hitRate->setValue(scenario.caching->hitRate);
    recompute();
}

LatencyInputs CapacityPanel::latencyInputs() const
{
    return LatencyInputs{m_networkMs->value(),       m_queueingMs->value(),   m_ttftMs->value(),
                         m_tokensPerSecond->value(), m_outputTokens->value(), m_sigma->value()};
}

void CapacityPanel::setLatencyInputs(const LatencyInputs &inputs)
{
    m_networkMs->setValue(inputs.networkMs);
    m_queueingMs->setValue(inputs.queueingMs);
    m_ttftMs->setValue(inputs.ttftMs);
    m_tokensPerSecond->setValue(inputs.outputTokensPerSecond);
    m_sigma->setValue(inputs.spreadSigma);
}

double CapacityPanel::p99TargetMs() const
{
    return m_target->value();
}

void CapacityPanel::setP99TargetMs(double ms)
{
    m_target->setValue(ms);
}

QString CapacityPanel::figureText(const QString &name) const
{
    const QLabel *label = m_figures.value(name);
    return label ? label->text() : QString();
}

void CapacityPanel::recompute()
{
    const Expected<RateLimitTable> limits = RateLimitTable::load(m_limitsPath->text().trimmed());
    m_report = limits ? CapacityReport::build(scenario(), m_session->prices(), *limits,
                                              latencyInputs(), m_measured, p99TargetMs())
                      : Expected<CapacityReport>(Failure{limits.error()});
    m_sigma->setEnabled(!m_measured);
    m_export->setEnabled(m_report.hasValue());
    if (m_report) {
        m_error->hide();
        showFigures(*m_report);
    } else {
        m_error->setText(m_report.error());
        m_error->show();
        for (QLabel *label : std::as_const(m_figures))
            label->setText(u"–"_s);
    }
    Q_EMIT recomputed();
}

void CapacityPanel::showFigures(const CapacityReport &report)
{
    const CapacityPlan &plan = report.plan;
    const LatencyBudget &latency = report.latency;
    const auto set = [this](const QString &name, const QString &text) {
        m_figures.value(name)->setText(text);
    };
    const auto saving = [](const CostStep &step) {
        return u"%1/day (%2 %)"_s.arg(formatDollars(step.savingDaily),
                                      formatCount(step.savingPercent));
    };
    set(u"averageRps"_s, formatCount(plan.averageRps));
    set(u"peakRps"_s, formatCount(plan.peakRps));
    set(u"peakRpm"_s, formatCount(plan.peakRpm));
    set(u"dailyInputTokens"_s, formatCount(plan.dailyInputTokens));
    set(u"dailyOutputTokens"_s, formatCount(plan.dailyOutputTokens));
    set(u"peakInputTpm"_s, formatCount(plan.peakInputTpm));
    set(u"countedPeakInputTpm"_s, formatCount(plan.countedPeakInputTpm));
    set(u"peakOutputTpm"_s, formatCount(plan.peakOutputTpm));
    set(u"baselineDaily"_s, formatDollars(plan.baseline.daily));
    set(u"baselineMonthly"_s, formatDollars(plan.baseline.monthly));
    set(u"routedDaily"_s, formatDollars(plan.afterRouting.daily));
    set(u"routedSaving"_s, saving(plan.afterRouting));
    set(u"cachedDaily"_s, formatDollars(plan.afterCaching.daily));
    set(u"cachedSaving"_s, saving(plan.afterCaching));
    set(u"cachedMonthly"_s, formatDollars(plan.afterCaching.monthly));
    set(u"tier"_s, plan.tier.value_or(tr("none listed fits")));
    set(u"median"_s, ms(latency.medianMs));
    set(u"p99"_s, ms(latency.p99Ms) + (report.meetsTarget() ? u" ✓"_s : u" ✗"_s));
    set(u"concurrency"_s, formatCount(report.peakConcurrency()));

    const BindingLimit &binding = plan.binding;
    set(u"binding"_s,
        u"Binding limit: %1 %2 in %6, %3 of %4 at peak (%5 %)"_s.arg(
            binding.className, binding.measure, formatCount(binding.peak),
            formatCount(binding.allowed), formatCount(binding.usage() * 100), binding.tier));
    // Amber when the limit is nearly reached, red when no tier carries the peak.
    const QString colour = !plan.tier              ? u"#d93a3a"_s
                           : binding.usage() > 0.8 ? u"#d98a1a"_s
                                                   : u"#2e9d4f"_s;
    m_bindingBox->setStyleSheet(u"QLabel { border: 2px solid %1; border-radius: 4px; "
                                "padding: 4px; font-weight: bold; }"_s.arg(colour));
    m_chart->setBudget(latency, report.p99TargetMs);
}

void CapacityPanel::fitToLog()
{
    const QString path = m_session->logPath();
    const PriceBook prices = m_session->prices();
    m_fitStatus->setText(tr("Reading %1…").arg(path));
    auto result = std::make_shared<Expected<LogStats>>(fail(QString()));
    QThread *worker = QThread::create(
        [path, prices, result] { *result = CallLogReader::summarize(path, prices); });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    connect(worker, &QThread::finished, this, [this, result] {
        bool fitted = false;
        if (!*result) {
            m_fitStatus->setText(result->error());
        } else if ((*result)->records() == 0) {
            m_fitStatus->setText(tr("The log has no calls yet."));
        } else {
            m_measured = LatencyBudget::measure((*result)->overall());
            m_fitStatus->setText(tr("Fitted to %1 calls: median %2, P99 %3")
                                     .arg(m_measured->calls)
                                     .arg(ms(m_measured->medianMs), ms(m_measured->p99Ms)));
            fitted = true;
        }
        if (!fitted)
            m_fitToLog->setChecked(false);
        recompute();
        Q_EMIT logFitFinished(fitted);
    });
    worker->start();
}

Expected<void> CapacityPanel::exportReport(const QString &path) const
{
    if (!m_report)
        return fail(m_report.error());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_report->markdown().toUtf8()) < 0
        || !file.commit()) {
        return fail(u"%1: %2"_s.arg(path, file.errorString()));
    }
    return {};
}

void CapacityPanel::exportClicked()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export the design"), u"exercise_05_design.md"_s, tr("Markdown (*.md)"));
    if (path.isEmpty())
        return;
    const Expected<void> written = exportReport(path);
    m_fitStatus->setText(written ? tr("Wrote %1").arg(path) : written.error());
}
