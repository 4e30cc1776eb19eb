#include "routerpanel.h"

#include "chartreset.h"
#include "keywordhighlighter.h"
#include "session/callsession.h"
#include "session/queryrun.h"
#include "theme.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QThread>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace {

const QString settingsKey = u"router/rules"_s;

// The replay chart's bars: the log's own cost, then priced on the current rules' models for
// each call's tier, then every call on one tier.
const QStringList replayBars = {u"As logged"_s, u"Rules now"_s, u"All Haiku"_s, u"All Sonnet"_s,
                                u"All Opus"_s};

enum TestColumn { QueryColumn, ModelColumn, InputColumn, OutputColumn, CostColumn, ColumnCount };

QString usd(double amount)
{
    return u"$%1"_s.arg(amount, 0, 'f', 6);
}

QGroupBox *titled(const QString &title, QLayout *layout)
{
    auto *box = new QGroupBox(title);
    box->setLayout(layout);
    return box;
}

QTableWidgetItem *readOnlyItem(const QString &text, bool number = true)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    if (number)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QStringList listFrom(const QString &text)
{
    QStringList items;
    for (const QString &item : text.split(u','))
        if (!item.trimmed().isEmpty())
            items.append(item.trimmed());
    return items;
}

QChart *barChart(const QString &title, QChartView **view)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->hide();
    *view = new QChartView(chart);
    (*view)->setRenderHint(QPainter::Antialiasing);
    (*view)->setMinimumHeight(200);
    return chart;
}

} // namespace

RouterPanel::RouterPanel(CallSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    auto *left = new QVBoxLayout;
    left->addWidget(buildPreview(), 3);
    left->addWidget(buildRules(), 2);
    auto *right = new QVBoxLayout;
    right->addWidget(buildTestSet(), 3);
    right->addWidget(buildReplay(), 2);
    auto *layout = new QHBoxLayout(this);
    layout->addLayout(left, 1);
    layout->addLayout(right, 1);

    const QByteArray saved = QSettings().value(settingsKey).toByteArray();
    const Expected<RouterRules> stored =
        saved.isEmpty() ? Expected<RouterRules>(RouterRules::builtIn())
                        : RouterRules::fromJson(saved, u"the saved router rules"_s);
    if (!stored || !setRules(*stored)) {
        resetRules();
        if (!stored)
            m_rulesStatus->setText(stored.error() + u"; using the built-in rules"_s);
    }
    showBars(m_testChart, {u"Routed"_s, u"All Sonnet"_s}, {0, 0});
    showBars(m_replayChart, replayBars, {0, 0, 0, 0, 0});
}

