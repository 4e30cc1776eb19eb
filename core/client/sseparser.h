#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

// One server-sent event: its name (the `event:` field) and its data (the `data:` lines joined
// with '\n'). The Messages API names every event after the `type` in its JSON.
struct SseEvent
{
    QByteArray name;
    QByteArray data;
};

// An incremental parser for a text/event-stream body, fed the bytes as they arrive from the
// network in chunks of any size. It follows the rules the official SDKs follow: lines end in
// "\n", "\r\n" or a bare "\r" (a "\r" at the end of a chunk waits to see whether "\n" follows);
// lines starting with ':' are comments; only `event` and `data` are used; one space after the
// colon is dropped; a blank line dispatches an event that has a name or data; a byte-order mark
// at the very start is skipped. An event cut off by the end of the stream is never dispatched:
// hasIncompleteEvent() tells the caller that the stream was truncated.
class SseParser
{
public:
    QList<SseEvent> feed(QByteArrayView chunk);

    // Whether bytes of an event arrived after the last dispatched event (a truncated stream
    // when the body has ended).
    bool hasIncompleteEvent() const;

    void reset();

private:
    void takeLine(QByteArrayView line, QList<SseEvent> &events);

    QByteArray m_line;
    SseEvent m_event;
    bool m_eventHasData = false;
    bool m_pendingCarriageReturn = false;
    bool m_atStreamStart = true;
};
