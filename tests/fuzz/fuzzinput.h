#pragma once

#include <QByteArrayView>
#include <QString>
#include <QtGlobal>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

// What every fuzz target needs around its input: a view of libFuzzer's bytes, and a check that
// stops the run when the code under test breaks a promise its header makes. abort() is what
// libFuzzer reports as a crash, so a broken invariant leaves a reproducer like any crash does.

// Hostile input makes the code under test warn, as it should, on nearly every run; printed, the
// warnings would bury libFuzzer's own report and slow it down. Only a fatal message is shown.
inline const bool fuzzMessagesSilenced = [] {
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &text) {
        if (type == QtFatalMsg)
            std::fprintf(stderr, "%s\n", qPrintable(text));
    });
    return true;
}();

inline QByteArrayView fuzzBytes(const std::uint8_t *data, std::size_t size)
{
    return QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size));
}

inline void require(bool holds, const char *promise)
{
    if (holds)
        return;
    std::fprintf(stderr, "broken invariant: %s\n", promise);
    std::abort();
}

// A position in `bytes` chosen by the bytes themselves, so that the fuzzer can steer where an
// input is cut in two.
inline qsizetype cutPosition(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return 0;
    return qsizetype(std::uint8_t(bytes.front())) * bytes.size() / 256;
}
