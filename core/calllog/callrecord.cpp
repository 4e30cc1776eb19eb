#include "callrecord.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QUuid>

#include <charconv>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr auto costKey = "cost_usd"_L1;
constexpr auto cacheCreation1hKey = "cache_creation_1h_input_tokens"_L1;

QByteArray escapedChar(char16_t c)
{
    switch (c) {
    case u'"':
        return "\\\"";
    case u'\\':
        return "\\\\";
    case u'\n':
        return "\\n";
    case u'\r':
        return "\\r";
    case u'\t':
        return "\\t";
    case u'\b':
        return "\\b";
    case u'\f':
        return "\\f";
    default:
        return "\\u" + QByteArray::number(c, 16).rightJustified(4, '0');
    }
}

// Besides what JSON requires, U+0085, U+2028 and U+2029 are escaped: Python's splitlines() and
// some editors break lines there, and a record must stay one line for every reader.
bool needsEscape(char16_t c)
{
    return c < 0x20 || c == u'"' || c == u'\\' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

void appendString(QByteArray &out, QStringView text)
{
    out += '"';
    qsizetype plainFrom = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (!needsEscape(c))
            continue;
        out += text.sliced(plainFrom, i - plainFrom).toUtf8();
        out += escapedChar(c);
        plainFrom = i + 1;
    }
    out += text.sliced(plainFrom).toUtf8();
    out += '"';
}

// The shortest digits that read back as the same double, in plain decimal notation: a cost of
// 0.00001 stays "0.00001" rather than "1e-05", which is kinder to grep and awk.
void appendDouble(QByteArray &out, double value)
{
    if (!std::isfinite(value)) {
        out += "null"; // JSON has no NaN or infinity
        return;
    }
    // Enough for the longest fixed form of any double (the smallest subnormal, ~330 chars).
    char buffer[400];
    const std::to_chars_result result =
        std::to_chars(std::begin(buffer), std::end(buffer), value, std::chars_format::fixed);
    Q_ASSERT(result.ec == std::errc());
    out.append(buffer, result.ptr - buffer);
}

void appendValue(QByteArray &out, const QJsonValue &value);

// QJsonObject iterates in key order, so members are written sorted by key.
void appendMembers(QByteArray &out, const QJsonObject &object, bool afterOthers)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (afterOthers || it != object.begin())
            out += ',';
        appendString(out, it.key());
        out += ':';
        appendValue(out, it.value());
    }
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        break;
    case QJsonValue::Double: {
        // An integer is kept exactly, even beyond 2^53 where a double would round it.
        const qint64 whole = value.toInteger();
        if (double(whole) == value.toDouble())
            out += QByteArray::number(whole);
        else
            appendDouble(out, value.toDouble());
        break;
    }
    case QJsonValue::String:
        appendString(out, value.toString());
        break;
    case QJsonValue::Array: {
        out += '[';
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i > 0)
                out += ',';
            appendValue(out, array.at(i));
        }
        out += ']';
        break;
    }
    case QJsonValue::Object:
        out += '{';
        appendMembers(out, value.toObject(), false);
        out += '}';
        break;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        break;
    }
}

// Every required key but the first is preceded by a comma; the names need no escaping.
void appendKey(QByteArray &out, QLatin1StringView key)
{
    out += ",\"";
    out += key;
    out += "\":";
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return u"null"_s;
}

enum class Presence { Required, Optional };

// Takes `key` out of `object`, checking its type. Missing and null both count as absent, which
// fails for a required key and gives Undefined for an optional one (keep the default).
Expected<QJsonValue> takeValue(QJsonObject &object, QLatin1StringView key, QJsonValue::Type type,
                               Presence presence)
{
    const QJsonValue value = object.take(key);
    if (value.isUndefined() || value.isNull()) {
        if (presence == Presence::Required)
            return fail(u"\"%1\" is missing"_s.arg(key));
        return QJsonValue(QJsonValue::Undefined);
    }
    if (value.type() != type) {
        return fail(
            u"\"%1\" must be %2, not %3"_s.arg(key, typeName(QJsonValue(type)), typeName(value)));
    }
    return value;
}

Expected<void> readText(QJsonObject &object, QLatin1StringView key, Presence presence,
                        QString &target)
{
    const Expected<QJsonValue> value = takeValue(object, key, QJsonValue::String, presence);
    if (!value)
        return Failure{value.error()};
    if (!value->isUndefined())
        target = value->toString();
    return {};
}

// Counts are whole numbers, but a fractional latency from another logger is rounded rather
// than refused.
Expected<void> readCount(QJsonObject &object, QLatin1StringView key, Presence presence,
                         qint64 &target)
{
    const Expected<QJsonValue> value = takeValue(object, key, QJsonValue::Double, presence);
    if (!value)
        return Failure{value.error()};
    if (value->isUndefined())
        return {};
    const double number = value->toDouble();
    if (number < 0 || number > 9e18)
        return fail(u"\"%1\" is out of range: %2"_s.arg(key).arg(number));
    target = value->toInteger(qRound64(number));
    return {};
}

Expected<void> readTimestamp(QJsonObject &object, QDateTime &target)
{
    QString text;
    const Expected<void> read = readText(object, "timestamp"_L1, Presence::Optional, text);
    if (!read || text.isEmpty())
        return read;
    QDateTime parsed = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!parsed.isValid())
        return fail(u"\"timestamp\" must be an ISO 8601 date and time, not \"%1\""_s.arg(text));
    // A time without an offset (as Python's isoformat() writes) is taken as UTC, not local time.
    if (parsed.timeSpec() == Qt::LocalTime)
        parsed.setTimeSpec(Qt::UTC);
    target = parsed.toUTC();
    return {};
}