RouterPanel::~RouterPanel()
{
    if (m_run)
        m_run->cancel();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

QStringList RouterPanel::classicQueries()
{
    return {
        u"What is 2+2?"_s,
        u"Summarize the French Revolution in one paragraph."_s,
        u"Debug this Python function: def foo(x): return x/0"_s,
        u"Write a recursive algorithm for binary search with O(log n) complexity."_s,
        u"Write an essay of about five hundred words on how the printing press changed the way "
        "ideas spread across Europe in the fifteenth and sixteenth centuries, covering who could "
        "read, which books were printed first, how the church and the universities responded, "
        "what censorship tried to do about it, and whether the same pattern can be seen today "
        "with the internet and social media."_s,
        u"Classify this review as positive or negative: great product"_s,
    };
}

QWidget *RouterPanel::buildPreview()
{
    m_query = new QPlainTextEdit;
    m_query->setObjectName(u"query"_s);
    m_query->setPlaceholderText(u"Type a query to see where the router sends it"_s);
    m_query->setMinimumHeight(96);
    m_highlighter = new KeywordHighlighter(m_query->document());
    connect(m_query, &QPlainTextEdit::textChanged, this, &RouterPanel::updatePreview);

    m_decision = new QLabel;
    m_decision->setObjectName(u"decision"_s);
    m_decision->setWordWrap(true);
    m_decision->setTextFormat(Qt::RichText);
    m_decision->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    m_tierCosts = new QTableWidget(3, 4);
    m_tierCosts->setObjectName(u"tierCosts"_s);
    m_tierCosts->setHorizontalHeaderLabels(
        {u"Model"_s, u"Input tokens"_s, u"Output tokens"_s, u"Estimated cost"_s});
    m_tierCosts->setVerticalHeaderLabels({u"Haiku"_s, u"Sonnet"_s, u"Opus"_s});
    m_tierCosts->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tierCosts->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tierCosts->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tierCosts->setSelectionMode(QAbstractItemView::NoSelection);
    m_tierCosts->setFixedHeight(m_tierCosts->horizontalHeader()->sizeHint().height()
                                + 3 * m_tierCosts->verticalHeader()->defaultSectionSize() + 4);

    auto *layout = new QVBoxLayout;
    layout->addWidget(m_query, 1);
    layout->addWidget(m_decision);
    layout->addWidget(new QLabel(u"The estimate on each tier (nothing is sent):"_s));
    layout->addWidget(m_tierCosts);
    return titled(u"Live preview"_s, layout);
}

QWidget *RouterPanel::buildRules()
{
    auto *form = new QFormLayout;
    const QString names[] = {u"Haiku model"_s, u"Sonnet model"_s, u"Opus model"_s};
    for (RouteTier tier : allRouteTiers) {
        m_models[size_t(tier)] = new QLineEdit;
        m_models[size_t(tier)]->setObjectName(u"%1Model"_s.arg(routeTierName(tier)));
        form->addRow(names[size_t(tier)], m_models[size_t(tier)]);
    }
    m_threshold = new QSpinBox;
    m_threshold->setObjectName(u"threshold"_s);
    m_threshold->setRange(1, 100'000);
    m_threshold->setSuffix(u" words"_s);
    form->addRow(u"Sonnet from"_s, m_threshold);
    m_keywords = new QLineEdit;
    m_keywords->setObjectName(u"keywords"_s);
    form->addRow(u"Code keywords"_s, m_keywords);
    m_phrases = new QLineEdit;
    m_phrases->setObjectName(u"phrases"_s);
    form->addRow(u"High-stakes phrases"_s, m_phrases);
    m_guard = new QDoubleSpinBox;
    m_guard->setObjectName(u"guard"_s);
    m_guard->setRange(0, 1000);
    m_guard->setDecimals(4);
    m_guard->setPrefix(u"$"_s);
    form->addRow(u"Opus cost guard"_s, m_guard);
    m_maxTokens = new QSpinBox;
    m_maxTokens->setRange(1, 1'000'000);
    form->addRow(u"Assumed output tokens"_s, m_maxTokens);

    auto *apply = new QPushButton(u"Apply and save"_s);
    connect(apply, &QPushButton::clicked, this, &RouterPanel::applyEditedRules);
    auto *reset = new QPushButton(u"Reset to built-in"_s);
    connect(reset, &QPushButton::clicked, this, &RouterPanel::resetRules);
    m_rulesStatus = new QLabel;
    m_rulesStatus->setWordWrap(true);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_rulesStatus, 1);
    buttons->addWidget(apply);
    buttons->addWidget(reset);
    form->addRow(buttons);
    return titled(u"Rules (comma-separated lists)"_s, form);
}

QWidget *RouterPanel::buildTestSet()
{
    m_testSet = new QTableWidget(0, ColumnCount);
    m_testSet->setObjectName(u"testSet"_s);
    m_testSet->setHorizontalHeaderLabels(
        {u"Query"_s, u"Model"_s, u"Input tokens"_s, u"Output tokens"_s, u"Cost"_s});
    m_testSet->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_testSet->horizontalHeader()->setSectionResizeMode(QueryColumn, QHeaderView::Stretch);
    m_testSet->setWordWrap(false);
    for (const QString &query : classicQueries()) {
        const int row = m_testSet->rowCount();
        m_testSet->insertRow(row);
        m_testSet->setItem(row, QueryColumn, new QTableWidgetItem(query));
        m_testSet->item(row, QueryColumn)->setToolTip(query);
    }

    auto *add = new QPushButton(u"Add a query"_s);
    connect(add, &QPushButton::clicked, this, [this] {
        const int row = m_testSet->rowCount();
        m_testSet->insertRow(row);
        m_testSet->setItem(row, QueryColumn, new QTableWidgetItem);
        m_testSet->editItem(m_testSet->item(row, QueryColumn));
    });
    auto *remove = new QPushButton(u"Remove"_s);
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_testSet->currentRow() >= 0)
            m_testSet->removeRow(m_testSet->currentRow());
    });
    auto *run = new QPushButton(u"Run through the router"_s);
    run->setObjectName(u"runTestSet"_s);
    connect(run, &QPushButton::clicked, this, &RouterPanel::runTestSet);
    m_testTotalLabel =
        new QLabel(u"Run the set to send each query to the model the router picks."_s);
    m_testTotalLabel->setObjectName(u"testTotal"_s);
    m_testTotalLabel->setWordWrap(true);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    buttons->addWidget(run);

    QChartView *view = nullptr;
    m_testChart = barChart(u"The test set: routed against all on Sonnet"_s, &view);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_testTotalLabel, 2);
    bottom->addWidget(view, 3);

    auto *layout = new QVBoxLayout;
    layout->addWidget(m_testSet, 1);
    layout->addLayout(buttons);
    layout->addLayout(bottom, 1);
    return titled(u"Test set"_s, layout);
}

