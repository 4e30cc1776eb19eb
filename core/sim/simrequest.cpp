#include "simrequest.h"

#include "simmodelcatalogue.h"
#include "tokenestimate.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int maxBreakpoints = 4;

ErrorReply invalid(const QString &message)
{
    return ErrorReply{400, u"invalid_request_error"_s, message};
}

// Top-level fields the Messages API knows; anything else is refused, as the API does.
const QSet<QString> &knownFields()
{
    static const QSet<QString> fields = {u"model"_s,         u"max_tokens"_s,
                                         u"messages"_s,      u"system"_s,
                                         u"cache_control"_s, u"stream"_s,
                                         u"temperature"_s,   u"top_p"_s,
                                         u"top_k"_s,         u"stop_sequences"_s,
                                         u"metadata"_s,      u"tools"_s,
                                         u"tool_choice"_s,   u"thinking"_s,
                                         u"output_config"_s, u"service_tier"_s,
                                         u"speed"_s,         u"inference_geo"_s,
                                         u"container"_s,     u"diagnostics"_s,
                                         u"mcp_servers"_s,   u"context_management"_s};
    return fields;
}

// Reads a cache_control value into a TTL; `where` names the field in the error.
std::optional<ErrorReply> readCacheControl(const QJsonValue &value, const QString &where,
                                           CacheTtl &ttl)
{
    ttl = CacheTtl::None;
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    const QJsonObject control = value.toObject();
    if (!value.isObject() || control.value("type"_L1).toString() != "ephemeral"_L1)
        return invalid(u"%1.type: Input should be 'ephemeral'"_s.arg(where));
    const QJsonValue ttlValue = control.value("ttl"_L1);
    if (ttlValue.isUndefined() || ttlValue.toString() == "5m"_L1) {
        ttl = CacheTtl::FiveMinutes;
        return std::nullopt;
    }
    if (ttlValue.toString() == "1h"_L1) {
        ttl = CacheTtl::OneHour;
        return std::nullopt;
    }
    return invalid(u"%1.ttl: Input should be '5m' or '1h'"_s.arg(where));
}

class BodyReader
{
public:
    BodyReader(ApiVersion version, SimRequest &out)
        : m_version(version)
        , m_out(out)
    {}

    std::optional<ErrorReply> readTools(const QJsonValue &value);
    std::optional<ErrorReply> readSystem(const QJsonValue &value);
    std::optional<ErrorReply> readMessages(const QJsonValue &value, bool allowsPrefill,
                                           bool &endsWithAssistant);
    std::optional<ErrorReply> placeAutomaticBreakpoint(const QJsonValue &value);
    std::optional<ErrorReply> checkBreakpoints() const;

private:
    std::optional<ErrorReply> checkNewVersionBlock(const QJsonObject &block, const QString &role,
                                                   const QString &where) const;
    std::optional<ErrorReply> readBlock(const QJsonValue &value, const QString &where,
                                        qint64 overhead, QString *text);

    ApiVersion m_version;
    SimRequest &m_out;
};

std::optional<ErrorReply> BodyReader::readBlock(const QJsonValue &value, const QString &where,
                                                qint64 overhead, QString *text)
{
    if (!value.isObject())
        return invalid(u"%1: Input should be a valid dictionary"_s.arg(where));
    QJsonObject block = value.toObject();
    const QString type = block.value("type"_L1).toString();
    if (type.isEmpty())
        return invalid(u"%1.type: Field required"_s.arg(where));

    PromptBlock prompt;
    if (auto error = readCacheControl(block.value("cache_control"_L1), where + u".cache_control"_s,
                                      prompt.breakpoint)) {
        return error;
    }
    const bool thinking = type == "thinking"_L1 || type == "redacted_thinking"_L1;
    if (thinking && prompt.breakpoint != CacheTtl::None)
        return invalid(u"%1.cache_control: thinking blocks cannot be cached"_s.arg(where));
    block.remove("cache_control"_L1);

    if (type == "text"_L1) {
        const QJsonValue textValue = block.value("text"_L1);
        if (!textValue.isString())
            return invalid(u"%1.text: Input should be a valid string"_s.arg(where));
        if (textValue.toString().isEmpty())
            return invalid(u"%1: text content blocks must be non-empty"_s.arg(where));
        prompt.tokens = TokenEstimate::ofText(textValue.toString());
        if (text)
            *text += textValue.toString() + u'\n';
    } else {
        // Earlier thinking is not counted, as on the real API.
        prompt.tokens = thinking ? 0 : TokenEstimate::ofJson(block);
    }
    prompt.tokens += overhead;
    prompt.canonical = QJsonDocument(block).toJson(QJsonDocument::Compact);
    m_out.prompt.append(prompt);
    return std::nullopt;
}

