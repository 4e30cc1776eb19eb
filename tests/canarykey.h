#pragma once

#include <QByteArray>
#include <QByteArrayList>
#include <QDirIterator>
#include <QFile>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

// A fake API key that cannot be mistaken for anything else, and the search for it in whatever a
// run wrote. The search looks for the whole key, for its marker, for its random part, and for
// every 10-character piece of that part, so that a key cut short or partly masked is still
// found. The masked form the product shows ("sk-ant-…" and the last four characters) matches
// none of them: four characters are not enough to use a key.
class CanaryKey
{
public:
    static constexpr char marker[] = "OPSBENCH-CANARY";
    static constexpr qsizetype pieceLength = 10;

    CanaryKey()
    {
        static constexpr char alphabet[] =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        for (int i = 0; i < 40; ++i)
            m_random += alphabet[QRandomGenerator::global()->bounded(62)];
        m_key = "sk-ant-api03-" + QByteArray(marker) + '-' + m_random;
    }

    QString key() const { return QString::fromLatin1(m_key); }
    QByteArray randomPart() const { return m_random; }

    QByteArrayList needles() const
    {
        QByteArrayList needles{m_key, QByteArray(marker), m_random};
        for (qsizetype from = 0; from + pieceLength <= m_random.size(); from += pieceLength / 2)
            needles.append(m_random.mid(from, pieceLength));
        return needles;
    }

    // Each needle found in `bytes`, with its offset; empty when the bytes are clean.
    QStringList findIn(const QByteArray &bytes, const QString &where) const
    {
        QStringList found;
        for (const QByteArray &needle : needles()) {
            const qsizetype at = bytes.indexOf(needle);
            if (at >= 0) {
                found.append(QStringLiteral("%1: \"%2\" at byte %3")
                                 .arg(where, QString::fromLatin1(needle))
                                 .arg(at));
            }
        }
        return found;
    }

    // The same for every file under `folder`, hidden ones included; `searched` counts them.
    QStringList findInFolder(const QString &folder, int *searched = nullptr) const
    {
        QStringList found;
        QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly)) {
                found.append(path + QStringLiteral(": cannot be searched"));
                continue;
            }
            found += findIn(file.readAll(), path);
            if (searched)
                ++*searched;
        }
        return found;
    }

private:
    QByteArray m_random;
    QByteArray m_key;
};
