#include "retrytimeline.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int barHeight = 22;
constexpr int axisGap = 4;
constexpr int tickCount = 4;

QColor colourFor(AttemptSpan::Outcome outcome)
{
    switch (outcome) {
    case AttemptSpan::Outcome::Failed:
        return QColor(0xd9, 0x4a, 0x4a);
    case AttemptSpan::Outcome::Succeeded:
        return QColor(0x3a, 0xa6, 0x5c);
    case AttemptSpan::Outcome::Cancelled:
    case AttemptSpan::Outcome::Running:
        break;
    }
    return QColor(0x8a, 0x8f, 0x98);
}

// A round step for the axis: 1, 2 or 5 times a power of ten.
qint64 niceStep(qint64 span)
{
    const double raw = std::max(1.0, double(span) / tickCount);
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (factor * power >= raw)
            return qint64(factor * power);
    }
    return qint64(10 * power);
}

} // namespace

RetryTimeline::RetryTimeline(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void RetryTimeline::setAttempts(const QList<AttemptSpan> &attempts)
{
    m_attempts = attempts;
    QStringList parts;
    for (qsizetype i = 0; i < m_attempts.size(); ++i) {
        const AttemptSpan &span = m_attempts.at(i);
        parts.append(u"attempt %1: %2 ms, %3"_s.arg(span.attempt)
                         .arg(span.endMs - span.startMs)
                         .arg(span.label.isEmpty() ? u"running"_s : span.label));
        if (i + 1 < m_attempts.size())
            parts.append(u"wait %1 ms"_s.arg(m_attempts.at(i + 1).startMs - span.endMs));
    }
    setToolTip(parts.join(u'\n'));
    setAccessibleDescription(parts.join(u"; "_s));
    update();
}

QList<qint64> RetryTimeline::waitsMs() const
{
    QList<qint64> waits;
    for (qsizetype i = 1; i < m_attempts.size(); ++i)
        waits.append(m_attempts.at(i).startMs - m_attempts.at(i - 1).endMs);
    return waits;
}

QSize RetryTimeline::sizeHint() const
{
    return {360, minimumSizeHint().height()};
}

QSize RetryTimeline::minimumSizeHint() const
{
    return {160, barHeight + axisGap + 2 * fontMetrics().height()};
}

void RetryTimeline::paintEvent(QPaintEvent *)
{
    if (m_attempts.isEmpty())
        return;
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics metrics = fontMetrics();
    const qint64 endMs = std::max<qint64>(1, m_attempts.last().endMs);
    const int left = 2;
    const int width = this->width() - left - metrics.horizontalAdvance(u"0000 ms"_s) / 2 - 2;
    const auto xFor = [&](qint64 ms) { return left + int(double(ms) / double(endMs) * width); };
    const QColor text = palette().color(QPalette::WindowText);

    for (qsizetype i = 0; i < m_attempts.size(); ++i) {
        const AttemptSpan &span = m_attempts.at(i);
        const QRect bar(xFor(span.startMs), 0, std::max(3, xFor(span.endMs) - xFor(span.startMs)),
                        barHeight);
        painter.fillRect(bar, colourFor(span.outcome));
        const QString name = u"#%1"_s.arg(span.attempt);
        if (metrics.horizontalAdvance(name) + 4 < bar.width()) {
            painter.setPen(Qt::white);
            painter.drawText(bar, Qt::AlignCenter, name);
        }
        if (i + 1 == m_attempts.size())
            break;
        const QRect wait(bar.right() + 1, barHeight / 4,
                         xFor(m_attempts.at(i + 1).startMs) - bar.right() - 1, barHeight / 2);
        QColor pale = palette().color(QPalette::Mid);
        pale.setAlpha(160);
        painter.fillRect(wait, QBrush(pale, Qt::BDiagPattern));
        painter.setPen(palette().color(QPalette::Mid));
        painter.drawRect(wait);
        const QString waited = u"wait %1 ms"_s.arg(m_attempts.at(i + 1).startMs - span.endMs);
        if (metrics.horizontalAdvance(waited) + 4 < wait.width()) {
            painter.setPen(text);
            painter.drawText(wait.adjusted(0, -barHeight, 0, barHeight), Qt::AlignCenter, waited);
        }
    }

    // The axis: a line and round ticks in milliseconds.
    const int axisY = barHeight + axisGap;
    painter.setPen(text);
    painter.drawLine(left, axisY, left + width, axisY);
    const qint64 step = niceStep(endMs);
    for (qint64 ms = 0; ms <= endMs; ms += step) {
        const int x = xFor(ms);
        painter.drawLine(x, axisY, x, axisY + 3);
        const QString label = ms == 0 ? u"0 ms"_s : QString::number(ms);
        const int labelWidth = metrics.horizontalAdvance(label);
        const int labelX = std::clamp(x - labelWidth / 2, 0, this->width() - labelWidth);
        painter.drawText(labelX, axisY + 4 + metrics.ascent(), label);
    }
}
