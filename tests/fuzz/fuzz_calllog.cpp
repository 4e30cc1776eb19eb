// A call log from disk: the bytes are read as a block of lines by CallLogReader::scanBytes and
// every line is added to a LogStats and a LogIndex. The input is also read as two parts cut at
// a line boundary it picks, which LogStats::merge and LogIndex::append must join into what one
// pass gives.

#include "calllog/calllogreader.h"
#include "calllog/logindex.h"
#include "calllog/logline.h"
#include "calllog/logstats.h"
#include "fuzzinput.h"

#include <cmath>

namespace {

struct Reading
{
    LogStats stats;
    LogIndex index;
};

void read(CallLogReader &reader, QByteArrayView bytes, qint64 offset, qint64 lineNumber,
          Reading &into)
{
    reader.scanBytes(bytes, offset, lineNumber, [&into](const LogLine &line) {
        if (line.kind == LogLine::Kind::Record) {
            require(!std::isnan(line.costUsd), "a call's cost is a number");
            require(!std::isnan(line.latencyMs), "a call's latency is a number");
            LogIndex::parseTimestamp(
                std::string_view(line.timestamp.data(), std::size_t(line.timestamp.size())));
        }
        require(line.kind != LogLine::Kind::Malformed || !line.problem.isEmpty(),
                "a malformed line says why");
        into.stats.add(line);
        into.index.add(line);
    });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // One reader for every input, as its header asks: a fresh one per input would spend the
    // run allocating its multi-megabyte read buffer. Its only state is the price cache.
    static CallLogReader reader(PriceBook::builtIn());
    const QByteArrayView log = fuzzBytes(data, size);

    Reading whole;
    read(reader, log, 0, 1, whole);
    require(whole.index.size() == whole.stats.records(), "index and stats count the same calls");
    require(whole.index.lineCount() == whole.stats.lineCount(),
            "index and stats count the same lines");
    const GroupStats overall = whole.stats.overall();
    require(overall.records == whole.stats.records(), "the overall group holds every call");
    require(overall.p50LatencyMs <= overall.p95LatencyMs
                && overall.p95LatencyMs <= overall.p99LatencyMs,
            "percentiles are ordered");
    qint64 modelRecords = 0;
    for (const GroupStats &group : whole.stats.byModel())
        modelRecords += group.records;
    require(modelRecords == overall.records, "the models' calls add up to all calls");
    static_cast<void>(whole.stats.byFeature());

    // Cut after a newline, as summarizeRange requires of a part's start.
    const qsizetype newline = log.sliced(cutPosition(log)).indexOf('\n');
    const qsizetype at = newline < 0 ? log.size() : cutPosition(log) + newline + 1;
    Reading first;
    read(reader, log.first(at), 0, 1, first);
    Reading second;
    read(reader, log.sliced(at), at, first.stats.lineCount() + 1, second);
    first.stats.merge(second.stats);
    first.index.append(second.index);
    require(first.stats.records() == whole.stats.records()
                && first.stats.malformedCount() == whole.stats.malformedCount()
                && first.stats.blankLines() == whole.stats.blankLines()
                && first.stats.incompleteTailBytes() == whole.stats.incompleteTailBytes(),
            "LogStats read in two parts and merged equals one pass");
    require(first.index.size() == whole.index.size()
                && first.index.malformedCount() == whole.index.malformedCount()
                && first.index.endOffset() == whole.index.endOffset()
                && first.index.models().size() == whole.index.models().size(),
            "LogIndex read in two parts and appended equals one pass");
    for (qsizetype row = 0; row < whole.index.size(); ++row) {
        require(first.index.lineNumber(row) == whole.index.lineNumber(row),
                "a call keeps its line number across parts");
    }
    return 0;
}
