#pragma once

#include "calllog/logstats.h"
#include "common/expected.h"
#include "pricing/pricebook.h"

#include <QList>
#include <QString>

// Bytes [begin, end) of a call log: `begin` is the first byte of a line, `end` the first byte
// of a line or the file's size.
struct LogRange
{
    qint64 begin = 0;
    qint64 end = 0;

    friend bool operator==(const LogRange &, const LogRange &) = default;
};

// Adds up a whole call log on several threads. The file, as of its size when it is split, is
// cut at line starts into about equal ranges; each range is read on a thread of its own by a
// CallLogReader of its own, and the parts are merged in file order, which gives exactly what
// one CallLogReader::summarize() pass gives, malformed line numbers included. It fails as the
// reader does: only a file that cannot be read is a failure, and the message names the path.
class LogSummarizer
{
public:
    // Below this many bytes a range is not worth a thread of its own.
    static constexpr qint64 minBytesPerThread = 512 * 1024;

    // Cuts the file into at most `parts` ranges of about equal size that cover it in order.
    // A range that would be empty (a line longer than a part) is left out; an empty file is
    // one empty range.
    static Expected<QList<LogRange>> splitAtLines(const QString &path, int parts);
    // Cuts the file, as of its size when opened, at the first line start at or after each of
    // `cuts` (ascending byte offsets; those past the end are ignored), with the same rules.
    static Expected<QList<LogRange>> splitAtLines(const QString &path, const QList<qint64> &cuts);

    // Reads each range on its own thread (the last on the calling one) and merges the parts.
    static Expected<LogStats> summarizeRanges(const QString &path, const PriceBook &prices,
                                              const QList<LogRange> &ranges);

    // The whole file on up to `threads` threads (0: one per core), fewer for a small file.
    static Expected<LogStats> summarize(const QString &path, const PriceBook &prices,
                                        int threads = 0);
};