QWidget *RouterPanel::buildReplay()
{
    auto *replay = new QPushButton(u"Replay the session's log"_s);
    connect(replay, &QPushButton::clicked, this, &RouterPanel::replayLog);
    m_replayStatus = new QLabel(
        u"Prices every logged call again from its tokens: on the current rules' model for the "
        "tier it was served on, and all on one tier."_s);
    m_replayStatus->setObjectName(u"replayStatus"_s);
    m_replayStatus->setWordWrap(true);
    auto *top = new QHBoxLayout;
    top->addWidget(m_replayStatus, 1);
    top->addWidget(replay, 0, Qt::AlignTop);

    QChartView *view = nullptr;
    m_replayChart = barChart(u"The session's log, priced again"_s, &view);
    auto *layout = new QVBoxLayout;
    layout->addLayout(top);
    layout->addWidget(view, 1);
    return titled(u"Router replay"_s, layout);
}

Expected<void> RouterPanel::setRules(const RouterRules &rules)
{
    Expected<ModelRouter> router = ModelRouter::create(rules, m_session->prices());
    if (!router) {
        m_rulesStatus->setText(router.error());
        return Failure{router.error()};
    }
    m_router = std::make_shared<const ModelRouter>(std::move(*router));
    m_previewedQuery.reset();
    QSettings().setValue(settingsKey, rules.toJson());
    m_rulesStatus->setText(u"Applied and saved."_s);
    showRules();
    updatePreview();
    return {};
}

void RouterPanel::resetRules()
{
    QSettings().remove(settingsKey);
    Expected<ModelRouter> router = ModelRouter::create(RouterRules::builtIn(), m_session->prices());
    if (!router) {
        m_rulesStatus->setText(router.error());
        return;
    }
    m_router = std::make_shared<const ModelRouter>(std::move(*router));
    m_previewedQuery.reset();
    m_rulesStatus->setText(u"The built-in rules."_s);
    showRules();
    updatePreview();
}

void RouterPanel::showRules()
{
    const RouterRules &shown = m_router->rules();
    for (RouteTier tier : allRouteTiers)
        m_models[size_t(tier)]->setText(shown.model(tier));
    m_threshold->setValue(shown.wordThreshold);
    m_keywords->setText(shown.codeKeywords.join(", "_L1));
    m_phrases->setText(shown.highStakesPhrases.join(", "_L1));
    m_guard->setValue(shown.costGuardUsd);
    m_maxTokens->setValue(shown.defaultMaxTokens);
}

