#include "tokenestimate.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

namespace {

constexpr qint64 bytesPerToken = 4;

qint64 tokensForBytes(qint64 bytes)
{
    return (bytes + bytesPerToken - 1) / bytesPerToken;
}

// UTF-8 length of one UTF-16 code unit run, without building the encoded string.
qint64 utf8Bytes(char16_t unit, bool isSurrogatePair)
{
    if (isSurrogatePair)
        return 4;
    if (unit < 0x80)
        return 1;
    if (unit < 0x800)
        return 2;
    return 3;
}

} // namespace

qint64 TokenEstimate::ofText(QStringView text)
{
    return tokensForBytes(QStringView(text).toUtf8().size());
}

qint64 TokenEstimate::ofJson(const QJsonValue &value)
{
    QJsonDocument document;
    if (value.isArray())
        document = QJsonDocument(value.toArray());
    else if (value.isObject())
        document = QJsonDocument(value.toObject());
    else
        return ofText(value.toVariant().toString());
    return tokensForBytes(document.toJson(QJsonDocument::Compact).size());
}

qsizetype TokenEstimate::charsWithin(QStringView text, qint64 tokens)
{
    const qint64 budget = tokens * bytesPerToken;
    qint64 used = 0;
    qsizetype i = 0;
    while (i < text.size()) {
        const bool pair = text.at(i).isHighSurrogate() && i + 1 < text.size();
        const qint64 bytes = utf8Bytes(text.at(i).unicode(), pair);
        if (used + bytes > budget)
            break;
        used += bytes;
        i += pair ? 2 : 1;
    }
    return i;
}
