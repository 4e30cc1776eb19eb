#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

class QFile;
class QFileSystemWatcher;

// Follows a log file that other processes append to, and hands over each complete line once.
//
// It reports lines in batches as they are completed by a newline; a line still being written
// waits for its newline. It notices when the file is truncated, replaced by another file (log
// rotation, an editor saving a copy), deleted and created again: each of those emits restarted(),
// after which lines are reported again from the start of the file, so the reader can rebuild
// what it shows. A file system watcher gives prompt notice and a poll covers what the watcher
// misses (network file systems, a file that does not exist yet).
//
// To keep the caller's thread responsive, one poll reads at most maxBytesPerPoll() bytes and
// continues on the next turn of the event loop. A writer that appends in many small writes
// wakes the watcher for each; with a minimum read interval, the reads that follow a change
// are at least that far apart, so a busy log arrives in a few larger batches a second.
class LogFileFollower : public QObject
{
    Q_OBJECT

public:
    enum class RestartReason { Truncated, Replaced, Recreated };
    Q_ENUM(RestartReason)

    // Where a reader that read the start of a file itself hands over to the follower: the byte
    // after its last complete line, the number of that line, and which file it read (device and
    // inode, as stat gives them).
    struct ResumePoint
    {
        qint64 offset = 0;
        qint64 lineNumber = 0;
        quint64 device = 0;
        quint64 inode = 0;
    };

    explicit LogFileFollower(QObject *parent = nullptr);
    ~LogFileFollower() override;

    // Starts following `path` from its beginning. A file that does not exist yet is waited for.
    void start(const QString &path);
    // Starts following `path` after `from`, handing over only the lines that follow it. When the
    // file at `path` is no longer the one that was read, or is shorter than `from.offset`, it
    // restarts from the beginning as it would at any other time.
    void resume(const QString &path, const ResumePoint &from);
    void stop();

    QString path() const { return m_path; }
    // Bytes of complete lines handed over so far since the last (re)start.
    qint64 offset() const { return m_offset; }
    // Bytes after the last newline: a line still being written.
    qint64 pendingBytes() const { return m_pending.size(); }
    bool fileExists() const { return m_file != nullptr; }

    void setPollInterval(int milliseconds);
    int pollInterval() const { return m_pollTimer.interval(); }
    void setMaxBytesPerPoll(qint64 bytes) { m_maxBytesPerPoll = bytes; }
    // How long after a read the watcher's next notice is held back (0, the default: none).
    void setMinReadInterval(int milliseconds);
    int minReadInterval() const { return m_minReadInterval; }
    qint64 maxBytesPerPoll() const { return m_maxBytesPerPoll; }

    // Reads what has arrived now, without waiting for the watcher or the poll.
    void poll();

Q_SIGNALS:
    // `lines` holds one or more complete lines, each ending in '\n'; `firstLineOffset` is the
    // byte offset of the first in the file and `firstLineNumber` its 1-based number.
    void linesAppended(const QByteArray &lines, qint64 firstLineOffset, qint64 firstLineNumber);
    void restarted(LogFileFollower::RestartReason reason);
    // The file went away; following resumes when it appears again.
    void fileRemoved();
    // The file exists but cannot be read; `message` names it and says why.
    void readFailed(const QString &message);

private:
    struct Identity
    {
        quint64 device = 0;
        quint64 inode = 0;
        bool operator==(const Identity &) const = default;
    };

    void follow(const QString &path);
    bool openFile();
    void closeFile();
    void restart(RestartReason reason);
    void readAvailable();
    void watchPath();
    void onFileSystemNotice();

    QString m_path;
    std::unique_ptr<QFile> m_file;
    Identity m_identity;
    QByteArray m_pending;
    qint64 m_offset = 0;     // bytes of complete lines handed over
    qint64 m_readOffset = 0; // bytes read from the file: m_offset + m_pending.size()
    qint64 m_lineNumber = 0; // complete lines handed over
    qint64 m_maxBytesPerPoll = 8 * 1024 * 1024;
    bool m_reportedMissing = false;
    bool m_reportedUnreadable = false;
    bool m_following = false;
    bool m_resuming = false; // the next file opened must be the one a resume() named
    QTimer m_pollTimer;
    QTimer m_heldNotice; // the watcher's notice, held back until the minimum interval is over
    QElapsedTimer m_sinceRead;
    int m_minReadInterval = 0;
    QFileSystemWatcher *m_watcher = nullptr;
};
