#include "messageresponse.h"

#include "common/logging.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace {

void overwriteCount(qint64 &field, const QJsonObject &json, QLatin1StringView key)
{
    const QJsonValue value = json.value(key);
    if (!value.isDouble())
        return;
    // A count is a whole number a log line can hold (the log reader's bound); anything else is
    // no count at all, and converting it would be undefined for the largest numbers.
    const double count = value.toDouble();
    if (count >= 0 && count <= double(std::numeric_limits<quint32>::max())
        && count == std::trunc(count)) {
        field = qint64(count);
        return;
    }
    qCWarning(lcClient) << "ignored usage" << key << "of" << count
                        << "(not a whole number from 0 to 2^32 - 1)";
}

ContentBlock readBlock(const QJsonObject &json)
{
    ContentBlock block;
    block.type = json.value("type"_L1).toString();
    if (block.type == "text"_L1)
        block.text = json.value("text"_L1).toString();
    else if (block.type == "thinking"_L1)
        block.text = json.value("thinking"_L1).toString();
    else if (block.type == "tool_use"_L1) {
        block.toolName = json.value("name"_L1).toString();
        block.input = json.value("input"_L1).toObject();
    }
    return block;
}

} // namespace

void overwriteUsage(TokenUsage &usage, const QJsonObject &json)
{
    overwriteCount(usage.inputTokens, json, "input_tokens"_L1);
    overwriteCount(usage.outputTokens, json, "output_tokens"_L1);
    overwriteCount(usage.cacheReadInputTokens, json, "cache_read_input_tokens"_L1);
    overwriteCount(usage.cacheCreationInputTokens, json, "cache_creation_input_tokens"_L1);
    const QJsonObject split = json.value("cache_creation"_L1).toObject();
    overwriteCount(usage.cacheCreation1hInputTokens, split, "ephemeral_1h_input_tokens"_L1);
}

QString MessageResponse::text() const
{
    QString all;
    for (const ContentBlock &block : content) {
        if (block.type == "text"_L1)
            all += block.text;
    }
    return all;
}

Expected<MessageResponse> MessageResponse::fromJson(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return fail(u"the response body is not JSON: %1"_s.arg(parseError.errorString()));
    const QJsonObject json = document.object();
    if (json.value("type"_L1).toString() != "message"_L1)
        return fail(
            u"the response is not a message (type \"%1\")"_s.arg(json.value("type"_L1).toString()));

    MessageResponse message;
    message.id = json.value("id"_L1).toString();
    message.model = json.value("model"_L1).toString();
    message.stopReason = json.value("stop_reason"_L1).toString();
    message.stopSequence = json.value("stop_sequence"_L1).toString();
    const QJsonArray blocks = json.value("content"_L1).toArray();
    for (const QJsonValue &block : blocks)
        message.content.append(readBlock(block.toObject()));
    const QJsonObject usage = json.value("usage"_L1).toObject();
    overwriteUsage(message.usage, usage);
    message.serviceTier = usage.value("service_tier"_L1).toString();
    return message;
}
