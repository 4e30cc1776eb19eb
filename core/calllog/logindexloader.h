#pragma once

#include "calllog/logindex.h"
#include "pricing/pricebook.h"

#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>
#include <memory>

// Builds the LogIndex of a call log off the caller's thread and keeps it up to date while the
// file grows. What the file holds when it is opened is cut at line starts into parts (a small
// first one, so that the first calls show at once, then parts of a few megabytes) that are
// indexed on every core and put together in file order on the loader's thread, which hands the
// caller the index read so far every few tens of milliseconds (indexedSoFar): the caller takes
// it as its own index, sharing its blocks of calls rather than copying them. Afterwards the
// file is followed (LogFileFollower): appended lines arrive as batches to append (batchReady),
// and a truncated or replaced file is read again from its beginning after restarted().
//
// The loader owns its threads. start() with another path, or stop(), drops everything still on
// its way from the previous file: no batch of an old file arrives after start() returns.
class LogIndexLoader : public QObject
{
    Q_OBJECT

public:
    explicit LogIndexLoader(const PriceBook &prices, QObject *parent = nullptr);
    ~LogIndexLoader() override;

    void start(const QString &path);
    void stop();
    QString path() const { return m_path; }

    // The sizes of the parts read on their own: the first is small, so the first calls show at
    // once.
    static constexpr qint64 firstBlockBytes = 256 * 1024;
    static constexpr qint64 blockBytes = 4 * 1024 * 1024;

Q_SIGNALS:
    // While the file is first read: the index of every line read so far since the last start
    // or restart, to replace the receiver's. The loader goes on adding calls after its end, to
    // blocks the copy shares, until caughtUp(); the receiver only reads them meanwhile.
    void indexedSoFar(std::shared_ptr<const LogIndex> index, qint64 fileSize);
    // After caughtUp(): the lines that follow those of the index and batches before, to
    // append. `fileSize` is the size of the file when the batch was read.
    void batchReady(std::shared_ptr<const LogIndex> batch, qint64 fileSize);
    // Everything the file held when it was opened has been indexed; emitted once per (re)start.
    void caughtUp();
    // The file was truncated, replaced or created again: what was indexed no longer holds.
    void restarted(const QString &reason);
    void fileRemoved();
    // The file exists but cannot be read; `message` names it.
    void readFailed(const QString &message);

private:
    class Worker;

    QThread m_thread;
    Worker *m_worker;
    QString m_path;
    // Read on the worker thread too: a read of a file left since gives up early.
    std::atomic_int m_generation = 0;
};