std::optional<ErrorReply> BodyReader::readTools(const QJsonValue &value)
{
    if (value.isUndefined())
        return std::nullopt;
    if (!value.isArray())
        return invalid(u"tools: Input should be a valid list"_s);
    const QJsonArray tools = value.toArray();
    for (qsizetype i = 0; i < tools.size(); ++i) {
        const QString where = u"tools.%1"_s.arg(i);
        QJsonObject tool = tools.at(i).toObject();
        if (!tool.value("name"_L1).isString())
            return invalid(where + u".name: Field required"_s);
        PromptBlock prompt;
        if (auto error = readCacheControl(tool.value("cache_control"_L1),
                                          where + u".cache_control"_s, prompt.breakpoint)) {
            return error;
        }
        tool.remove("cache_control"_L1);
        prompt.tokens = TokenEstimate::ofJson(tool);
        prompt.canonical = QJsonDocument(tool).toJson(QJsonDocument::Compact);
        m_out.prompt.append(prompt);
    }
    return std::nullopt;
}

std::optional<ErrorReply> BodyReader::readSystem(const QJsonValue &value)
{
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (value.isString()) {
        if (value.toString().isEmpty())
            return std::nullopt;
        const QJsonObject block{{"type"_L1, "text"_L1}, {"text"_L1, value}};
        return readBlock(block, u"system"_s, 0, &m_out.systemText);
    }
    if (!value.isArray())
        return invalid(u"system: Input should be a valid string or a list of text blocks"_s);
    const QJsonArray blocks = value.toArray();
    for (qsizetype i = 0; i < blocks.size(); ++i) {
        const QString where = u"system.%1"_s.arg(i);
        if (blocks.at(i).toObject().value("type"_L1).toString() != "text"_L1)
            return invalid(where + u".type: Input should be 'text'"_s);
        if (auto error = readBlock(blocks.at(i), where, 0, &m_out.systemText))
            return error;
    }
    return std::nullopt;
}

// Blocks that 2026-10-21 no longer accepts: documents in assistant turns, and citations on the
// user's own text.
std::optional<ErrorReply> BodyReader::checkNewVersionBlock(const QJsonObject &block,
                                                           const QString &role,
                                                           const QString &where) const
{
    if (m_version != ApiVersion::V20261021)
        return std::nullopt;
    const QString type = block.value("type"_L1).toString();
    if (role == "assistant"_L1 && type == "document"_L1) {
        return invalid(u"%1: document blocks are not accepted in assistant messages under "
                       "anthropic-version 2026-10-21"_s.arg(where));
    }
    if (role == "user"_L1 && type == "text"_L1
        && !block.value("citations"_L1).toArray().isEmpty()) {
        return invalid(u"%1.citations: user text blocks cannot carry citations under "
                       "anthropic-version 2026-10-21"_s.arg(where));
    }
    return std::nullopt;
}

