#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

struct SimModel;
class SimModelCatalogue;

// The two API versions the simulator speaks: the long-standing one, and the one the 2026 SDKs
// send, which drops temperature, top_p and top_k.
enum class ApiVersion { V20230601, V20261021 };

// An answer the API would give instead of a message, in its error envelope. (Not the client's
// ApiError: two classes of one name in one program would break the one-definition rule.)
struct ErrorReply
{
    int status = 400;
    QString type; // invalid_request_error, not_found_error, ...
    QString message;
};

enum class CacheTtl { None, FiveMinutes, OneHour };

// One block of the prompt in cache order (tools, then system, then message content).
struct PromptBlock
{
    QByteArray canonical; // compact JSON without cache_control: what the cache key hashes
    qint64 tokens = 0;
    CacheTtl breakpoint = CacheTtl::None;
};

// A validated /v1/messages or /v1/messages/count_tokens body.
struct SimRequest
{
    const SimModel *model = nullptr;
    qint64 maxTokens = 0;
    bool stream = false;
    QStringList stopSequences;
    QList<PromptBlock> prompt;
    QString systemText;   // every system text, joined: sentences the answer may quote
    QString lastUserText; // the final user turn's text: the question and any passages

    qint64 promptTokens() const;

    // Validates `body` the way the API does and fills `out`; returns the error to answer with
    // instead (400 invalid_request_error, or 404 not_found_error for an unknown model).
    static std::optional<ErrorReply> parse(const QByteArray &body, ApiVersion version,
                                           bool countTokens, const SimModelCatalogue &models,
                                           SimRequest &out);
};
