#include "sseparser.h"

namespace {

constexpr char byteOrderMark[] = "\xEF\xBB\xBF";

} // namespace

QList<SseEvent> SseParser::feed(QByteArrayView chunk)
{
    QList<SseEvent> events;

    if (m_atStreamStart) {
        m_line.append(chunk);
        if (m_line.size() < 3 && QByteArrayView(byteOrderMark).startsWith(m_line))
            return events; // too few bytes yet to tell a byte-order mark from text
        m_atStreamStart = false;
        QByteArray start = std::exchange(m_line, QByteArray());
        if (start.startsWith(byteOrderMark))
            start.remove(0, 3);
        return feed(start);
    }

    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < chunk.size(); ++i) {
        const char c = chunk.at(i);
        if (m_pendingCarriageReturn) {
            // The "\r" that ended the previous line was half of a "\r\n".
            m_pendingCarriageReturn = false;
            if (c == '\n') {
                lineStart = i + 1;
                continue;
            }
        }
        if (c != '\n' && c != '\r')
            continue;
        m_line.append(chunk.sliced(lineStart, i - lineStart));
        takeLine(m_line, events);
        m_line.clear();
        lineStart = i + 1;
        m_pendingCarriageReturn = c == '\r';
    }
    m_line.append(chunk.sliced(lineStart));
    return events;
}

void SseParser::takeLine(QByteArrayView line, QList<SseEvent> &events)
{
    if (line.isEmpty()) {
        if (!m_event.name.isEmpty() || m_eventHasData)
            events.append(std::exchange(m_event, SseEvent()));
        m_event = SseEvent();
        m_eventHasData = false;
        return;
    }
    if (line.front() == ':')
        return;

    const qsizetype colon = line.indexOf(':');
    const QByteArrayView field = colon < 0 ? line : line.first(colon);
    QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
    if (value.startsWith(' '))
        value = value.sliced(1);

    if (field == "event") {
        m_event.name = value.toByteArray();
    } else if (field == "data") {
        if (m_eventHasData)
            m_event.data.append('\n');
        m_event.data.append(value);
        m_eventHasData = true;
    }
}

bool SseParser::hasIncompleteEvent() const
{
    return !m_line.isEmpty() || !m_event.name.isEmpty() || m_eventHasData;
}

void SseParser::reset()
{
    *this = SseParser();
}
