#pragma once

#include "calllog/logline.h"
#include "calllog/logstats.h"
#include "common/expected.h"
#include "pricing/pricebook.h"

#include <QByteArrayView>
#include <QString>

#include <functional>
#include <memory>

// Reads a call log (llm_calls.jsonl: one JSON object per line) of any size in large blocks,
// parsing each line once, and either adds it all up (summarize) or hands every line to a
// visitor (scan). A line that is not a usable call is reported as malformed, with its number
// and the reason, and reading goes on; only a file that cannot be read at all is a failure,
// and its message names the path.
//
// A missing cost_usd is priced from the PriceBook the reader was given; a line whose cost is
// neither logged nor priceable is malformed, since its cost cannot be known. The last line of
// a file without its newline is an incomplete tail, neither a call nor malformed.
//
// A reader keeps a parser and a per-model price cache between calls, so reuse one for several
// files; it is not thread-safe: give each thread its own.
class CallLogReader
{
public:
    explicit CallLogReader(const PriceBook &prices);
    ~CallLogReader();
    CallLogReader(const CallLogReader &) = delete;
    CallLogReader &operator=(const CallLogReader &) = delete;

    // Everything the file at `path` adds up to, as of its size when it was opened.
    static Expected<LogStats> summarize(const QString &path, const PriceBook &prices);

    // The figures of bytes [begin, end) of the file. `begin` must be 0 or the first byte of a
    // line, and `end` the first byte of a line or the file's size, so that consecutive ranges
    // summarized on separate threads and merged in file order (LogStats::merge) give what
    // summarize() gives. Line numbers count from the range's first line.
    Expected<LogStats> summarizeRange(const QString &path, qint64 begin, qint64 end);

    // Calls `visit` for every line of the file in order: calls, blank and malformed lines and
    // an incomplete tail. The LogLine and its strings are valid only during the call.
    Expected<void> scan(const QString &path, const std::function<void(const LogLine &)> &visit);

    // Calls `visit` for every line of bytes [begin, end) of the file, bounded as for
    // summarizeRange(); line numbers count from the range's first line, offsets from the file's
    // start.
    Expected<void> scanRange(const QString &path, qint64 begin, qint64 end,
                             const std::function<void(const LogLine &)> &visit);

    // Calls `visit` for every line of `bytes`, the part of a log that starts at byte
    // `firstOffset` with line `firstLineNumber` (1-based): what LogFileFollower hands over.
    // Bytes after the last newline are reported as an incomplete tail.
    void scanBytes(QByteArrayView bytes, qint64 firstOffset, qint64 firstLineNumber,
                   const std::function<void(const LogLine &)> &visit);

private:
    class Scanner;
    std::unique_ptr<Scanner> m_scanner;
};
