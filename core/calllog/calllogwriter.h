#pragma once

#include "common/expected.h"

#include <QMutex>
#include <QString>

struct CallRecord;

// Appends CallRecords to a log file, one whole line each, so that the file stays readable
// whatever happens to the writers:
// - several processes, threads and writer objects may append to the same file at once; each
//   line goes out in one write() under an exclusive flock(), so lines never interleave;
// - a writer killed mid-line leaves at most a torn last line, and the next append starts on a
//   fresh line after it, so one crash costs one record, never the ones around it;
// - a failed write (disk full, I/O error) is cut back to where the file ended before it, so
//   nothing half-written stays and nothing already there is lost; append() returns the
//   reason, naming the file.
// All writers of a file must go through flock() for these promises to hold (every
// CallLogWriter does). The writer owns its file descriptor and closes it on destruction.
class CallLogWriter
{
public:
    CallLogWriter() = default;
    ~CallLogWriter();
    Q_DISABLE_COPY_MOVE(CallLogWriter)

    // Opens `path` for appending, creating it (mode 0644, before the umask) if it is missing;
    // the folder must exist. A writer that is already open closes its old file first. When the
    // file cannot be opened, the writer keeps the path and append() tries again, so a log that
    // is made writable later is used from the next record on.
    Expected<void> open(const QString &path);

    Expected<void> append(const CallRecord &record);

    // Off (the default): a record that append() accepted survives the crash or kill of this
    // process, since it is in the kernel's page cache, but a power cut or kernel crash may
    // lose the last few seconds of records. On: append() also waits for fdatasync(), so an
    // accepted record survives a power cut as well, at the cost of a disk flush per record.
    void setSyncEachRecord(bool sync);
    bool syncEachRecord() const;

    // The path given to open(), also when opening it failed.
    QString path() const;
    bool isOpen() const;
    void close();

private:
    Expected<void> openLocked();
    Expected<void> appendLocked(const QByteArray &line);
    void closeLocked();

    mutable QMutex m_mutex;
    QString m_path;
    int m_fd = -1;
    bool m_syncEachRecord = false;
};
