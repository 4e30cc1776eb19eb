#include "callcard.h"

#include "costbreakdown.h"

#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace {

QLabel *wrappedLabel(const QString &text, const QString &name = {})
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setObjectName(name);
    return label;
}

QLabel *cell(const QString &text, const QString &name, Qt::Alignment alignment = Qt::AlignRight)
{
    auto *label = new QLabel(text);
    label->setObjectName(name);
    label->setAlignment(alignment | Qt::AlignVCenter);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QString milliseconds(qint64 ms)
{
    return QLocale().toString(ms) + u" ms"_s;
}

QString finishText(const FinishedCall &call)
{
    const QString reason = call.record.finishReason;
    if (reason == "end_turn"_L1)
        return u"end_turn (the model finished its answer)"_s;
    if (reason == "max_tokens"_L1)
        return u"max_tokens (cut off: raise max tokens for a longer answer)"_s;
    if (reason == "stop_sequence"_L1)
        return u"stop_sequence (a stop sequence ended it)"_s;
    if (reason == "cancelled"_L1)
        return u"cancelled (stopped before the end)"_s;
    return reason.isEmpty() ? u"unknown"_s : reason;
}

} // namespace

CallCard::CallCard(const FinishedCall &call, QWidget *parent)
    : QFrame(parent)
    , m_call(call)
{
    setObjectName(u"callCard"_s);
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    auto *layout = new QVBoxLayout(this);

    const QString time =
        QLocale().toString(call.record.timestamp.toLocalTime().time(), QLocale::ShortFormat);
    auto *title = new QLabel(
        u"<b>Call %1</b> · %2 · %3"_s.arg(call.number).arg(call.modelName.toHtmlEscaped(), time));
    title->setObjectName(u"cardTitle"_s);
    layout->addWidget(title);
    QLabel *question = wrappedLabel(call.question.simplified(), u"cardQuestion"_s);
    question->setForegroundRole(QPalette::PlaceholderText);
    question->setMaximumHeight(question->fontMetrics().lineSpacing() * 2 + 2);
    layout->addWidget(question);

    addCostTable(layout);

    QString timing = call.timeToFirstTokenMs
                         ? u"First token after %1 · "_s.arg(milliseconds(*call.timeToFirstTokenMs))
                         : QString();
    timing += u"total %1"_s.arg(milliseconds(call.record.latencyMs));
    layout->addWidget(wrappedLabel(timing, u"timing"_s));
    layout->addWidget(wrappedLabel(u"Finish: "_s + finishText(call), u"finishReason"_s));
    addAttempts(layout);

    if (call.route) {
        const QString routed = call.route->refused ? u"Router refused: "_s : u"Router: "_s;
        layout->addWidget(wrappedLabel(routed + call.route->reason, u"routeReason"_s));
    }
    addRetrieval(layout);

    if (call.error) {
        QLabel *error = wrappedLabel(call.error->what + u' ' + call.error->tryThis, u"cardError"_s);
        error->setToolTip(call.error->details);
        layout->addWidget(error);
    }
    if (!call.logFailure.isEmpty()) {
        layout->addWidget(
            wrappedLabel(u"Not in the call log: "_s + call.logFailure, u"cardLogFailure"_s));
    }
    layout->addStretch();
}

void CallCard::addCostTable(QVBoxLayout *layout)
{
    if (!m_call.price) {
        layout->addWidget(wrappedLabel(
            u"Not priced: %1 has no price in the price book."_s.arg(m_call.record.model),
            u"costTotal"_s));
        return;
    }
    const CostBreakdown breakdown = CostBreakdown::of(*m_call.price, m_call.record.usage());
    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(2);
    const QStringList headers{u"Tokens"_s, u"Rate"_s, u"Cost"_s};
    for (int column = 0; column < headers.size(); ++column) {
        auto *header = cell(u"<i>%1</i>"_s.arg(headers.at(column)), QString());
        grid->addWidget(header, 0, column + 1);
    }
    const QLocale locale;
    for (int i = 0; i < CostBreakdown::partCount; ++i) {
        const CostPart &part = breakdown.part(CostBreakdown::Part(i));
        const int row = i + 1;
        grid->addWidget(cell(part.name, QString(), Qt::AlignLeft), row, 0);
        grid->addWidget(cell(locale.toString(part.tokens), u"tokens%1"_s.arg(i)), row, 1);
        grid->addWidget(cell(part.rate, QString()), row, 2);
        QLabel *cost = cell(CostBreakdown::formatMicroUsd(part.shownMicroUsd), u"cost%1"_s.arg(i));
        cost->setToolTip(u"%1 tokens × %2 = $%3"_s.arg(locale.toString(part.tokens), part.rate)
                             .arg(part.microUsd / 1e6, 0, 'f', 10));
        grid->addWidget(cost, row, 3);
    }
    auto *rule = new QFrame;
    rule->setFrameShape(QFrame::HLine);
    rule->setFrameShadow(QFrame::Sunken);
    grid->addWidget(rule, CostBreakdown::partCount + 1, 0, 1, 4);
    const int totalRow = CostBreakdown::partCount + 2;
    grid->addWidget(cell(u"<b>Total</b>"_s, QString(), Qt::AlignLeft), totalRow, 0);
    grid->addWidget(
        cell(locale.toString(m_call.record.usage().totalInputTokens() + m_call.record.outputTokens),
             u"tokensTotal"_s),
        totalRow, 1);
    QLabel *total =
        cell(u"<b>%1</b>"_s.arg(CostBreakdown::formatMicroUsd(breakdown.shownTotalMicroUsd())),
             u"costTotal"_s);
    total->setToolTip(u"Logged cost_usd: %1"_s.arg(m_call.record.costUsd, 0, 'g', 17));
    grid->addWidget(total, totalRow, 3);
    grid->setColumnStretch(0, 1);
    layout->addLayout(grid);
}

void CallCard::addAttempts(QVBoxLayout *layout)
{
    const qsizetype attempts = m_call.attempts.size();
    if (attempts <= 1) {
        layout->addWidget(wrappedLabel(u"1 attempt, no retries"_s, u"attemptCount"_s));
        return;
    }
    layout->addWidget(
        wrappedLabel(u"%1 attempts: %2 %3, waits shown on the time axis"_s.arg(attempts)
                         .arg(attempts - 1)
                         .arg(attempts == 2 ? u"retry"_s : u"retries"_s),
                     u"attemptCount"_s));
    auto *timeline = new RetryTimeline;
    timeline->setObjectName(u"retryTimeline"_s);
    timeline->setAttempts(m_call.attempts);
    layout->addWidget(timeline);
}

void CallCard::addRetrieval(QVBoxLayout *layout)
{
    if (m_call.passages.isEmpty())
        return;
    QStringList lines;
    for (const RetrievedPassage &passage : m_call.passages) {
        lines.append(
            u"%1 — %2 (score %3)"_s
                .arg(passage.documentName.toHtmlEscaped(), passage.documentTitle.toHtmlEscaped())
                .arg(passage.score, 0, 'f', 2));
    }
    QLabel *documents =
        wrappedLabel(u"Retrieved:<br>"_s + lines.join(u"<br>"_s), u"retrievedDocuments"_s);
    documents->setTextFormat(Qt::RichText);
    layout->addWidget(documents);
}