void RouterPanel::applyEditedRules()
{
    RouterRules edited = m_router->rules();
    edited.origin = u"the rules editor"_s;
    for (RouteTier tier : allRouteTiers)
        edited.setModel(tier, m_models[size_t(tier)]->text().trimmed());
    edited.wordThreshold = m_threshold->value();
    edited.codeKeywords = listFrom(m_keywords->text());
    edited.highStakesPhrases = listFrom(m_phrases->text());
    edited.costGuardUsd = m_guard->value();
    edited.defaultMaxTokens = m_maxTokens->value();
    const Expected<void> valid = edited.validate();
    if (!valid) {
        m_rulesStatus->setText(valid.error());
        return;
    }
    (void)setRules(edited);
}

void RouterPanel::updatePreview()
{
    if (!m_router)
        return;
    const QString query = m_query->toPlainText();
    if (m_previewedQuery == query)
        return;
    m_previewedQuery = query;
    m_preview = m_router->route(query);
    m_highlighter->setTerms(m_preview.matchedKeywords, m_preview.matchedPhrases);
    const RouterRules &rules = m_router->rules();

    const QString none = u"none"_s;
    QString guard;
    if (m_preview.matchedPhrases.isEmpty())
        guard = u"not consulted (no high-stakes phrase)"_s;
    else if (m_preview.refused)
        guard = u"<b>refused</b>: the Opus estimate exceeds the $%1 guard"_s.arg(rules.costGuardUsd,
                                                                                 0, 'f', 2);
    else
        guard = u"allowed: the Opus estimate is within the $%1 guard"_s.arg(rules.costGuardUsd, 0,
                                                                            'f', 2);
    const QString model = m_preview.refused ? u"none (refused)"_s : m_preview.model;
    const auto listed = [&none](const QStringList &items) {
        return items.isEmpty() ? none : items.join(", "_L1).toHtmlEscaped();
    };
    // One line at a time, so that no text put in can be taken for a placeholder.
    const QStringList lines = {
        u"<b>Model:</b> %1 &nbsp; <b>Tier:</b> %2"_s.arg(model.toHtmlEscaped(),
                                                         routeTierName(m_preview.tier)),
        u"<b>Words:</b> %1 (Sonnet from %2)"_s.arg(m_preview.wordCount).arg(rules.wordThreshold),
        u"<b>Keywords:</b> "_s + listed(m_preview.matchedKeywords),
        u"<b>High-stakes phrase:</b> "_s + listed(m_preview.matchedPhrases),
        u"<b>Guard:</b> "_s + guard,
        u"<b>Estimate:</b> %1 input + %2 output tokens = %3"_s.arg(m_preview.estimatedInputTokens)
            .arg(m_preview.maxTokens)
            .arg(usd(m_preview.estimatedCostUsd)),
        u"<i>"_s + m_preview.reason.toHtmlEscaped() + u"</i>"_s,
    };
    m_decision->setText(lines.join(u"<br>"_s));

    for (RouteTier tier : allRouteTiers) {
        const int row = int(tier);
        const QString id = rules.model(tier);
        const TokenUsage usage{m_preview.estimatedInputTokens, m_preview.maxTokens, 0, 0, 0};
        const Expected<double> cost = m_session->prices().cost(id, usage);
        const QString costText = cost ? usd(*cost) : cost.error();
        const QString items[] = {id, QString::number(m_preview.estimatedInputTokens),
                                 QString::number(m_preview.maxTokens), costText};
        for (int column = 0; column < 4; ++column) {
            QTableWidgetItem *item = readOnlyItem(items[column], column > 0);
            QFont font = item->font();
            font.setBold(tier == m_preview.tier && !m_preview.refused);
            item->setFont(font);
            m_tierCosts->setItem(row, column, item);
        }
    }
    Q_EMIT previewChanged();
}

QStringList RouterPanel::testQueries() const
{
    QStringList queries;
    for (int row = 0; row < m_testSet->rowCount(); ++row) {
        const QTableWidgetItem *item = m_testSet->item(row, QueryColumn);
        const QString query = item ? item->text().trimmed() : QString();
        if (!query.isEmpty())
            queries.append(query);
    }
    return queries;
}

