#include "logsummarizer.h"

#include "calllog/calllogreader.h"
#include "common/logging.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <memory>
#include <optional>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace {

// The first line start at or after `target`: just past the first newline from `target - 1`
// on, or the file's size when no newline follows.
Expected<qint64> lineStartFrom(QFile &file, qint64 target, qint64 size)
{
    constexpr qint64 probeSize = 64 * 1024;
    QByteArray probe(probeSize, Qt::Uninitialized);
    for (qint64 at = target - 1; at < size; at += probeSize) {
        if (!file.seek(at))
            return fail(u"%1: cannot seek to byte %2"_s.arg(file.fileName()).arg(at));
        const qint64 got = file.read(probe.data(), std::min(probeSize, size - at));
        if (got <= 0)
            return fail(u"%1: reading failed: %2"_s.arg(file.fileName(), file.errorString()));
        const qsizetype newline = QByteArrayView(probe.constData(), got).indexOf('\n');
        if (newline >= 0)
            return at + newline + 1;
    }
    return size;
}

} // namespace

Expected<QList<LogRange>> LogSummarizer::splitAtLines(const QString &path, int parts)
{
    const qint64 size = QFileInfo(path).size();
    QList<qint64> cuts;
    for (int part = 1; part < parts; ++part)
        cuts.append(size * part / parts);
    return splitAtLines(path, cuts);
}

Expected<QList<LogRange>> LogSummarizer::splitAtLines(const QString &path,
                                                      const QList<qint64> &cuts)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.isSequential()) {
        // The reader words why a path is not a readable log; it is asked rather than repeated.
        CallLogReader reader(PriceBook::builtIn());
        const Expected<LogStats> whyNot = reader.summarizeRange(path, 0, 0);
        return fail(whyNot ? u"%1: cannot read the call log"_s.arg(path) : whyNot.error());
    }

    const qint64 size = file.size();
    QList<LogRange> ranges;
    qint64 begin = 0;
    for (const qint64 target : cuts) {
        if (target <= begin)
            continue;
        if (target >= size)
            break;
        const Expected<qint64> end = lineStartFrom(file, target, size);
        if (!end)
            return Failure{end.error()};
        if (*end > begin) {
            ranges.append({begin, *end});
            begin = *end;
        }
    }
    if (begin < size || ranges.isEmpty())
        ranges.append({begin, size});
    return ranges;
}

Expected<LogStats> LogSummarizer::summarizeRanges(const QString &path, const PriceBook &prices,
                                                  const QList<LogRange> &ranges)
{
    std::vector<std::optional<Expected<LogStats>>> parts(std::size_t(ranges.size()));
    const auto summarizePart = [&](qsizetype index) {
        CallLogReader reader(prices);
        parts[std::size_t(index)] =
            reader.summarizeRange(path, ranges[index].begin, ranges[index].end);
    };

    QElapsedTimer timer;
    timer.start();
    std::vector<std::unique_ptr<QThread>> threads;
    for (qsizetype index = 0; index + 1 < ranges.size(); ++index) {
        threads.emplace_back(QThread::create(summarizePart, index));
        threads.back()->start();
    }
    if (!ranges.isEmpty())
        summarizePart(ranges.size() - 1);
    for (const std::unique_ptr<QThread> &thread : threads)
        thread->wait();

    LogStats total;
    for (std::optional<Expected<LogStats>> &part : parts) {
        if (!*part)
            return Failure{part->error()};
        total.merge(std::move(part->value()));
    }
    qCDebug(lcLog) << "summarized" << path << "in" << ranges.size() << "parts in" << timer.elapsed()
                   << "ms";
    return total;
}

Expected<LogStats> LogSummarizer::summarize(const QString &path, const PriceBook &prices,
                                            int threads)
{
    if (threads <= 0)
        threads = QThread::idealThreadCount();
    const qint64 size = QFileInfo(path).size();
    const int parts = int(std::clamp<qint64>(size / minBytesPerThread, 1, threads));
    const Expected<QList<LogRange>> ranges = splitAtLines(path, parts);
    if (!ranges)
        return Failure{ranges.error()};
    return summarizeRanges(path, prices, *ranges);
}
