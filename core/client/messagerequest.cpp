#include "messagerequest.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject textBlock(const QString &text, CacheTtl cache)
{
    QJsonObject block{{"type"_L1, u"text"_s}, {"text"_L1, text}};
    if (cache == CacheTtl::FiveMinutes)
        block.insert("cache_control"_L1, QJsonObject{{"type"_L1, u"ephemeral"_s}});
    else if (cache == CacheTtl::OneHour)
        block.insert("cache_control"_L1,
                     QJsonObject{{"type"_L1, u"ephemeral"_s}, {"ttl"_L1, u"1h"_s}});
    return block;
}

QString roleName(ConversationTurn::Role role)
{
    return role == ConversationTurn::Role::User ? u"user"_s : u"assistant"_s;
}

} // namespace

QByteArray apiVersionHeader(ApiVersion version)
{
    return version == ApiVersion::Version2023 ? QByteArray("2023-06-01") : QByteArray("2026-10-21");
}

Expected<QByteArray> MessageRequest::toJson(ApiVersion version) const
{
    if (model.trimmed().isEmpty())
        return fail(u"no model chosen"_s);
    if (userMessage.trimmed().isEmpty())
        return fail(u"the message is empty"_s);
    if (maxTokens < 0)
        return fail(u"max_tokens must not be negative (it is %1)"_s.arg(maxTokens));
    if (temperature && version == ApiVersion::Version2026) {
        return fail(u"API version 2026-10-21 does not accept temperature; leave it unset or "
                    "use version 2023-06-01"_s);
    }
    if (temperature && !(*temperature >= 0.0 && *temperature <= 1.0))
        return fail(u"temperature must be from 0 to 1 (it is %1)"_s.arg(*temperature));

    QJsonObject body{{"model"_L1, model}, {"max_tokens"_L1, maxTokens}};
    if (!systemPrompt.isEmpty())
        body.insert("system"_L1, QJsonArray{textBlock(systemPrompt, cache)});

    QJsonArray messages;
    for (const ConversationTurn &turn : history)
        messages.append(QJsonObject{{"role"_L1, roleName(turn.role)}, {"content"_L1, turn.text}});
    QJsonArray content;
    if (!retrievedContext.isEmpty()) {
        const CacheTtl contextCache = cacheRetrievedContext ? cache : CacheTtl::None;
        content.append(textBlock(retrievedContext, contextCache));
    }
    content.append(textBlock(userMessage, CacheTtl::None));
    messages.append(QJsonObject{{"role"_L1, u"user"_s}, {"content"_L1, content}});
    body.insert("messages"_L1, messages);

    if (temperature)
        body.insert("temperature"_L1, *temperature);
    if (!stopSequences.isEmpty())
        body.insert("stop_sequences"_L1, QJsonArray::fromStringList(stopSequences));
    if (!userId.isEmpty())
        body.insert("metadata"_L1, QJsonObject{{"user_id"_L1, userId}});
    if (stream)
        body.insert("stream"_L1, true);
    QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
    if (json.size() > maxBodyBytes) {
        return fail(u"the request body is %1 bytes, over the Messages API's limit of %2 bytes; "
                    "shorten the prompt, the history or the retrieved passages"_s.arg(json.size())
                        .arg(maxBodyBytes));
    }
    return json;
}
