#pragma once

#include "common/expected.h"
#include "pricing/tokenusage.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringView>

#include <limits>

// One LLM call as it is logged: one JSON object on one line of llm_calls.jsonl. The required
// keys are written first, always in the same order, so that a person reading the file with
// `head` or `grep` sees the same layout on every line; `extra` holds every other key (attempts,
// ttft_ms, http_status, the `prompt` and `answer` texts when the user chose to log them, and
// whatever another tool wrote) and is written after them, sorted.
//
// toJsonLine() cannot fail. fromJsonLine() is the lenient, cold-path parser: a line lacking
// what no reader can do without (model, input and output tokens, latency) is a Failure that
// says why; any other missing key takes its default.
struct CallRecord
{
    QString requestId;   // a UUID without braces, see newRequestId()
    QDateTime timestamp; // when the call started, UTC, written with milliseconds and 'Z'
    QString model;
    QString feature;
    QString userId = QStringLiteral("anonymous");
    QString systemPromptHash; // see hashSystemPrompt()
    qint64 inputTokens = 0;   // uncached input only, as the API reports it
    qint64 outputTokens = 0;
    qint64 cacheReadInputTokens = 0;
    qint64 cacheCreationInputTokens = 0;
    // USD. A line without cost_usd leaves it NaN with costKnown false, so that a reader prices
    // the tokens itself instead of trusting a zero; such a record is written without the key.
    double costUsd = std::numeric_limits<double>::quiet_NaN();
    bool costKnown = false;
    qint64 latencyMs = 0;
    QString finishReason; // the API's stop_reason, or "error" for a failed call
    qint64 numRetrievedDocs = 0;
    QJsonObject extra;

    // The record as one line of UTF-8 JSON ending in '\n'. No raw line break of any kind
    // (not even U+2028, U+2029 or U+0085, which some line splitters honour) appears inside it.
    QByteArray toJsonLine() const;

    // Parses one line, with or without its "\n" or "\r\n". Keys it does not know go to extra.
    static Expected<CallRecord> fromJsonLine(QByteArrayView line);

    // The first 8 lowercase hex digits of the SHA-256 of the prompt's UTF-8: enough to tell
    // prompt versions apart in a log without writing the prompt itself.
    static QString hashSystemPrompt(QStringView systemPrompt);
    static QString newRequestId();

    // The keys every line has, in the order they are written.
    static const QList<QLatin1StringView> &requiredKeys();

    // The token counts for pricing; the one-hour cache writes come from
    // extra["cache_creation_1h_input_tokens"] when it is there.
    TokenUsage usage() const;
};
