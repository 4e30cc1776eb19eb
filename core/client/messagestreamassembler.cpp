#include "messagestreamassembler.h"

#include "common/logging.h"

#include <QJsonDocument>

using namespace Qt::Literals::StringLiterals;

QString MessageStreamAssembler::take(const SseEvent &event)
{
    if (event.name.isEmpty() || event.name == "ping" || m_complete || hasError())
        return {};

    QJsonParseError parseError;
    const QJsonObject json = QJsonDocument::fromJson(event.data, &parseError).object();
    if (parseError.error != QJsonParseError::NoError) {
        fail(u"invalid_stream"_s, u"the \"%1\" event's data is not JSON: %2"_s.arg(
                                      QString::fromUtf8(event.name), parseError.errorString()));
        return {};
    }

    if (event.name == "message_start") {
        const QJsonObject message = json.value("message"_L1).toObject();
        m_message.id = message.value("id"_L1).toString();
        m_message.model = message.value("model"_L1).toString();
        const QJsonObject usage = message.value("usage"_L1).toObject();
        overwriteUsage(m_message.usage, usage);
        m_message.serviceTier = usage.value("service_tier"_L1).toString();
        m_started = true;
        return {};
    }

    const qsizetype index = json.value("index"_L1).toInteger(-1);
    if (event.name == "content_block_start") {
        if (index < 0)
            return {};
        // Blocks start in order, so a start can only be for a block already begun or the next
        // one; trusting a larger index would let one event allocate without bound.
        if (index > m_message.content.size()) {
            fail(u"invalid_stream"_s,
                 u"content_block_start for block %1 arrived while only %2 blocks had started"_s
                     .arg(index)
                     .arg(m_message.content.size()));
            return {};
        }
        if (m_message.content.size() == index) {
            m_message.content.resize(index + 1);
            m_partialJson.resize(index + 1);
        }
        const QJsonObject block = json.value("content_block"_L1).toObject();
        ContentBlock &target = m_message.content[index];
        target.type = block.value("type"_L1).toString();
        target.toolName = block.value("name"_L1).toString();
        target.text = block.value("text"_L1).toString();
        return target.text;
    }

    if (event.name == "content_block_delta") {
        if (index < 0 || index >= m_message.content.size())
            return {};
        const QJsonObject delta = json.value("delta"_L1).toObject();
        const QString type = delta.value("type"_L1).toString();
        ContentBlock &target = m_message.content[index];
        if (type == "text_delta"_L1) {
            const QString text = delta.value("text"_L1).toString();
            target.text += text;
            return text;
        }
        if (type == "thinking_delta"_L1)
            target.text += delta.value("thinking"_L1).toString();
        else if (type == "input_json_delta"_L1)
            m_partialJson[index] += delta.value("partial_json"_L1).toString().toUtf8();
        return {};
    }

    if (event.name == "content_block_stop") {
        // Tool arguments arrive as JSON text in pieces and only parse once complete.
        if (index >= 0 && index < m_partialJson.size() && !m_partialJson.at(index).isEmpty())
            m_message.content[index].input =
                QJsonDocument::fromJson(m_partialJson.at(index)).object();
        return {};
    }

    if (event.name == "message_delta") {
        const QJsonObject delta = json.value("delta"_L1).toObject();
        if (delta.contains("stop_reason"_L1))
            m_message.stopReason = delta.value("stop_reason"_L1).toString();
        if (delta.contains("stop_sequence"_L1))
            m_message.stopSequence = delta.value("stop_sequence"_L1).toString();
        if (json.contains("usage"_L1)) {
            overwriteUsage(m_message.usage, json.value("usage"_L1).toObject());
            m_finalUsage = true;
        }
        return {};
    }

    if (event.name == "message_stop") {
        m_complete = true;
        return {};
    }

    if (event.name == "error") {
        const QJsonObject error = json.value("error"_L1).toObject();
        fail(error.value("type"_L1).toString(u"api_error"_s), error.value("message"_L1).toString());
        return {};
    }

    qCDebug(lcClient) << "ignoring stream event" << event.name;
    return {};
}

void MessageStreamAssembler::fail(const QString &type, const QString &message)
{
    m_errorType = type;
    m_errorMessage = message;
}
