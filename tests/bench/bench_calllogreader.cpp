// Reads one call log with CallLogReader and prints the figures a reference tool is checked
// against, with the time the read took. Run it under /usr/bin/time -v for the peak memory:
//     bench_calllogreader calls_1m.jsonl
#include "calllog/calllogreader.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_calllogreader LOG.jsonl\n");
        return 2;
    }

    QElapsedTimer timer;
    timer.start();
    const Expected<LogStats> stats =
        CallLogReader::summarize(QString::fromLocal8Bit(argv[1]), PriceBook::builtIn());
    const qint64 readMs = timer.elapsed();
    if (!stats) {
        std::fprintf(stderr, "%s\n", qPrintable(stats.error()));
        return 1;
    }
    const GroupStats all = stats->overall();
    const qint64 totalMs = timer.elapsed();

    std::printf("valid %lld\nmalformed %lld\n", all.records, stats->malformedCount());
    std::printf("total cost %.6f\nmean latency %.3f ms\n", all.costUsd, all.meanLatencyMs());
    std::printf("p50 %.0f ms, p95 %.0f ms, p99 %.0f ms\n", all.p50LatencyMs, all.p95LatencyMs,
                all.p99LatencyMs);
    std::printf("cache hit rate %.6f\nerrors %lld\n", all.cacheHitRate(), all.errors);
    std::printf("incomplete tail %lld bytes\n", stats->incompleteTailBytes());
    for (const MalformedLine &line : stats->malformedLines())
        std::printf("  line %lld: %s\n", line.number, qPrintable(line.reason));
    for (const QList<GroupStats> &groups : {stats->byModel(), stats->byFeature()}) {
        for (const GroupStats &group : groups) {
            std::printf("  %-28s %8lld calls  $%12.6f  p99 %6.0f ms  hit %.4f\n",
                        qPrintable(group.name), group.records, group.costUsd, group.p99LatencyMs,
                        group.cacheHitRate());
        }
    }
    std::printf("read %lld ms, figures %lld ms\n", readMs, totalMs - readMs);
    return 0;
}
