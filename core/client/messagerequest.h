#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// Which dialect of the Messages API to speak. Version2023 sends `x-api-key` and
// `anthropic-version: 2023-06-01`, the form every documentation example uses and the only one
// that still accepts `temperature`; Version2026 sends `Authorization: Bearer` and
// `anthropic-version: 2026-10-21`, as current official SDKs do.
enum class ApiVersion { Version2023, Version2026 };

QByteArray apiVersionHeader(ApiVersion version);

// How long a prompt-cache entry written by the call lives, if the call marks one.
enum class CacheTtl { None, FiveMinutes, OneHour };

struct ConversationTurn
{
    enum class Role { User, Assistant };
    Role role = Role::User;
    QString text;
};

// One call to POST /v1/messages, as the workbench makes it: a system prompt, optionally
// retrieved passages, earlier turns, and the user's message; plus what the log needs to know
// about the call (feature, user, number of documents).
struct MessageRequest
{
    // The largest body the Messages API accepts; a larger one is refused before it is sent.
    // The API reference says 32 MB without saying which megabyte; the decimal one is the smaller,
    // so a body under it is under either.
    static constexpr qint64 maxBodyBytes = 32'000'000;

    QString model;
    int maxTokens = 1024;
    QString systemPrompt;
    // Passages put before the question in the user turn, as a block of their own so that it
    // can carry a cache breakpoint.
    QString retrievedContext;
    int numRetrievedDocs = 0;
    QList<ConversationTurn> history; // earlier turns, oldest first
    QString userMessage;
    std::optional<double> temperature;
    QStringList stopSequences;
    bool stream = false;

    // A breakpoint on the system prompt; with cacheRetrievedContext, a second one after the
    // retrieved passages, so repeated questions over the same passages read those too.
    CacheTtl cache = CacheTtl::None;
    bool cacheRetrievedContext = false;

    // For the log only; never sent except as metadata.user_id.
    QString feature = QStringLiteral("prompt");
    QString userId = QStringLiteral("anonymous");
    // Keys added to the call's log record as they are (for example route_reason).
    QJsonObject logExtra;

    // The JSON body. Fails, saying why, for a request the chosen API version would reject or
    // that makes no sense (no model, no message, max_tokens out of range, a body over
    // maxBodyBytes).
    Expected<QByteArray> toJson(ApiVersion version) const;
};
