// Opens one call log in the Log panel, as a person would, and prints how long the first rows and
// the whole index took, the longest the GUI thread was kept from its timers meanwhile, the index
// size per call, and the time of a sort and of filters on the whole log. With --tail SECONDS it
// then has another process append calls (append_calls.py, 5,000 a second) and prints how long
// the newest calls took to show in the table, tiles and charts, and the processor time the
// panel used meanwhile. Run it offscreen:
//     QT_QPA_PLATFORM=offscreen bench_logpanel calls_1m.jsonl [--tail 10]
#include "logpanel/logpanel.h"
#include "logpanel/logtablemodel.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstdio>
#include <vector>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/resource.h>
#include <time.h>

using namespace Qt::Literals::StringLiterals;

namespace {

// The resident memory of this process as the kernel counts it (VmRSS), in bytes; the log is read,
// not mapped, so none of its pages are in it.
qint64 residentBytes()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
    }
    return -1;
}

// The resident size by kind: anonymous memory (heap, stacks), file pages (code, fonts, any
// mapped file), shared memory (the window's backing store on some platforms).
void printResidentKinds()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:") || line.startsWith("RssAnon:") || line.startsWith("RssFile:")
            || line.startsWith("RssShmem:")) {
            std::printf("%s\n", line.simplified().constData());
        }
    }
}

// What the C library's heap holds, in every thread's pool: in use, free but kept, and mapped
// on its own (large blocks); the rest of the resident size is code, stacks and the like.
void printHeap(const char *when)
{
#ifdef __GLIBC__
    const struct mallinfo2 heap = mallinfo2();
    std::printf("heap %-20s in use %.1f MiB (%.1f mapped on its own), free but kept %.1f MiB\n",
                when, double(heap.uordblks + heap.hblkhd) / 1048576, double(heap.hblkhd) / 1048576,
                double(heap.fordblks) / 1048576);
#else
    Q_UNUSED(when);
#endif
}

// The processor time the calling thread has used, in ns.
qint64 threadCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1000000000 + now.tv_nsec;
}

// A 10 ms timer on the GUI thread; any lateness beyond its period is time the thread was busy,
// or waiting for a processor on a loaded machine. The processor time the thread used between two
// ticks tells the two apart: it is the thread's own work.
class StallMeter : public QObject
{
public:
    StallMeter()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(10);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            const qint64 cpu = threadCpuNs();
            if (m_last > 0) {
                m_worstMs = std::max(m_worstMs, double(now - m_last) / 1e6 - 10);
                m_worstCpuMs = std::max(m_worstCpuMs, double(cpu - m_lastCpu) / 1e6);
            }
            m_last = now;
            m_lastCpu = cpu;
        });
        m_clock.start();
        m_timer.start();
    }
    void reset()
    {
        m_worstMs = 0;
        m_worstCpuMs = 0;
        m_last = 0;
    }
    double worstMs() const { return m_worstMs; }
    double worstCpuMs() const { return m_worstCpuMs; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_lastCpu = 0;
    double m_worstMs = 0;
    double m_worstCpuMs = 0;
};

// Times every event the GUI thread handles, outermost only: the longest is the longest the
// thread was kept from painting and answering, in processor time (its own work) and in wall time
// (which on a loaded machine also counts the waits for a processor).
class TimedApplication : public QApplication
{
public:
    using QApplication::QApplication;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (m_depth > 0 || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        const qint64 cpu = threadCpuNs();
        const qint64 wall = m_clock.nsecsElapsed();
        ++m_depth;
        const bool handled = QApplication::notify(receiver, event);
        --m_depth;
        m_worstCpuMs = std::max(m_worstCpuMs, double(threadCpuNs() - cpu) / 1e6);
        m_worstWallMs = std::max(m_worstWallMs, double(m_clock.nsecsElapsed() - wall) / 1e6);
        return handled;
    }
    void reset()
    {
        m_worstCpuMs = m_worstWallMs = 0;
        if (!m_clock.isValid())
            m_clock.start();
    }
    double worstCpuMs() const { return m_worstCpuMs; }
    double worstWallMs() const { return m_worstWallMs; }

private:
    QElapsedTimer m_clock;
    int m_depth = 0;
    double m_worstCpuMs = 0;
    double m_worstWallMs = 0;
};

