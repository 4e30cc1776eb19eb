#pragma once

#include "pricing/tokenusage.h"

#include <QString>
#include <QUtf8StringView>

// One line of a call log as CallLogReader reports it, in file order. It is a view: the
// strings point into the reader's buffers and are valid only during the callback that
// receives the line, so a consumer that keeps one copies it (QUtf8StringView::toString()).
struct LogLine
{
    enum class Kind {
        Record,        // a call: the fields below hold what the line logged, or their defaults
        Blank,         // only whitespace; skipped
        Malformed,     // `problem` says why; no field below is meaningful
        IncompleteTail // the last bytes of the file, not yet ended by a newline
    };

    Kind kind = Kind::Record;
    qint64 number = 0; // 1-based line number
    qint64 offset = 0; // byte offset of the line's first byte in the file
    qint64 length = 0; // bytes, without the line break

    QString problem; // set for Malformed only

    QUtf8StringView requestId;
    QUtf8StringView timestamp; // ISO 8601 UTC as logged, not parsed
    QUtf8StringView model;
    QUtf8StringView feature;
    QUtf8StringView userId = "anonymous"; // when the log leaves it out
    QUtf8StringView systemPromptHash;
    QUtf8StringView finishReason; // "error" for a failed call

    TokenUsage usage;
    double costUsd = 0;
    bool costFromPrices = false; // the log had no cost_usd; the price list supplied it
    double latencyMs = 0;
    qint64 retrievedDocs = 0;

    bool isError() const { return finishReason == "error"; }
};
