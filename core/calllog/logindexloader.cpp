#include "logindexloader.h"

#include "calllog/calllogreader.h"
#include "calllog/logfilefollower.h"
#include "calllog/logline.h"
#include "calllog/logsummarizer.h"
#include "common/logging.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QThreadPool>
#include <QTimer>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include <sys/stat.h>

using namespace Qt::Literals::StringLiterals;

// Lives on the loader's thread: reads and indexes, and posts what it found to the loader,
// tagged with the generation it was started for so that the loader can drop stale news.
//
// What a file holds when it is opened is read in parts on every core (catchUp), and then the
// follower takes over from the end of its last complete line; a file that is truncated or
// replaced is read the same way again from the start.
class LogIndexLoader::Worker : public QObject
{
public:
    Worker(const PriceBook &prices, LogIndexLoader *loader)
        : m_prices(prices)
        , m_reader(prices)
        , m_loader(loader)
    {
        // The worker's own thread reads too, so the pool adds the other cores.
        m_helpers.setMaxThreadCount(std::max(1, QThread::idealThreadCount() - 1));
    }

    void start(const QString &path, int generation);
    void stop();

private:
    void follow();
    std::optional<LogFileFollower::ResumePoint> catchUp();
    bool superseded() const { return m_loader->m_generation.load() != m_generation; }
    void indexLines(const QByteArray &lines, qint64 firstOffset, qint64 firstLineNumber);
    void checkCaughtUp();
    void reportTail();
    template<typename Signal, typename... Args>
    void post(Signal signal, Args... args);

    PriceBook m_prices;
    CallLogReader m_reader;
    LogIndexLoader *m_loader;
    QThreadPool m_helpers;
    LogFileFollower *m_follower = nullptr;
    QTimer *m_tailTimer = nullptr;
    QString m_path;
    int m_generation = 0;
    qint64 m_reportedTail = 0;
    bool m_caughtUp = false;
};

template<typename Signal, typename... Args>
void LogIndexLoader::Worker::post(Signal signal, Args... args)
{
    QMetaObject::invokeMethod(
        m_loader,
        [loader = m_loader, signal, generation = m_generation, args...] {
            // News of a file the loader has since left is dropped here, on the loader's thread.
            if (generation == loader->m_generation)
                Q_EMIT(loader->*signal)(args...);
        },
        Qt::QueuedConnection);
}

void LogIndexLoader::Worker::start(const QString &path, int generation)
{
    m_path = path;
    m_generation = generation;
    follow();
}

void LogIndexLoader::Worker::follow()
{
    stop();
    m_caughtUp = false;
    m_reportedTail = 0;
    const std::optional<LogFileFollower::ResumePoint> resumeAt = catchUp();
    if (superseded())
        return;

    m_follower = new LogFileFollower(this);
    m_follower->setMaxBytesPerPoll(LogIndexLoader::blockBytes);
    // The watcher gives prompt notice of growth; the poll is the fallback that keeps new
    // lines within a second of being written.
    m_follower->setPollInterval(500);
    // A service that logs every call wakes the watcher hundreds of times a second; reading at
    // most ten times a second turns that into a few larger batches, for a small part of the
    // processor time and still well within what a person watching notices.
    m_follower->setMinReadInterval(100);
    connect(m_follower, &LogFileFollower::linesAppended, this, &Worker::indexLines);
    connect(m_follower, &LogFileFollower::restarted, this,
            [this](LogFileFollower::RestartReason reason) {
                const QString why = reason == LogFileFollower::RestartReason::Truncated
                                        ? u"the file was truncated"_s
                                    : reason == LogFileFollower::RestartReason::Replaced
                                        ? u"the file was replaced"_s
                                        : u"the file was created again"_s;
                post(&LogIndexLoader::restarted, why);
                // Read again from the start the fast way, once the follower is out of its poll.
                m_follower->stop();
                QMetaObject::invokeMethod(this, &Worker::follow, Qt::QueuedConnection);
            });
    connect(m_follower, &LogFileFollower::fileRemoved, this,
            [this] { post(&LogIndexLoader::fileRemoved); });
    connect(m_follower, &LogFileFollower::readFailed, this,
            [this](const QString &message) { post(&LogIndexLoader::readFailed, message); });
    m_tailTimer = new QTimer(this);
    m_tailTimer->setInterval(500);
    connect(m_tailTimer, &QTimer::timeout, this, &Worker::reportTail);
    m_tailTimer->start();
    if (resumeAt)
        m_follower->resume(m_path, *resumeAt);
    else
        m_follower->start(m_path);
    checkCaughtUp();
}

