#pragma once

#include "client/messageresponse.h"
#include "client/sseparser.h"

#include <QString>

// Builds a MessageResponse from the events of a streamed Messages call, one event at a time.
//
// Usage follows the API's rule: message_start carries the input side and a placeholder output
// count; each message_delta carries cumulative totals that replace what came before. An `error`
// event (the API can send one after the 200, for example when it is overloaded) ends the stream
// with the error's type and message. Unknown event and delta types are ignored, as new ones may
// appear; events without a name are dropped, as the official SDKs drop them.
class MessageStreamAssembler
{
public:
    // Takes one event and returns the text it added to the answer (often empty).
    QString take(const SseEvent &event);

    bool hasStarted() const { return m_started; }
    bool isComplete() const { return m_complete; }
    // Whether a message_delta brought the final usage; without it the output count is only the
    // placeholder from message_start.
    bool hasFinalUsage() const { return m_finalUsage; }

    bool hasError() const { return !m_errorType.isEmpty(); }
    QString errorType() const { return m_errorType; }
    QString errorMessage() const { return m_errorMessage; }

    const MessageResponse &message() const { return m_message; }

private:
    void fail(const QString &type, const QString &message);

    MessageResponse m_message;
    QList<QByteArray> m_partialJson; // per block index: input_json_delta pieces
    bool m_started = false;
    bool m_complete = false;
    bool m_finalUsage = false;
    QString m_errorType;
    QString m_errorMessage;
};
