#include "jsonfile.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

using namespace Qt::Literals::StringLiterals;

Expected<QJsonObject> parseJsonObject(const QByteArray &json, const QString &origin,
                                      const QString &expected)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return fail(u"%1: not valid JSON at byte %2: %3"_s.arg(origin)
                        .arg(parseError.offset)
                        .arg(parseError.errorString()));
    }
    if (!document.isObject())
        return fail(u"%1: expected %2"_s.arg(origin, expected));
    return document.object();
}

namespace {

Failure tooLarge(const QString &path, const QString &what, const QString &size, qint64 maxBytes)
{
    return Failure{u"%1: %2 of %3 bytes is over the limit of %4 bytes; nothing was read"_s
                       .arg(path, what, size)
                       .arg(maxBytes)};
}

} // namespace

Expected<void> checkFileSize(const QString &path, const QString &what, qint64 maxBytes)
{
    const qint64 size = QFileInfo(path).size();
    if (size > maxBytes)
        return tooLarge(path, what, QString::number(size), maxBytes);
    return {};
}

Expected<QByteArray> readDataFile(const QString &path, const QString &what, qint64 maxBytes)
{
    if (const Expected<void> fits = checkFileSize(path, what, maxBytes); !fits)
        return Failure{fits.error()};
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(u"%1: cannot read %2: %3"_s.arg(path, what, file.errorString()));

    // In pieces rather than at the size reported, which a pipe or a device does not know and a
    // growing file outruns: the limit holds whatever the file turns out to be.
    constexpr qint64 pieceBytes = 1024 * 1024;
    QByteArray bytes;
    while (true) {
        const QByteArray piece = file.read(qMin(pieceBytes, maxBytes + 1 - bytes.size()));
        if (piece.isEmpty())
            break;
        bytes += piece;
        if (bytes.size() > maxBytes)
            return tooLarge(path, what, u"more than %1"_s.arg(maxBytes), maxBytes);
    }
    if (file.error() != QFileDevice::NoError)
        return fail(u"%1: cannot read %2: %3"_s.arg(path, what, file.errorString()));
    return bytes;
}