std::optional<LogFileFollower::ResumePoint> LogIndexLoader::Worker::catchUp()
{
    // A file that is missing or unreadable is left to the follower, which waits for it or
    // says why it cannot be read.
    struct stat status;
    if (::stat(QFile::encodeName(m_path).constData(), &status) != 0 || !S_ISREG(status.st_mode))
        return std::nullopt;
    QElapsedTimer timer;
    timer.start();

    // A small first part puts the first calls on screen at once; then parts large enough that
    // handing each over costs little next to reading it.
    QList<qint64> cuts;
    for (qint64 cut = LogIndexLoader::firstBlockBytes; cut < qint64(status.st_size);
         cut += LogIndexLoader::blockBytes) {
        cuts.append(cut);
    }
    const Expected<QList<LogRange>> split = LogSummarizer::splitAtLines(m_path, cuts);
    if (!split)
        return std::nullopt;
    const QList<LogRange> &ranges = *split;

    // Each part is indexed on its own, by whichever thread takes it next, and handed over in
    // file order by this thread as soon as it and every part before it are done.
    struct Part
    {
        std::shared_ptr<LogIndex> index;
        bool done = false;
        bool readable = true;
    };
    std::vector<Part> parts(std::size_t(ranges.size()));
    std::mutex mutex;
    std::condition_variable partDone;
    std::atomic<qsizetype> nextPart = 0;

    // A part holds its calls until this thread has put it together with the parts before it.
    // The helpers can run ahead of that, and parts piling up would leave the memory they were
    // freed from resident long after; so no part is started while a few others wait. Counted
    // under `mutex`; `givenUp` tells the waiting helpers that no more parts will be taken.
    constexpr int maxPartsWaiting = 6;
    int partsWaiting = 0; // started and not yet put together
    bool givenUp = false;
    const auto indexParts = [&](CallLogReader &reader, const std::function<void()> &afterEach) {
        for (qsizetype i = nextPart++; i < ranges.size() && !superseded(); i = nextPart++) {
            {
                std::unique_lock lock(mutex);
                while (partsWaiting >= maxPartsWaiting && !givenUp && !superseded()) {
                    // This thread's afterEach puts parts together, which makes the room.
                    lock.unlock();
                    afterEach();
                    lock.lock();
                    partDone.wait_for(lock, std::chrono::milliseconds(20));
                }
                if (givenUp)
                    return;
                ++partsWaiting;
            }
            auto index = std::make_shared<LogIndex>();
            const Expected<void> read =
                reader.scanRange(m_path, ranges[i].begin, ranges[i].end,
                                 [&index](const LogLine &line) { index->add(line); });
            {
                const std::lock_guard lock(mutex);
                parts[std::size_t(i)] = {std::move(index), true, bool(read)};
            }
            partDone.notify_all();
            afterEach();
        }
    };
    for (int helper = 0; helper < m_helpers.maxThreadCount(); ++helper) {
        m_helpers.start([&] {
            CallLogReader reader(m_prices);
            indexParts(reader, [] {});
        });
    }

    std::optional<LogFileFollower::ResumePoint> resumeAt =
        LogFileFollower::ResumePoint{0, 0, quint64(status.st_dev), quint64(status.st_ino)};
    // The parts put together, in file order. Copies of it go to the caller, sharing its blocks:
    // a copy costs its name tables and block list, not its calls.
    LogIndex whole;
    QElapsedTimer sincePosted;
    qsizetype partsPosted = 0;
    qsizetype handedOver = 0;
    const auto postWhole = [&] {
        post(&LogIndexLoader::indexedSoFar, std::make_shared<const LogIndex>(whole),
             qint64(status.st_size));
        sincePosted.start();
        partsPosted = handedOver;
    };
    const auto handOver = [&](bool wait) {
        std::unique_lock lock(mutex);
        while (handedOver < ranges.size() && resumeAt) {
            Part &part = parts[std::size_t(handedOver)];
            if (!part.done) {
                // A superseded read leaves parts undone; the timeout notices it.
                if (!wait || superseded())
                    return;
                partDone.wait_for(lock, std::chrono::milliseconds(50));
                continue;
            }
            if (!part.readable) {
                // The follower goes on from here and says what the matter is.
                givenUp = true;
                partDone.notify_all();
                break;
            }
            const qint64 lines = part.index->lineCount();
            part.index->shiftLineNumbers(resumeAt->lineNumber);
            resumeAt->lineNumber += lines;
            resumeAt->offset = ranges[handedOver].end - part.index->incompleteTailBytes();
            m_reportedTail = part.index->incompleteTailBytes();
            whole.append(*part.index);
            part.index.reset();
            --partsWaiting;
            partDone.notify_all();
            ++handedOver;
            // The first part at once, for the first rows; then often enough for a progress bar.
            if (handedOver == 1 || sincePosted.elapsed() >= 40)
                postWhole();
        }
    };
    // A reader of its own, rather than the follower's, so that its block buffer is let go of
    // once the file is caught up with.
    CallLogReader reader(m_prices);
    indexParts(reader, [&] { handOver(false); });
    handOver(true);
    m_helpers.waitForDone();
    if (superseded())
        return std::nullopt;
    if (handedOver > partsPosted)
        postWhole();
    qCDebug(lcLog) << "indexed" << resumeAt->lineNumber << "lines of" << m_path << "in"
                   << ranges.size() << "parts in" << timer.elapsed() << "ms";
    return resumeAt;
}