void RouterPanel::runTestSet()
{
    if (m_run)
        return;
    // Keep only the rows that hold a query, so that row i is query i of the run.
    for (int row = m_testSet->rowCount() - 1; row >= 0; --row) {
        const QTableWidgetItem *item = m_testSet->item(row, QueryColumn);
        if (!item || item->text().trimmed().isEmpty())
            m_testSet->removeRow(row);
    }
    for (int row = 0; row < m_testSet->rowCount(); ++row) {
        for (int column = ModelColumn; column < ColumnCount; ++column)
            m_testSet->setItem(row, column, readOnlyItem(QString(), column != ModelColumn));
        m_testSet->item(row, ModelColumn)->setText(u"waiting"_s);
    }
    m_testTotalLabel->setText(u"Sending %1 queries..."_s.arg(m_testSet->rowCount()));

    m_run = new QueryRun(m_session, this);
    QueryRunOptions options;
    options.feature = u"router_test"_s;
    options.maxTokens = m_router->rules().defaultMaxTokens;
    m_run->setOptions(options);
    m_run->setRouter(m_router);
    m_run->setQueries(testQueries());
    connect(m_run, &QueryRun::queryFinished, this, &RouterPanel::takeOutcome);
    connect(m_run, &QueryRun::finished, this, &RouterPanel::finishTestSet);
    m_run->start();
}

void RouterPanel::takeOutcome(int index)
{
    if (index < 0 || index >= m_run->outcomes().size() || index >= m_testSet->rowCount())
        return;
    showOutcome(index, m_run->outcomes().at(index));
}

void RouterPanel::showOutcome(int index, const QueryOutcome &outcome)
{
    if (!outcome.record) {
        m_testSet->item(index, ModelColumn)
            ->setText(outcome.route && outcome.route->refused ? u"refused by the guard"_s
                                                              : u"failed"_s);
        return;
    }
    const CallRecord &record = *outcome.record;
    const TokenUsage usage = record.usage();
    const Expected<double> priced = m_session->prices().cost(record.model, usage);
    const double cost = record.costKnown ? record.costUsd : (priced ? *priced : 0);
    m_testSet->item(index, ModelColumn)->setText(record.model);
    m_testSet->item(index, InputColumn)->setText(QString::number(usage.totalInputTokens()));
    m_testSet->item(index, OutputColumn)->setText(QString::number(usage.outputTokens));
    m_testSet->item(index, CostColumn)->setText(usd(cost));
}

void RouterPanel::finishTestSet()
{
    const Expected<ModelPrice> sonnet =
        m_session->prices().lookup(m_router->rules().model(RouteTier::Sonnet));
    m_testTotalUsd = 0;
    m_testAllSonnetUsd = 0;
    int sent = 0;
    for (const QueryOutcome &outcome : m_run->outcomes()) {
        if (!outcome.record)
            continue;
        const CallRecord &record = *outcome.record;
        const TokenUsage usage = record.usage();
        const Expected<double> priced = m_session->prices().cost(record.model, usage);
        m_testTotalUsd += record.costKnown ? record.costUsd : (priced ? *priced : 0);
        if (sonnet)
            m_testAllSonnetUsd += sonnet->cost(usage);
        ++sent;
    }
    m_run->deleteLater();
    m_run = nullptr;
    showTotals(sent);
    Q_EMIT testSetFinished();
}

void RouterPanel::showTestSet(const QList<QueryOutcome> &outcomes, double routedUsd,
                              double allSonnetUsd)
{
    if (m_run)
        return;
    m_testSet->setRowCount(0);
    int sent = 0;
    for (const QueryOutcome &outcome : outcomes) {
        const int row = m_testSet->rowCount();
        m_testSet->insertRow(row);
        m_testSet->setItem(row, QueryColumn, new QTableWidgetItem(outcome.query));
        m_testSet->item(row, QueryColumn)->setToolTip(outcome.query);
        for (int column = ModelColumn; column < ColumnCount; ++column)
            m_testSet->setItem(row, column, readOnlyItem(QString(), column != ModelColumn));
        showOutcome(row, outcome);
        sent += outcome.record ? 1 : 0;
    }
    m_testTotalUsd = routedUsd;
    m_testAllSonnetUsd = allSonnetUsd;
    showTotals(sent);
}

