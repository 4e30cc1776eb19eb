#pragma once

#include "common/expected.h"
#include "pricing/tokenusage.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

// One block of an assistant message: "text", "thinking", "tool_use", or a type this version
// does not know (kept by name, its content ignored).
struct ContentBlock
{
    QString type;
    QString text;      // text of a "text" block, or the thinking of a "thinking" block
    QString toolName;  // for "tool_use"
    QJsonObject input; // for "tool_use": the parsed arguments
};

// An assistant message as the Messages API returns it, whether it arrived whole or as a stream.
struct MessageResponse
{
    QString id;
    QString model;
    QList<ContentBlock> content;
    QString stopReason;   // end_turn, max_tokens, stop_sequence, tool_use, refusal, ...
    QString stopSequence; // the matched stop sequence, when stopReason is stop_sequence
    QString serviceTier;
    TokenUsage usage;

    // The text of every text block, in order.
    QString text() const;

    // Parses a non-streaming 200 body. Fails, saying why, on a body that is not the API's
    // message object; missing usage fields count as zero, as the API marks most as optional.
    static Expected<MessageResponse> fromJson(const QByteArray &body);
};

// Reads a value of the API's `usage` object into `usage`, overwriting only the fields present.
// A stream's message_delta carries cumulative totals, so overwriting (never adding) is right for
// both the whole and the streamed form.
void overwriteUsage(TokenUsage &usage, const QJsonObject &json);
