#include "logfilefollower.h"

#include "common/logging.h"

#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>

#include <sys/stat.h>

#include <algorithm>
#include <utility>

using namespace Qt::Literals::StringLiterals;

LogFileFollower::LogFileFollower(QObject *parent)
    : QObject(parent)
{
    m_pollTimer.setInterval(250);
    connect(&m_pollTimer, &QTimer::timeout, this, &LogFileFollower::poll);
    m_heldNotice.setSingleShot(true);
    connect(&m_heldNotice, &QTimer::timeout, this, &LogFileFollower::poll);
}

LogFileFollower::~LogFileFollower() = default;

void LogFileFollower::start(const QString &path)
{
    stop();
    follow(path);
}

void LogFileFollower::resume(const QString &path, const ResumePoint &from)
{
    stop();
    m_identity = Identity{from.device, from.inode};
    m_offset = m_readOffset = from.offset;
    m_lineNumber = from.lineNumber;
    m_resuming = true;
    follow(path);
}

void LogFileFollower::follow(const QString &path)
{
    m_path = path;
    m_following = true;
    m_watcher = new QFileSystemWatcher(this);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this,
            &LogFileFollower::onFileSystemNotice);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this,
            &LogFileFollower::onFileSystemNotice);
    watchPath();
    m_pollTimer.start();
    poll();
}

void LogFileFollower::stop()
{
    m_following = false;
    m_pollTimer.stop();
    m_heldNotice.stop();
    if (m_watcher) {
        // Later, not now: stop() may be called from a slot of the watcher's own signal.
        m_watcher->disconnect(this);
        m_watcher->deleteLater();
        m_watcher = nullptr;
    }
    closeFile();
    m_pending.clear();
    m_identity = Identity();
    m_offset = m_readOffset = m_lineNumber = 0;
    m_reportedMissing = m_reportedUnreadable = false;
    m_resuming = false;
}

void LogFileFollower::setPollInterval(int milliseconds)
{
    m_pollTimer.setInterval(milliseconds);
}

void LogFileFollower::setMinReadInterval(int milliseconds)
{
    m_minReadInterval = std::max(0, milliseconds);
}

void LogFileFollower::onFileSystemNotice()
{
    const qint64 sinceRead = m_sinceRead.isValid() ? m_sinceRead.elapsed() : -1;
    if (sinceRead < 0 || sinceRead >= m_minReadInterval) {
        poll();
        return;
    }
    // Notices that come while this one is held are answered by the same read.
    if (!m_heldNotice.isActive())
        m_heldNotice.start(int(m_minReadInterval - sinceRead));
}

void LogFileFollower::poll()
{
    if (!m_following)
        return;
    m_heldNotice.stop();
    m_sinceRead.start();

    struct stat status;
    if (::stat(QFile::encodeName(m_path).constData(), &status) != 0) {
        if (m_file || !m_reportedMissing) {
            closeFile();
            m_reportedMissing = true;
            qCDebug(lcLog) << "followed log is gone:" << m_path;
            Q_EMIT fileRemoved();
        }
        return;
    }
    const Identity identity{quint64(status.st_dev), quint64(status.st_ino)};

    if (!m_file) {
        // Lines of a file that disappeared were already handed over; the new file starts over.
        const Identity previous = m_identity;
        if (!openFile())
            return;
        if (std::exchange(m_resuming, false)) {
            if (m_identity != previous)
                restart(RestartReason::Replaced);
            else if (status.st_size < m_readOffset)
                restart(RestartReason::Truncated);
        } else if (previous != Identity()) {
            restart(RestartReason::Recreated);
        }
    } else if (identity != m_identity) {
        closeFile();
        if (!openFile())
            return;
        restart(RestartReason::Replaced);
    } else if (status.st_size < m_readOffset) {
        restart(RestartReason::Truncated);
    }
    if (!m_following)
        return; // a slot connected to restarted() stopped us
    readAvailable();
}

bool LogFileFollower::openFile()
{
    auto file = std::make_unique<QFile>(m_path);
    // Unbuffered, so that reading again after the end sees what was appended since.
    if (!file->open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        if (!m_reportedUnreadable) {
            m_reportedUnreadable = true;
            Q_EMIT readFailed(u"%1: cannot read the log: %2"_s.arg(m_path, file->errorString()));
        }
        return false;
    }
    struct stat status;
    if (::fstat(file->handle(), &status) != 0)
        return false;
    m_identity = Identity{quint64(status.st_dev), quint64(status.st_ino)};
    m_file = std::move(file);
    m_reportedMissing = m_reportedUnreadable = false;
    watchPath();
    return true;
}

void LogFileFollower::closeFile()
{
    m_file.reset();
}

void LogFileFollower::restart(RestartReason reason)
{
    qCDebug(lcLog) << "followed log restarts:" << reason << m_path;
    m_pending.clear();
    m_offset = m_readOffset = m_lineNumber = 0;
    Q_EMIT restarted(reason);
}

void LogFileFollower::readAvailable()
{
    if (!m_file->seek(m_readOffset))
        return;
    const QByteArray chunk = m_file->read(m_maxBytesPerPoll);
    if (chunk.isEmpty())
        return;
    m_readOffset += chunk.size();
    m_pending += chunk;

    const qsizetype lastNewline = m_pending.lastIndexOf('\n');
    if (lastNewline >= 0) {
        const QByteArray lines = m_pending.first(lastNewline + 1);
        m_pending.remove(0, lastNewline + 1);
        const qint64 firstLineOffset = m_offset;
        const qint64 firstLineNumber = m_lineNumber + 1;
        m_offset += lines.size();
        m_lineNumber += lines.count('\n');
        Q_EMIT linesAppended(lines, firstLineOffset, firstLineNumber);
    }

    // More may be waiting: continue on the next turn of the event loop, not in this one.
    if (m_following && chunk.size() == m_maxBytesPerPoll)
        QTimer::singleShot(0, this, &LogFileFollower::poll);
}

void LogFileFollower::watchPath()
{
    if (!m_watcher)
        return;
    // The folder tells of the file's creation and replacement, the file of its growth.
    const QString folder = QFileInfo(m_path).absolutePath();
    if (!m_watcher->directories().contains(folder))
        m_watcher->addPath(folder);
    if (QFile::exists(m_path) && !m_watcher->files().contains(m_path))
        m_watcher->addPath(m_path);
}