std::optional<ErrorReply> BodyReader::readMessages(const QJsonValue &value, bool allowsPrefill,
                                                   bool &endsWithAssistant)
{
    if (value.isUndefined())
        return invalid(u"messages: Field required"_s);
    if (!value.isArray())
        return invalid(u"messages: Input should be a valid list"_s);
    const QJsonArray messages = value.toArray();
    if (messages.isEmpty())
        return invalid(u"messages: at least one message is required"_s);

    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QString where = u"messages.%1"_s.arg(i);
        if (!messages.at(i).isObject())
            return invalid(where + u": Input should be a valid dictionary"_s);
        const QJsonObject message = messages.at(i).toObject();
        const QString role = message.value("role"_L1).toString();
        const bool systemRole = role == "system"_L1 && m_version == ApiVersion::V20261021;
        if (role != "user"_L1 && role != "assistant"_L1 && !systemRole)
            return invalid(where + u".role: Input should be 'user' or 'assistant'"_s);

        QJsonArray blocks;
        const QJsonValue content = message.value("content"_L1);
        if (content.isString())
            blocks.append(QJsonObject{{"type"_L1, "text"_L1}, {"text"_L1, content}});
        else if (content.isArray())
            blocks = content.toArray();
        else
            return invalid(where + u".content: Input should be a valid string or list"_s);
        if (blocks.isEmpty())
            return invalid(where + u".content: at least one content block is required"_s);

        QString userText;
        QString *text = role == "user"_L1 ? &userText : systemRole ? &m_out.systemText : nullptr;
        for (qsizetype b = 0; b < blocks.size(); ++b) {
            const QString blockWhere = u"%1.content.%2"_s.arg(where).arg(b);
            if (auto error = checkNewVersionBlock(blocks.at(b).toObject(), role, blockWhere))
                return error;
            const qint64 overhead = b == 0 ? TokenEstimate::perMessageOverhead : 0;
            if (auto error = readBlock(blocks.at(b), blockWhere, overhead, text))
                return error;
        }
        if (role == "user"_L1)
            m_out.lastUserText = userText;
        endsWithAssistant = role == "assistant"_L1;
    }
    if (endsWithAssistant && !allowsPrefill) {
        return invalid(u"This model does not support assistant message prefill. The "
                       "conversation must end with a user message."_s);
    }
    return std::nullopt;
}

std::optional<ErrorReply> BodyReader::placeAutomaticBreakpoint(const QJsonValue &value)
{
    CacheTtl ttl = CacheTtl::None;
    if (auto error = readCacheControl(value, u"cache_control"_s, ttl))
        return error;
    if (ttl == CacheTtl::None || m_out.prompt.isEmpty())
        return std::nullopt;
    PromptBlock &last = m_out.prompt.last();
    if (last.breakpoint != CacheTtl::None && last.breakpoint != ttl) {
        return invalid(u"cache_control: the automatic breakpoint's ttl differs from the one on "
                       "the last block"_s);
    }
    last.breakpoint = ttl;
    return std::nullopt;
}

std::optional<ErrorReply> BodyReader::checkBreakpoints() const
{
    int count = 0;
    bool seenFiveMinutes = false;
    for (const PromptBlock &block : std::as_const(m_out.prompt)) {
        if (block.breakpoint == CacheTtl::None)
            continue;
        ++count;
        if (block.breakpoint == CacheTtl::OneHour && seenFiveMinutes) {
            return invalid(u"cache_control: a ttl='1h' breakpoint must come before every "
                           "ttl='5m' breakpoint"_s);
        }
        seenFiveMinutes = seenFiveMinutes || block.breakpoint == CacheTtl::FiveMinutes;
    }
    if (count > maxBreakpoints) {
        return invalid(u"A maximum of %1 blocks with cache_control may be provided. Found %2."_s
                           .arg(maxBreakpoints)
                           .arg(count));
    }
    return std::nullopt;
}

std::optional<ErrorReply> readSampling(const QJsonObject &body, ApiVersion version)
{
    const std::pair<QLatin1StringView, double> ranges[] = {
        {"temperature"_L1, 1.0}, {"top_p"_L1, 1.0}, {"top_k"_L1, 1e9}};
    for (const auto &[name, maximum] : ranges) {
        if (!body.contains(name))
            continue;
        if (version == ApiVersion::V20261021)
            return invalid(u"%1: Extra inputs are not permitted"_s.arg(name));
        const QJsonValue value = body.value(name);
        if (!value.isDouble() || value.toDouble() < 0 || value.toDouble() > maximum)
            return invalid(
                u"%1: Input should be a number between 0 and %2"_s.arg(name).arg(maximum));
    }
    return std::nullopt;
}