void LogIndexLoader::Worker::stop()
{
    delete m_follower;
    m_follower = nullptr;
    delete m_tailTimer;
    m_tailTimer = nullptr;
}

void LogIndexLoader::Worker::indexLines(const QByteArray &lines, qint64 firstOffset,
                                        qint64 firstLineNumber)
{
    auto batch = std::make_shared<LogIndex>();
    m_reader.scanBytes(lines, firstOffset, firstLineNumber,
                       [&batch](const LogLine &line) { batch->add(line); });
    m_reportedTail = m_follower->pendingBytes();
    batch->setIncompleteTailBytes(m_reportedTail);
    post(&LogIndexLoader::batchReady, std::shared_ptr<const LogIndex>(std::move(batch)),
         QFileInfo(m_path).size());
    checkCaughtUp();
}

void LogIndexLoader::Worker::checkCaughtUp()
{
    if (m_caughtUp || !m_follower || !m_follower->fileExists())
        return;
    const qint64 read = m_follower->offset() + m_follower->pendingBytes();
    if (read < QFileInfo(m_path).size())
        return;
    m_caughtUp = true;
    post(&LogIndexLoader::caughtUp);
}

void LogIndexLoader::Worker::reportTail()
{
    // A line still being written changes no complete line, so the follower says nothing of it.
    checkCaughtUp();
    if (!m_follower || m_follower->pendingBytes() == m_reportedTail)
        return;
    m_reportedTail = m_follower->pendingBytes();
    auto batch = std::make_shared<LogIndex>();
    batch->setIncompleteTailBytes(m_reportedTail);
    post(&LogIndexLoader::batchReady, std::shared_ptr<const LogIndex>(std::move(batch)),
         QFileInfo(m_path).size());
}

LogIndexLoader::LogIndexLoader(const PriceBook &prices, QObject *parent)
    : QObject(parent)
    , m_worker(new Worker(prices, this))
{
    m_thread.setObjectName(u"log index"_s);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

LogIndexLoader::~LogIndexLoader()
{
    stop();
    m_thread.quit();
    m_thread.wait();
}

void LogIndexLoader::start(const QString &path)
{
    m_path = path;
    const int generation = ++m_generation;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, path, generation] { worker->start(path, generation); });
    qCDebug(lcLog) << "indexing" << path;
}

void LogIndexLoader::stop()
{
    ++m_generation;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->stop(); });
}
