#include "logindexloader.h"

#include "calllog/calllogreader.h"
#include "calllog/logfilefollower.h"
#include "calllog/logline.h"
#include "common/logging.h"

#include <QFileInfo>
#include <QTimer>

using namespace Qt::Literals::StringLiterals;

// Lives on the loader's thread: reads and indexes, and posts what it found to the loader,
// tagged with the generation it was started for so that the loader can drop stale news.
class LogIndexLoader::Worker : public QObject
{
public:
    Worker(const PriceBook &prices, LogIndexLoader *loader)
        : m_reader(prices)
        , m_loader(loader)
    {}

    void start(const QString &path, int generation);
    void stop();

private:
    void indexLines(const QByteArray &lines, qint64 firstOffset, qint64 firstLineNumber);
    void checkCaughtUp();
    void reportTail();
    template<typename Signal, typename... Args>
    void post(Signal signal, Args... args);

    CallLogReader m_reader;
    LogIndexLoader *m_loader;
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
    stop();
    m_path = path;
    m_generation = generation;
    m_caughtUp = false;
    m_reportedTail = 0;
    m_follower = new LogFileFollower(this);
    // A small first block puts the first calls on screen at once; then large ones for speed.
    m_follower->setMaxBytesPerPoll(LogIndexLoader::firstBlockBytes);
    // The watcher gives prompt notice of growth; the poll is the fallback that keeps new
    // lines within a second of being written.
    m_follower->setPollInterval(500);
    connect(m_follower, &LogFileFollower::linesAppended, this, &Worker::indexLines);
    connect(m_follower, &LogFileFollower::restarted, this,
            [this](LogFileFollower::RestartReason reason) {
                m_caughtUp = false;
                m_reportedTail = 0;
                m_follower->setMaxBytesPerPoll(LogIndexLoader::firstBlockBytes);
                const QString why = reason == LogFileFollower::RestartReason::Truncated
                                        ? u"the file was truncated"_s
                                    : reason == LogFileFollower::RestartReason::Replaced
                                        ? u"the file was replaced"_s
                                        : u"the file was created again"_s;
                post(&LogIndexLoader::restarted, why);
            });
    connect(m_follower, &LogFileFollower::fileRemoved, this,
            [this] { post(&LogIndexLoader::fileRemoved); });
    connect(m_follower, &LogFileFollower::readFailed, this,
            [this](const QString &message) { post(&LogIndexLoader::readFailed, message); });
    m_tailTimer = new QTimer(this);
    m_tailTimer->setInterval(500);
    connect(m_tailTimer, &QTimer::timeout, this, &Worker::reportTail);
    m_tailTimer->start();
    m_follower->start(path);
    checkCaughtUp();
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
    m_follower->setMaxBytesPerPoll(LogIndexLoader::blockBytes);
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