struct TextKey
{
    QLatin1StringView key;
    QString CallRecord::*member;
    Presence presence;
};

struct CountKey
{
    QLatin1StringView key;
    qint64 CallRecord::*member;
    Presence presence;
};

} // namespace

QByteArray CallRecord::toJsonLine() const
{
    QByteArray line;
    line.reserve(320);

    line += "{\"request_id\":";
    appendString(line, requestId);
    appendKey(line, "timestamp"_L1);
    appendString(line,
                 timestamp.isValid() ? timestamp.toUTC().toString(Qt::ISODateWithMs) : QString());
    appendKey(line, "model"_L1);
    appendString(line, model);
    appendKey(line, "feature"_L1);
    appendString(line, feature);
    appendKey(line, "user_id"_L1);
    appendString(line, userId);
    appendKey(line, "system_prompt_hash"_L1);
    appendString(line, systemPromptHash);
    appendKey(line, "input_tokens"_L1);
    line += QByteArray::number(inputTokens);
    appendKey(line, "output_tokens"_L1);
    line += QByteArray::number(outputTokens);
    appendKey(line, "cache_read_input_tokens"_L1);
    line += QByteArray::number(cacheReadInputTokens);
    appendKey(line, "cache_creation_input_tokens"_L1);
    line += QByteArray::number(cacheCreationInputTokens);
    // An unknown cost is left out rather than written as 0 or null, so readers price it.
    if (costKnown && std::isfinite(costUsd)) {
        appendKey(line, costKey);
        appendDouble(line, costUsd);
    }
    appendKey(line, "latency_ms"_L1);
    line += QByteArray::number(latencyMs);
    appendKey(line, "finish_reason"_L1);
    appendString(line, finishReason);
    appendKey(line, "num_retrieved_docs"_L1);
    line += QByteArray::number(numRetrievedDocs);

    appendMembers(line, extra, true);
    line += "}\n";
    return line;
}

Expected<CallRecord> CallRecord::fromJsonLine(QByteArrayView line)
{
    if (line.endsWith('\n'))
        line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(line.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return fail(u"not valid JSON at byte %1: %2"_s.arg(parseError.offset)
                        .arg(parseError.errorString()));
    }
    if (!document.isObject())
        return fail(u"not a JSON object"_s);
    QJsonObject object = document.object();

    static constexpr TextKey textKeys[] = {
        {"model"_L1, &CallRecord::model, Presence::Required},
        {"request_id"_L1, &CallRecord::requestId, Presence::Optional},
        {"feature"_L1, &CallRecord::feature, Presence::Optional},
        {"user_id"_L1, &CallRecord::userId, Presence::Optional},
        {"system_prompt_hash"_L1, &CallRecord::systemPromptHash, Presence::Optional},
        {"finish_reason"_L1, &CallRecord::finishReason, Presence::Optional},
    };
    static constexpr CountKey countKeys[] = {
        {"input_tokens"_L1, &CallRecord::inputTokens, Presence::Required},
        {"output_tokens"_L1, &CallRecord::outputTokens, Presence::Required},
        {"latency_ms"_L1, &CallRecord::latencyMs, Presence::Required},
        {"cache_read_input_tokens"_L1, &CallRecord::cacheReadInputTokens, Presence::Optional},
        {"cache_creation_input_tokens"_L1, &CallRecord::cacheCreationInputTokens,
         Presence::Optional},
        {"num_retrieved_docs"_L1, &CallRecord::numRetrievedDocs, Presence::Optional},
    };

    CallRecord record;
    for (const TextKey &text : textKeys) {
        if (Expected<void> read = readText(object, text.key, text.presence, record.*text.member);
            !read)
            return Failure{read.error()};
    }
    for (const CountKey &count : countKeys) {
        if (Expected<void> read =
                readCount(object, count.key, count.presence, record.*count.member);
            !read)
            return Failure{read.error()};
    }
    if (Expected<void> read = readTimestamp(object, record.timestamp); !read)
        return Failure{read.error()};

    const Expected<QJsonValue> cost =
        takeValue(object, costKey, QJsonValue::Double, Presence::Optional);
    if (!cost)
        return Failure{cost.error()};
    if (!cost->isUndefined()) {
        record.costUsd = cost->toDouble();
        record.costKnown = true;
    }

    record.extra = std::move(object);
    return record;
}

QString CallRecord::hashSystemPrompt(QStringView systemPrompt)
{
    const QByteArray digest =
        QCryptographicHash::hash(systemPrompt.toUtf8(), QCryptographicHash::Sha256);
    return QString::fromLatin1(digest.toHex().left(8));
}

QString CallRecord::newRequestId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

TokenUsage CallRecord::usage() const
{
    return TokenUsage{inputTokens, outputTokens, cacheReadInputTokens, cacheCreationInputTokens,
                      extra.value(cacheCreation1hKey).toInteger()};
}

const QList<QLatin1StringView> &CallRecord::requiredKeys()
{
    static const QList<QLatin1StringView> keys = {
        "request_id"_L1,
        "timestamp"_L1,
        "model"_L1,
        "feature"_L1,
        "user_id"_L1,
        "system_prompt_hash"_L1,
        "input_tokens"_L1,
        "output_tokens"_L1,
        "cache_read_input_tokens"_L1,
        "cache_creation_input_tokens"_L1,
        "cost_usd"_L1,
        "latency_ms"_L1,
        "finish_reason"_L1,
        "num_retrieved_docs"_L1,
    };
    return keys;
}
