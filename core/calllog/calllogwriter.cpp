#include "calllogwriter.h"

#include "calllog/callrecord.h"
#include "common/logging.h"

#include <QFile>
#include <QMutexLocker>

#include <cerrno>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace {

// Repeats a system call that a signal interrupted before it did anything.
template<typename Call>
auto retryOnInterrupt(Call call)
{
    auto result = call();
    while (result == -1 && errno == EINTR)
        result = call();
    return result;
}

// Holds an exclusive flock() on a descriptor while it lives. The lock belongs to the open file
// description, so it also keeps apart two writers of the same file inside one process, and
// the kernel drops it when a writer dies.
class AppendLock
{
public:
    explicit AppendLock(int fd)
        : m_fd(fd)
        , m_locked(retryOnInterrupt([fd] { return ::flock(fd, LOCK_EX); }) == 0)
    {}
    ~AppendLock()
    {
        if (m_locked)
            ::flock(m_fd, LOCK_UN);
    }
    Q_DISABLE_COPY_MOVE(AppendLock)

    bool isLocked() const { return m_locked; }

private:
    int m_fd;
    bool m_locked;
};

} // namespace

CallLogWriter::~CallLogWriter()
{
    close();
}

Expected<void> CallLogWriter::open(const QString &path)
{
    QMutexLocker locker(&m_mutex);
    closeLocked();
    m_path = path;
    return openLocked();
}

Expected<void> CallLogWriter::openLocked()
{
    // Read access as well, because append() reads the last byte to find a line torn by a crash.
    const QByteArray nativePath = QFile::encodeName(m_path);
    const int fd = retryOnInterrupt([&nativePath] {
        return ::open(nativePath.constData(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    });
    if (fd < 0) {
        const int error = errno;
        return fail(u"%1: cannot open the call log for appending: %2"_s.arg(
            m_path, qt_error_string(error)));
    }

    m_fd = fd;
    qCDebug(lcLog) << "appending call records to" << m_path;
    return {};
}

Expected<void> CallLogWriter::append(const CallRecord &record)
{
    const QByteArray line = record.toJsonLine();

    QMutexLocker locker(&m_mutex);
    if (m_path.isEmpty())
        return fail(u"cannot append a call record: no call log is open"_s);
    if (m_fd < 0) {
        if (const Expected<void> opened = openLocked(); !opened)
            return opened;
    }
    return appendLocked(line);
}

Expected<void> CallLogWriter::appendLocked(const QByteArray &line)
{
    const auto failure = [this](const QString &what, int error) {
        return fail(u"%1: %2: %3"_s.arg(m_path, what, qt_error_string(error)));
    };

    const AppendLock lock(m_fd);
    if (!lock.isLocked())
        return failure(u"cannot lock the call log"_s, errno);

    struct stat status;
    if (::fstat(m_fd, &status) != 0)
        return failure(u"cannot read the size of the call log"_s, errno);
    const off_t sizeBefore = status.st_size;

    QByteArray bytes = line;
    if (sizeBefore > 0) {
        char last = 0;
        if (retryOnInterrupt([&] { return ::pread(m_fd, &last, 1, sizeBefore - 1); }) != 1)
            return failure(u"cannot read the end of the call log"_s, errno);
        // A writer died mid-line: leave its fragment on a line of its own, so that readers
        // lose that one record and not this one too.
        if (last != '\n') {
            qCDebug(lcLog) << m_path << "ends with a torn line; starting a new one";
            bytes.prepend('\n');
        }
    }

    // One write() puts the whole line out at once; only a short count makes it loop.
    qsizetype written = 0;
    while (written < bytes.size()) {
        const ssize_t count =
            ::write(m_fd, bytes.constData() + written, size_t(bytes.size() - written));
        if (count < 0 && errno == EINTR)
            continue;
        if (count <= 0) {
            const int error = count < 0 ? errno : EIO;
            QString what = u"cannot append a call record"_s;
            // Cut back a partial line so that the file holds only whole records. A file that
            // cannot be truncated (a device such as /dev/full) had nothing written to it.
            if (written > 0 && ::ftruncate(m_fd, sizeBefore) != 0) {
                what += u" (and the partial record could not be removed: %1)"_s.arg(
                    qt_error_string(errno));
            }
            return failure(what, error);
        }
        written += count;
    }

    if (m_syncEachRecord && ::fdatasync(m_fd) != 0)
        return failure(u"the call record was written but not flushed to disk"_s, errno);
    return {};
}

void CallLogWriter::setSyncEachRecord(bool sync)
{
    QMutexLocker locker(&m_mutex);
    m_syncEachRecord = sync;
}

bool CallLogWriter::syncEachRecord() const
{
    QMutexLocker locker(&m_mutex);
    return m_syncEachRecord;
}

QString CallLogWriter::path() const
{
    QMutexLocker locker(&m_mutex);
    return m_path;
}

bool CallLogWriter::isOpen() const
{
    QMutexLocker locker(&m_mutex);
    return m_fd >= 0;
}

void CallLogWriter::close()
{
    QMutexLocker locker(&m_mutex);
    closeLocked();
}

void CallLogWriter::closeLocked()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_path.clear();
}
