#include "calltimeline.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int labelWidth = 90;
constexpr int rowHeight = 34;
constexpr int axisHeight = 44;

QColor colourOf(TimelineSegment::Kind kind)
{
    switch (kind) {
    case TimelineSegment::Kind::Attempt:
        return QColor(0x3b, 0x7d, 0xd8);
    case TimelineSegment::Kind::Backoff:
        return QColor(0xe0, 0x9a, 0x2b);
    case TimelineSegment::Kind::RetryAfter:
        return QColor(0xc2, 0x4b, 0xc9);
    }
    return {};
}

// A round step for the axis: 1, 2 or 5 times a power of ten, about `span` / 6.
qint64 tickStep(qint64 span)
{
    const double rough = std::max(1.0, double(span) / 6);
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (factor * power >= rough)
            return qint64(factor * power);
    }
    return qint64(10 * power);
}

} // namespace

CallTimelineView::CallTimelineView(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void CallTimelineView::setCalls(const QList<CallTimeline> &calls)
{
    m_calls = calls;
    updateGeometry();
    update();
}

QSize CallTimelineView::minimumSizeHint() const
{
    const int rows = int(std::max<qsizetype>(3, m_calls.size()));
    return QSize(labelWidth + 200, axisHeight + rowHeight * rows);
}

void CallTimelineView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette &colours = palette();
    painter.fillRect(rect(), colours.base());
    painter.setPen(colours.text().color());

    if (m_calls.isEmpty()) {
        painter.drawText(rect(), Qt::AlignCenter, tr("Run some calls to see their attempts."));
        return;
    }
    qint64 endMs = 1;
    for (const CallTimeline &call : std::as_const(m_calls)) {
        for (const TimelineSegment &segment : call.segments)
            endMs = std::max(endMs, segment.endMs);
    }
    const int plotWidth = std::max(10, width() - labelWidth - 16);
    const auto xOf = [&](qint64 ms) { return labelWidth + double(ms) / double(endMs) * plotWidth; };

    const int rows = int(m_calls.size());
    const int rowSpace = std::max(8, std::min(rowHeight, (height() - axisHeight) / rows));
    for (int row = 0; row < rows; ++row) {
        const CallTimeline &call = m_calls.at(row);
        const int top = 6 + row * rowSpace;
        painter.setPen(colours.text().color());
        painter.drawText(QRect(4, top, labelWidth - 8, rowSpace - 4), Qt::AlignVCenter,
                         tr("Call %1 (%2)").arg(row + 1).arg(call.attempts));
        for (const TimelineSegment &segment : call.segments) {
            const QRectF bar(xOf(segment.startMs), top + 3,
                             std::max(2.0, xOf(segment.endMs) - xOf(segment.startMs)),
                             rowSpace - 10);
            const QColor colour = colourOf(segment.kind);
            painter.setPen(colour.darker(130));
            painter.setBrush(segment.kind == TimelineSegment::Kind::Backoff
                                 ? QBrush(colour, Qt::BDiagPattern)
                                 : QBrush(colour));
            painter.drawRect(bar);
        }
        if (call.finished && !call.succeeded) {
            painter.setPen(QColor(0xd9, 0x3a, 0x3a));
            painter.drawText(
                QPointF(xOf(call.segments.isEmpty() ? 0 : call.segments.last().endMs) + 4,
                        top + rowSpace / 2 + 4),
                tr("failed"));
        }
    }

    // The time axis with round ticks.
    const int axisY = 6 + rows * rowSpace + 4;
    painter.setPen(colours.text().color());
    painter.drawLine(QPointF(labelWidth, axisY), QPointF(labelWidth + plotWidth, axisY));
    const qint64 step = tickStep(endMs);
    for (qint64 ms = 0; ms <= endMs; ms += step) {
        painter.drawLine(QPointF(xOf(ms), axisY), QPointF(xOf(ms), axisY + 4));
        painter.drawText(QPointF(xOf(ms) - 10, axisY + 17), QString::number(ms));
    }
    painter.drawText(QPointF(labelWidth + plotWidth - 30, axisY + 34), tr("ms"));

    // The legend.
    int x = labelWidth;
    const std::pair<TimelineSegment::Kind, QString> entries[] = {
        {TimelineSegment::Kind::Attempt, tr("attempt")},
        {TimelineSegment::Kind::Backoff, tr("backoff wait")},
        {TimelineSegment::Kind::RetryAfter, tr("retry-after wait")}};
    for (const auto &[kind, name] : entries) {
        const QColor colour = colourOf(kind);
        painter.setPen(colour.darker(130));
        painter.setBrush(kind == TimelineSegment::Kind::Backoff ? QBrush(colour, Qt::BDiagPattern)
                                                                : QBrush(colour));
        painter.drawRect(QRectF(x, axisY + 24, 14, 10));
        painter.setPen(colours.text().color());
        painter.drawText(QPointF(x + 18, axisY + 34), name);
        x += 40 + painter.fontMetrics().horizontalAdvance(name);
    }
}
