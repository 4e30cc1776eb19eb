#pragma once

#include <QJsonValue>
#include <QStringView>

// How the simulator counts tokens. One rule serves usage, count_tokens and the prompt cache, so
// the three always agree:
//
// - a text (a text block, a system string, an answer): ceil(UTF-8 bytes / 4);
// - any other block (image, document, tool_use, tool_result) and each tool definition: the same
//   rule over its compact JSON, cache_control left out;
// - each message adds 4 tokens of overhead (its role and turn markers), counted with its first
//   block so that a cache prefix ending at any block has a well-defined size.
//
// It is an estimate in the spirit of the real tokenizer (about four characters of English per
// token), not a copy of it.
class TokenEstimate
{
public:
    static constexpr qint64 perMessageOverhead = 4;

    static qint64 ofText(QStringView text);
    static qint64 ofJson(const QJsonValue &value);
    // The longest prefix of `text` that fits in `tokens` tokens, cut at a character boundary.
    static qsizetype charsWithin(QStringView text, qint64 tokens);
};