std::optional<ErrorReply> readStopSequences(const QJsonValue &value, QStringList &out)
{
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (!value.isArray())
        return invalid(u"stop_sequences: Input should be a valid list"_s);
    const QJsonArray sequences = value.toArray();
    for (const QJsonValue &sequence : sequences) {
        if (!sequence.isString() || sequence.toString().isEmpty())
            return invalid(u"stop_sequences: each entry must be a non-empty string"_s);
        out.append(sequence.toString());
    }
    return std::nullopt;
}

} // namespace

qint64 SimRequest::promptTokens() const
{
    qint64 total = 0;
    for (const PromptBlock &block : prompt)
        total += block.tokens;
    return total;
}

std::optional<ErrorReply> SimRequest::parse(const QByteArray &body, ApiVersion version,
                                            bool countTokens, const SimModelCatalogue &models,
                                            SimRequest &out)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return invalid(u"The request body is not valid JSON: %1"_s.arg(parseError.errorString()));
    if (!document.isObject())
        return invalid(u"The request body must be a JSON object"_s);
    const QJsonObject object = document.object();

    for (auto it = object.begin(); it != object.end(); ++it) {
        const bool notForCounting = countTokens
                                    && (it.key() == "max_tokens"_L1 || it.key() == "stream"_L1
                                        || it.key() == "stop_sequences"_L1);
        if (!knownFields().contains(it.key()) || notForCounting)
            return invalid(u"%1: Extra inputs are not permitted"_s.arg(it.key()));
    }
    const QJsonValue model = object.value("model"_L1);
    if (model.isUndefined())
        return invalid(u"model: Field required"_s);
    if (!model.isString())
        return invalid(u"model: Input should be a valid string"_s);
    if (!countTokens) {
        const QJsonValue maxTokens = object.value("max_tokens"_L1);
        if (maxTokens.isUndefined())
            return invalid(u"max_tokens: Field required"_s);
        if (!maxTokens.isDouble() || maxTokens.toDouble() != double(maxTokens.toInteger())
            || maxTokens.toInteger() < 0) {
            return invalid(u"max_tokens: Input should be a non-negative integer"_s);
        }
        out.maxTokens = maxTokens.toInteger();
        const QJsonValue stream = object.value("stream"_L1);
        if (!stream.isUndefined() && !stream.isBool())
            return invalid(u"stream: Input should be a valid boolean"_s);
        out.stream = stream.toBool();
    }
    if (auto error = readSampling(object, version))
        return error;
    if (auto error = readStopSequences(object.value("stop_sequences"_L1), out.stopSequences))
        return error;

    out.model = models.find(model.toString());
    if (!out.model)
        return ErrorReply{404, u"not_found_error"_s, u"model: %1"_s.arg(model.toString())};
    if (out.maxTokens > out.model->maxOutputTokens) {
        return invalid(u"max_tokens: %1 > %2, which is the maximum allowed number of output "
                       "tokens for %3"_s.arg(out.maxTokens)
                           .arg(out.model->maxOutputTokens)
                           .arg(out.model->id));
    }

    BodyReader reader(version, out);
    bool endsWithAssistant = false;
    if (auto error = reader.readTools(object.value("tools"_L1)))
        return error;
    if (auto error = reader.readSystem(object.value("system"_L1)))
        return error;
    if (auto error = reader.readMessages(object.value("messages"_L1), out.model->allowsPrefill,
                                         endsWithAssistant)) {
        return error;
    }
    if (auto error = reader.placeAutomaticBreakpoint(object.value("cache_control"_L1)))
        return error;
    if (auto error = reader.checkBreakpoints())
        return error;
    if (out.promptTokens() > out.model->contextWindow) {
        return invalid(u"prompt is too long: %1 tokens > %2 maximum"_s.arg(out.promptTokens())
                           .arg(out.model->contextWindow));
    }
    return std::nullopt;
}