// Processor time of the whole process so far, both threads and all, in ms.
double cpuMs()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3
           + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

// The six figures the stats benchmark compares tools by, as it prints them.
QByteArray figuresText(qint64 calls, qint64 malformed, double cost, double mean, double p99,
                       double hit)
{
    char text[200];
    std::snprintf(text, sizeof(text),
                  "%lld valid, %lld malformed, cost %.6f, mean %.3f ms, p99 %.0f ms, hit %.6f",
                  calls, malformed, cost, mean, p99, hit);
    return QByteArray(text);
}

// The same figures from `opsbench-cli stats --json`, or why there are none.
QByteArray cliFigures(const QString &path)
{
    QProcess cli;
    cli.start(QString::fromLocal8Bit(OPSBENCH_CLI), {u"stats"_s, u"--json"_s, path});
    if (!cli.waitForFinished(60'000) || cli.exitCode() != 0)
        return "opsbench-cli failed: " + cli.readAllStandardError().trimmed();
    const QJsonObject stats = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
    return figuresText(
        stats.value("records"_L1).toInteger(), stats.value("malformed_lines"_L1).toInteger(),
        stats.value("total_cost_usd"_L1).toDouble(), stats.value("avg_latency_ms"_L1).toDouble(),
        stats.value("p99_latency_ms"_L1).toDouble(), stats.value("cache_hit_rate"_L1).toDouble());
}

QByteArray loadAverage()
{
    QFile file(u"/proc/loadavg"_s);
    return file.open(QIODevice::ReadOnly) ? file.readLine().trimmed() : QByteArray("?");
}

// Runs the event loop until `panel` has shown a view computed after `change`.
qint64 timeView(LogPanel &panel, const std::function<void()> &change)
{
    QSignalSpy updated(&panel, &LogPanel::viewUpdated);
    QElapsedTimer timer;
    timer.start();
    change();
    while (updated.isEmpty())
        updated.wait(5000);
    return timer.elapsed();
}

// Has append_calls.py append to `path` for `seconds` and watches the panel meanwhile. A call's
// delay is the time from its writing (its timestamp) to the first view that counts it: rows,
// tiles and charts, since viewUpdated follows the table's new rows and carries the summary
// and charts computed with them.
bool measureTail(LogPanel &panel, const QString &path, double seconds, StallMeter &stalls,
                 TimedApplication &app)
{
    const QString script =
        QDir(QString::fromLocal8Bit(OPSBENCH_BENCH_DIR)).filePath(u"append_calls.py"_s);
    QProcess writer;
    writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const qint64 callsBefore = panel.index().size();
    qint64 shownCalls = callsBefore;
    qint64 worstDelayMs = 0;
    std::vector<qint64> delays;
    int views = 0;
    QObject::connect(&panel, &LogPanel::viewUpdated, &panel, [&] {
        const LogIndex &index = panel.index();
        const qint64 counted = panel.summary().calls;
        if (counted <= shownCalls || counted > index.size())
            return;
        ++views;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        // The oldest call new to this view waited longest; every call is sampled for the
        // median.
        for (qint64 row = shownCalls; row < counted; ++row) {
            const qint64 written = index.at(row).timestampMs;
            if (written != IndexedCall::noTimestamp)
                delays.push_back(now - written);
        }
        const qint64 written = index.at(shownCalls).timestampMs;
        worstDelayMs = std::max(worstDelayMs, now - written);
        shownCalls = counted;
    });

    stalls.reset();
    app.reset();
    const double cpuBefore = cpuMs();
    QElapsedTimer clock;
    clock.start();
    writer.start(u"python3"_s,
                 {script, path, u"--rate"_s, u"5000"_s, u"--seconds"_s, QString::number(seconds)});
    if (!writer.waitForStarted()) {
        std::fprintf(stderr, "cannot start %s\n", qPrintable(script));
        return false;
    }
    QSignalSpy finished(&writer, &QProcess::finished);
    while (finished.isEmpty())
        finished.wait(int(seconds * 1000) + 10000);
    const double cpuWhileWritingMs = cpuMs() - cpuBefore;
    const qint64 writingMs = clock.elapsed();
    // The last calls written are shown within a second or the panel has fallen behind.
    const qint64 expected = callsBefore + qint64(5000 * seconds);
    QElapsedTimer grace;
    grace.start();
    while (shownCalls < expected && grace.elapsed() < 5000)
        QTest::qWait(10);

    std::sort(delays.begin(), delays.end());
    const auto percentile = [&delays](double share) {
        return delays.empty() ? -1 : delays[std::size_t(share * double(delays.size() - 1))];
    };
    std::printf("tail: %lld calls appended at 5,000 a second for %.1f s, %lld shown\n",
                expected - callsBefore, double(writingMs) / 1000, shownCalls - callsBefore);
    std::printf("tail: delay from writing to rows, tiles and charts: median %lld ms, p99 %lld ms, "
                "worst %lld ms, over %d views\n",
                percentile(0.5), percentile(0.99), worstDelayMs, views);
    std::printf("tail: processor time of the panel %.0f ms in %lld ms: %.2f of a core\n",
                cpuWhileWritingMs, writingMs, cpuWhileWritingMs / double(writingMs));
    std::printf("tail: worst GUI stall %.1f ms late, longest GUI event %.1f ms of its own work\n",
                stalls.worstMs(), app.worstCpuMs());
    return shownCalls >= expected;
}

} // namespace

int main(int argc, char **argv)
{
    TimedApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    const bool tail = arguments.size() == 4 && arguments.at(2) == "--tail"_L1;
    if (arguments.size() != 2 && !tail) {
        std::fprintf(stderr, "usage: bench_logpanel LOG.jsonl [--tail SECONDS]\n");
        return 2;
    }
    const QString path = arguments.at(1);

    LogPanel panel(PriceBook::builtIn());
    panel.resize(1440, 900);
    panel.show();
    QApplication::processEvents();
    StallMeter stalls;
    app.reset();

    std::printf("load average before: %s\n", loadAverage().constData());
    printHeap("before the log");
    printResidentKinds();
    const qint64 residentBefore = residentBytes();
    const double cpuBefore = cpuMs();
    QElapsedTimer clock;
    qint64 firstRowsMs = -1;
    QObject::connect(panel.model(), &QAbstractItemModel::rowsInserted, &panel, [&] {
        if (firstRowsMs < 0)
            firstRowsMs = clock.elapsed();
    });
    QSignalSpy loaded(&panel, &LogPanel::loaded);
    clock.start();
    if (!panel.openLog(path)) {
        std::fprintf(stderr, "%s\n", qPrintable(panel.message()));
        return 1;
    }
    while (loaded.isEmpty())
        loaded.wait(10000);
    const qint64 indexedMs = clock.elapsed();
    QSignalSpy updated(&panel, &LogPanel::viewUpdated);
    while (panel.summary().calls != panel.index().size())
        updated.wait(5000);
    const qint64 viewMs = clock.elapsed();
    const double loadStallMs = stalls.worstMs();
    const double loadStallCpuMs = stalls.worstCpuMs();
    const double loadEventCpuMs = app.worstCpuMs();
    const double loadEventWallMs = app.worstWallMs();
    const double loadCpuMs = cpuMs() - cpuBefore;

    // Measured once the panel has settled, as a person would see it in a process monitor.
    QTest::qWait(1000);
    const qint64 residentAfter = residentBytes();
    printHeap("with the log shown");
    printResidentKinds();

    const LogIndex &index = panel.index();
    std::printf("calls %lld, malformed %lld\n", qint64(index.size()), index.malformedCount());
    // The panel's tiles and the command line must agree on the same file, to the printed digit.
    const LogViewSummary &shown = panel.summary();
    const QByteArray panelFigures =
        figuresText(shown.calls, index.malformedCount(), shown.costUsd, shown.meanLatencyMs,
                    shown.p99LatencyMs, shown.cacheHitRate);
    const QByteArray commandLineFigures = cliFigures(path);
    std::printf("figures of the panel     %s\n", panelFigures.constData());
    std::printf("figures of the CLI       %s (%s)\n", commandLineFigures.constData(),
                panelFigures == commandLineFigures ? "the same" : "DIFFERENT");
    if (panelFigures != commandLineFigures)
        return 1;
    std::printf("first rows in the table  %lld ms\n", firstRowsMs);
    std::printf("fully indexed            %lld ms\n", indexedMs);
    std::printf("tiles and charts shown   %lld ms\n", viewMs);
    std::printf("processor time (load)    %.0f ms, both threads\n", loadCpuMs);
    std::printf("worst GUI stall (load)   %.1f ms late, %.1f ms of its own work\n", loadStallMs,
                loadStallCpuMs);
    std::printf("longest GUI event (load) %.1f ms of its own work, %.1f ms wall\n", loadEventCpuMs,
                loadEventWallMs);
    const LogRecords &records = index.records();
    std::printf("index bytes per call     %.1f (a packed block %d bits a call; with the block "
                "being written and the line list)\n",
                double(index.memoryBytes()) / double(index.size()),
                records.blockCount() > 1 ? records.blockAt(0).bitsPerCall() : -1);
    if (records.blockCount() > 1) {
        using Block = LogRecords::Block;
        const Block &first = records.blockAt(0);
        std::printf("bits a call, first block offset %d, time %d, cost %d, latency %d, names %d %d "
                    "%d %d, tokens %d %d %d %d, documents %d\n",
                    first.bits(Block::Offset), first.bits(Block::Time), first.bits(Block::Cost),
                    first.bits(Block::Latency), first.bits(Block::Model),
                    first.bits(Block::Feature), first.bits(Block::User),
                    first.bits(Block::FinishReason), first.bits(Block::InputTokens),
                    first.bits(Block::OutputTokens), first.bits(Block::CacheReadTokens),
                    first.bits(Block::CacheWriteTokens), first.bits(Block::RetrievedDocs));
    }
    std::printf("resident memory per call %.1f bytes (%.1f MiB more than before the log opened)\n",
                double(residentAfter - residentBefore) / double(index.size()),
                double(residentAfter - residentBefore) / 1048576);

    stalls.reset();
    app.reset();
    const auto report = [&panel](const char *what, const std::function<void()> &change) {
        const double cpuBefore = cpuMs();
        const qint64 ms = timeView(panel, change);
        std::printf("%-24s %lld ms (processor %.0f ms), %d rows\n", what, ms, cpuMs() - cpuBefore,
                    panel.model()->rowCount());
    };
    report("sort by cost", [&] { panel.sortBy(LogColumn::Cost, Qt::DescendingOrder); });
    // A sorted view keeps its order as a list of rows, which the view in file order does not.
    QTest::qWait(1000);
    std::printf("resident memory per call %.1f bytes, sorted by cost\n",
                double(residentBytes() - residentBefore) / double(index.size()));
    report("sort by model", [&] { panel.sortBy(LogColumn::Model, Qt::AscendingOrder); });
    LogFilter filter;
    filter.model = index.models().name(0);
    report("filter by model", [&] { panel.setFilter(filter); });
    filter = LogFilter();
    filter.text = u"abc"_s;
    report("search request ids", [&] { panel.setFilter(filter); });
    report("back to file order", [&] {
        panel.setFilter(LogFilter());
        panel.sortBy(LogColumn::Time, Qt::AscendingOrder);
    });
    std::printf("worst GUI stall (views)  %.1f ms late, %.1f ms of its own work\n",
                stalls.worstMs(), stalls.worstCpuMs());
    std::printf("longest GUI event (views) %.1f ms of its own work, %.1f ms wall\n",
                app.worstCpuMs(), app.worstWallMs());
    if (tail) {
        const double seconds = arguments.at(3).toDouble();
        if (!measureTail(panel, path, seconds, stalls, app))
            return 1;
    }
    std::printf("load average after: %s\n", loadAverage().constData());
    return 0;
}
