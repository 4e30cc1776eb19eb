#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QString>

// Reading the small JSON data files Opsbench ships and lets users override (prices, router rules,
// rate-limit tiers, the simulator's models), with errors that name the file.

// Parses `json` as one JSON object. `origin` names the input in the message, and `expected` says
// what the object should hold ("a JSON object with a \"models\" array").
Expected<QJsonObject> parseJsonObject(const QByteArray &json, const QString &origin,
                                      const QString &expected);

// The whole file at `path`; `what` names it for the message ("the price file").
Expected<QByteArray> readDataFile(const QString &path, const QString &what);

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