void RouterPanel::showTotals(int sent)
{
    const double saved = m_testAllSonnetUsd > 0
                             ? (m_testAllSonnetUsd - m_testTotalUsd) / m_testAllSonnetUsd * 100
                             : 0;
    m_testTotalLabel->setText(
        u"<b>Total: %1</b> for %2 calls, against %3 had every call gone to "
        "Sonnet with the same tokens: %4% saved by routing."_s.arg(usd(m_testTotalUsd))
            .arg(sent)
            .arg(usd(m_testAllSonnetUsd))
            .arg(saved, 0, 'f', 1));
    showBars(m_testChart, {u"Routed"_s, u"All Sonnet"_s}, {m_testTotalUsd, m_testAllSonnetUsd});
}

void RouterPanel::replayLog()
{
    if (m_thread)
        return;
    m_replayStatus->setText(u"Reading %1..."_s.arg(m_session->logPath()));
    auto result = std::make_shared<std::optional<Expected<RouterReplay>>>();
    const QString path = m_session->logPath();
    const RouterRules rules = m_router->rules();
    const PriceBook prices = m_session->prices();
    m_thread = QThread::create(
        [result, path, rules, prices] { *result = RouterReplay::fromLog(path, rules, prices); });
    connect(m_thread, &QThread::finished, this, [this, result] {
        m_thread->deleteLater();
        m_thread = nullptr;
        const Expected<RouterReplay> &replay = **result;
        if (!replay) {
            m_replay.reset();
            m_replayStatus->setText(replay.error());
            Q_EMIT replayFinished();
            return;
        }
        m_replay = *replay;
        QString text =
            u"%1 calls: %2 as logged, %3 on the current rules' models."_s.arg(replay->calls)
                .arg(usd(replay->loggedUsd), usd(replay->routedUsd));
        if (replay->untieredCalls > 0) {
            text += u" %1 calls on models of no tier keep their logged cost."_s.arg(
                replay->untieredCalls);
        }
        m_replayStatus->setText(text);
        showBars(m_replayChart, replayBars,
                 {replay->loggedUsd, replay->routedUsd, replay->allOnTierUsd[0],
                  replay->allOnTierUsd[1], replay->allOnTierUsd[2]});
        Q_EMIT replayFinished();
    });
    m_thread->start();
}

void RouterPanel::showBars(QChart *chart, const QStringList &names, const QList<double> &values)
{
    resetChart(chart);
    auto *set = new QBarSet(u"USD"_s);
    for (double value : values)
        set->append(value);
    auto *series = new QBarSeries;
    series->append(set);
    series->setLabelsVisible(true);
    series->setLabelsFormat(u"$@value"_s);
    series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    chart->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(names);
    auto *y = new QValueAxis;
    const double highest = *std::max_element(values.cbegin(), values.cend());
    y->setRange(0, highest > 0 ? highest * 1.2 : 1);
    y->applyNiceNumbers();
    y->setLabelFormat(u"$%.4g"_s);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    applyChartThemes();
}

void RouterPanel::applyChartThemes()
{
    const bool dark = Theme::isDark();
    for (QChart *chart : {m_testChart, m_replayChart}) {
        if (!chart)
            continue;
        chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
        // The themes leave bar labels white, which vanishes on the light background.
        for (QAbstractSeries *series : chart->series()) {
            for (QBarSet *set : static_cast<QBarSeries *>(series)->barSets())
                set->setLabelColor(dark ? Qt::white : Qt::black);
        }
        Theme::styleChart(chart);
    }
}

void RouterPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyChartThemes();
}
