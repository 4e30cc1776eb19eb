#pragma once

#include "calllog/logindex.h"
#include "pricing/pricebook.h"

#include <QObject>
#include <QString>
#include <QThread>

#include <memory>

// Builds the LogIndex of a call log on a worker thread and keeps it up to date while the file
// grows. The file is read from the start in blocks of a few megabytes; each block's lines are
// indexed on the worker and handed to the caller's thread as a batch (batchReady), so the first
// calls can be shown while the rest is read. Afterwards the file is followed (LogFileFollower):
// appended lines arrive as further batches, and a truncated or replaced file restarts from
// its beginning after restarted().
//
// The loader owns its thread. start() with another path, or stop(), drops everything still on
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

    // Bytes read in one go: the first block is small, so the first calls show at once.
    static constexpr qint64 firstBlockBytes = 256 * 1024;
    static constexpr qint64 blockBytes = 4 * 1024 * 1024;

Q_SIGNALS:
    // The lines that follow those of the previous batch (since the last start or restart).
    // `fileSize` is the size of the file when the batch was read.
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
    int m_generation = 0;
};
