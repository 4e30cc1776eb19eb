#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QString>

// Reading the small JSON data files Opsbench ships and lets users override (prices, router rules,
// rate-limit tiers, the simulator's models), with errors that name the file.

// The largest JSON data file a user may point at: far above any real price list or rule set,
// small enough that a wrong file (a video, a database) is refused instead of read into memory.
inline constexpr qint64 maxDataFileBytes = 1024 * 1024;

// Parses `json` as one JSON object. `origin` names the input in the message, and `expected` says
// what the object should hold ("a JSON object with a \"models\" array").
Expected<QJsonObject> parseJsonObject(const QByteArray &json, const QString &origin,
                                      const QString &expected);

// The whole file at `path`; `what` names it for the message ("the price file"). Every file read
// on a user's say-so comes through here: a file over `maxBytes` is refused, naming the file, its
// size and the limit, before any of it is read, and no more than `maxBytes` is ever read even
// from a file that grows or reports no size (a pipe, a device).
Expected<QByteArray> readDataFile(const QString &path, const QString &what,
                                  qint64 maxBytes = maxDataFileBytes);

// The size check alone, from the file system's record: fails, naming the file, its size and the
// limit, when the file at `path` is larger than `maxBytes`.
Expected<void> checkFileSize(const QString &path, const QString &what, qint64 maxBytes);

// A bundled data file, parsed once. The tests load every bundled file, so a failure here means a
// broken build: it asserts in debug builds, and otherwise logs and returns an empty T.
template<typename T>
T loadBundled(Expected<T> loaded, const QLoggingCategory &category, const char *name)
{
    Q_ASSERT_X(loaded.hasValue(), name, "a bundled data file is invalid");
    if (!loaded) {
        qCCritical(category) << "bundled" << name << "is unusable:" << loaded.error();
        return T();
    }
    return std::move(loaded).value();
}
