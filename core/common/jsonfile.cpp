#include "jsonfile.h"

#include <QFile>
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

Expected<QByteArray> readDataFile(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(u"%1: cannot read %2: %3"_s.arg(path, what, file.errorString()));
    return file.readAll();
}
