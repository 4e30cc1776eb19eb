#include "retrylabpanel.h"

#include "chartreset.h"
#include "theme.h"

#include "client/messagesclient.h"
#include "session/callsession.h"
#include "sim/simulator.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChartView>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QSpinBox>
#include <QValueAxis>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int herdBins = 10;
constexpr quint32 herdSeed = 7;

QSpinBox *spinBox(int minimum, int maximum, int value, const QString &suffix = {})
{
    auto *box = new QSpinBox;
    box->setRange(minimum, maximum);
    box->setValue(value);
    box->setSuffix(suffix);
    return box;
}

} // namespace

RetryLabPanel::RetryLabPanel(CallSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_network(std::make_unique<QNetworkAccessManager>())
{
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(createControls(), 0);
    auto *right = new QVBoxLayout;
    m_timeline = new CallTimelineView;
    auto *timelineBox = new QGroupBox(tr("Calls: attempts and waits"));
    (new QVBoxLayout(timelineBox))->addWidget(m_timeline);
    right->addWidget(timelineBox, 3);
    right->addWidget(createHerd(), 2);
    layout->addLayout(right, 1);

    connect(m_run, &QPushButton::clicked, this, &RetryLabPanel::runCalls);
    for (QSpinBox *box : {m_attempts, m_baseDelay, m_maxDelay, m_herdClients})
        connect(box, &QSpinBox::valueChanged, this, &RetryLabPanel::computeHerd);
    connect(m_calls, &QSpinBox::valueChanged, m_run,
            [this](int calls) { m_run->setText(tr("Run %1 calls").arg(calls)); });
    connect(session, &CallSession::backendChanged, this, &RetryLabPanel::updateBackend);
    updateBackend();
    computeHerd();
}

RetryLabPanel::~RetryLabPanel()
{
    // The client's calls use the network manager, which goes before the children do.
    if (Simulator *simulator = m_session->simulator(); m_running && simulator)
        simulator->setFaults(m_savedFaults);
    delete m_client;
}

QWidget *RetryLabPanel::createControls()
{
    auto *page = new QWidget;
    auto *column = new QVBoxLayout(page);
    column->setContentsMargins(0, 0, 0, 0);

    const RetryPolicy defaults;
    auto *policy = new QGroupBox(tr("Retry policy"));
    auto *form = new QFormLayout(policy);
    m_attempts = spinBox(1, 20, defaults.maxAttempts());
    m_baseDelay = spinBox(0, 600'000, int(defaults.baseDelayMs()), u" ms"_s);
    m_maxDelay = spinBox(0, 600'000, int(defaults.maxDelayMs()), u" ms"_s);
    form->addRow(tr("Attempts"), m_attempts);
    form->addRow(tr("Base delay"), m_baseDelay);
    form->addRow(tr("Max delay"), m_maxDelay);
    form->addRow(new QLabel(tr("wait = min(max, base × 2ⁿ) + up to 10 % jitter")));
    column->addWidget(policy);

    auto *faults = new QGroupBox(tr("Simulator faults"));
    form = new QFormLayout(faults);
    m_calls = spinBox(1, 50, 5);
    m_rateLimited = spinBox(0, 20, 2);
    m_retryAfter = new QCheckBox(tr("Send retry-after (1 s)"));
    m_errorRate = new QDoubleSpinBox;
    m_errorRate->setRange(0, 1);
    m_errorRate->setSingleStep(0.05);
    m_run = new QPushButton;
    m_status = new QLabel;
    m_status->setWordWrap(true);
    form->addRow(tr("Calls"), m_calls);
    form->addRow(tr("429s per call"), m_rateLimited);
    form->addRow(m_retryAfter);
    form->addRow(tr("Error rate (529)"), m_errorRate);
    form->addRow(m_run);
    form->addRow(m_status);
    column->addWidget(faults);
    column->addStretch();
    page->setMaximumWidth(340);
    return page;
}

QWidget *RetryLabPanel::createHerd()
{
    auto *box = new QGroupBox(tr("Thundering herd (virtual time, no network)"));
    auto *layout = new QVBoxLayout(box);
    auto *row = new QHBoxLayout;
    m_herdClients = spinBox(2, 10000, 100);
    row->addWidget(new QLabel(tr("Clients refused at the same instant:")));
    row->addWidget(m_herdClients);
    row->addStretch();
    layout->addLayout(row);
    auto *charts = new QHBoxLayout;
    for (QChartView **view : {&m_herdPlain, &m_herdJittered}) {
        *view = new QChartView;
        (*view)->setRenderHint(QPainter::Antialiasing);
        (*view)->setMinimumHeight(200);
        charts->addWidget(*view);
    }
    layout->addLayout(charts, 1);
    return box;
}

RetryPolicy RetryLabPanel::policy() const
{
    RetryPolicy policy;
    policy.setMaxAttempts(m_attempts->value());
    policy.setBaseDelayMs(m_baseDelay->value());
    policy.setMaxDelayMs(m_maxDelay->value());
    return policy;
}

void RetryLabPanel::setPolicy(int attempts, qint64 baseDelayMs, qint64 maxDelayMs)
{
    m_attempts->setValue(attempts);
    m_baseDelay->setValue(int(baseDelayMs));
    m_maxDelay->setValue(int(maxDelayMs));
}

void RetryLabPanel::setFaults(int rateLimitedAttempts, bool retryAfter, double errorRate)
{
    m_rateLimited->setValue(rateLimitedAttempts);
    m_retryAfter->setChecked(retryAfter);
    m_errorRate->setValue(errorRate);
}

void RetryLabPanel::setCallCount(int calls)
{
    m_calls->setValue(calls);
}

void RetryLabPanel::setHerdClients(int clients)
{
    m_herdClients->setValue(clients);
}

void RetryLabPanel::updateBackend()
{
    const bool simulated = m_session->simulator() != nullptr;
    m_run->setEnabled(simulated && !m_running);
    m_run->setText(tr("Run %1 calls").arg(m_calls->value()));
    if (!simulated) {
        m_status->setText(tr("Calls go to %1, not to the built-in simulator, so faults cannot be "
                             "injected. The herd below needs no network.")
                              .arg(m_session->backendDescription()));
    } else if (!m_running) {
        m_status->clear();
    }
}

void RetryLabPanel::runCalls()
{
    Simulator *simulator = m_session->simulator();
    if (m_running || !simulator)
        return;

    ClientConfig config = m_session->client()->config();
    config.retry = policy();
    delete m_client;
    m_client = new MessagesClient(m_network.get(), this);
    m_client->setConfig(config);
    m_client->setPrices(m_session->prices());

    m_savedFaults = simulator->faults();
    m_running = true;
    m_run->setEnabled(false);
    m_status->setText(tr("Running…"));
    m_timelines.clear();
    m_clock.start();
    sendNext();
}

void RetryLabPanel::sendNext()
{
    Simulator *simulator = m_session->simulator();
    if (!simulator || m_timelines.size() >= m_calls->value()) {
        endRun();
        return;
    }

    // Faults are re-armed per call, so every call meets its own K rate limits.
    SimFaults faults = m_savedFaults;
    faults.failFirst = m_rateLimited->value();
    faults.failStatus = 429;
    faults.retryAfterSeconds = m_retryAfter->isChecked() ? 1 : 0;
    faults.errorRate = m_errorRate->value();
    faults.errorStatus = 529;
    simulator->setFaults(faults);

    MessageRequest request;
    request.model = u"claude-haiku-4-5"_s;
    request.maxTokens = 64;
    request.userMessage = u"Say hello in five words."_s;
    request.feature = u"retry-lab"_s;
    m_timelines.append(CallTimeline{});
    const qsizetype index = m_timelines.size() - 1;
    MessageCall *call = m_client->send(request);

    connect(call, &MessageCall::attemptStarted, this, [this, index](int attempt) {
        CallTimeline &line = m_timelines[index];
        line.attempts = attempt;
        line.segments.append(TimelineSegment{TimelineSegment::Kind::Attempt, now(), now()});
        m_timeline->setCalls(m_timelines);
    });
    connect(call, &MessageCall::retryScheduled, this,
            [this, index](int, qint64 waitMs, const ApiError &error) {
                CallTimeline &line = m_timelines[index];
                if (!line.segments.isEmpty())
                    line.segments.last().endMs = now();
                const auto kind = error.retryAfterMs ? TimelineSegment::Kind::RetryAfter
                                                     : TimelineSegment::Kind::Backoff;
                line.segments.append(TimelineSegment{kind, now(), now() + waitMs});
                m_timeline->setCalls(m_timelines);
            });
    connect(call, &MessageCall::finished, this, [this, index, call] {
        CallTimeline &line = m_timelines[index];
        if (!line.segments.isEmpty())
            line.segments.last().endMs = std::max(line.segments.last().endMs, now());
        line.finished = true;
        line.succeeded = call->succeeded();
        m_timeline->setCalls(m_timelines);
        call->deleteLater();
        sendNext();
    });
}

void RetryLabPanel::showCalls(const QList<CallTimeline> &calls, const QString &status)
{
    if (m_running)
        return;
    m_timelines = calls;
    m_timeline->setCalls(m_timelines);
    m_status->setText(status);
}

void RetryLabPanel::endRun()
{
    if (Simulator *simulator = m_session->simulator())
        simulator->setFaults(m_savedFaults);
    m_running = false;
    const auto failed = std::count_if(m_timelines.cbegin(), m_timelines.cend(),
                                      [](const CallTimeline &line) { return !line.succeeded; });
    m_status->setText(
        tr("%1 calls in %2 ms, %3 failed.").arg(m_timelines.size()).arg(now()).arg(failed));
    updateBackend();
    Q_EMIT runFinished();
}

void RetryLabPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    // The charts take their theme from the palette when drawn.
    if (event->type() == QEvent::PaletteChange)
        computeHerd();
}

void RetryLabPanel::computeHerd()
{
    const RetryPolicy current = policy();
    const int clients = m_herdClients->value();
    m_withoutJitter = ThunderingHerd::histogram(
        current, ThunderingHerd::retryInstants(current, clients, false, herdSeed), herdBins);
    m_withJitter = ThunderingHerd::histogram(
        current, ThunderingHerd::retryInstants(current, clients, true, herdSeed), herdBins);
    showHistogram(m_herdPlain, tr("Without jitter: %1 retries in one instant").arg(clients),
                  m_withoutJitter);
    showHistogram(m_herdJittered,
                  tr("With jitter: spread over %1 bins").arg(m_withJitter.nonEmptyBins()),
                  m_withJitter);
}

void RetryLabPanel::showHistogram(QChartView *view, const QString &title,
                                  const RetryHistogram &histogram)
{
    QChart *chart = view->chart();
    resetChart(chart);
    chart->setTheme(Theme::isDark() ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setTitle(title);
    chart->legend()->hide();
    chart->setMargins(QMargins(2, 2, 2, 2));

    auto *set = new QBarSet(tr("retries"));
    QStringList bins;
    int highest = 1;
    for (qsizetype bin = 0; bin < histogram.counts.size(); ++bin) {
        *set << histogram.counts.at(bin);
        highest = std::max(highest, histogram.counts.at(bin));
        bins << QString::number(histogram.fromMs + bin * histogram.binMs);
    }
    auto *series = new QBarSeries;
    series->append(set);
    series->setBarWidth(0.9);
    chart->addSeries(series);
    auto *time = new QBarCategoryAxis;
    time->append(bins);
    time->setTitleText(tr("retry at (ms after the 429)"));
    auto *count = new QValueAxis;
    // Four intervals of a whole number of clients, so every tick label is an integer.
    count->setRange(0, (highest + 3) / 4 * 4);
    count->setTickCount(5);
    count->setLabelFormat(u"%d"_s);
    count->setTitleText(tr("clients"));
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(count, Qt::AlignLeft);
    series->attachAxis(time);
    series->attachAxis(count);
    Theme::styleChart(chart);
}
