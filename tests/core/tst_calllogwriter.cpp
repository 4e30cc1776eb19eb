#include "calllog/calllogreader.h"
#include "calllog/calllogwriter.h"
#include "calllog/callrecord.h"
#include "unprivileged.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>

#include <csignal>
#include <memory>
#include <optional>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

class tst_CallLogWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendsWholeLines();
    void concurrentProcessesNeverInterleave();
    void threadsSharingOneWriterNeverInterleave();
    void killedWritersLoseAtMostTheRecordInFlight();
    void appendAfterTornTailStartsANewLine();
    void diskFullIsAnErrorNamingThePath();
    void filledDiskKeepsTheLogWhole();
    void failedWriteLeavesTheFileAsItWas();
    void unwritablePlacesAreErrorsNamingThePath_data();
    void unwritablePlacesAreErrorsNamingThePath();
    void logMadeWritableLaterIsUsed();
    void appendWithoutOpenIsAnError();
};

namespace {

const QString childPath = QStringLiteral(OPSBENCH_APPEND_CHILD);

struct ParsedLog
{
    QList<CallRecord> records;
    QList<QByteArray> malformedLines;
    QByteArray tail; // what follows the last newline: a torn line, or nothing
};

ParsedLog parseLog(const QByteArray &content)
{
    ParsedLog log;
    qsizetype start = 0;
    for (qsizetype end = content.indexOf('\n'); end >= 0; end = content.indexOf('\n', start)) {
        const QByteArrayView line = QByteArrayView(content).sliced(start, end - start);
        if (Expected<CallRecord> record = CallRecord::fromJsonLine(line))
            log.records.append(std::move(record).value());
        else
            log.malformedLines.append(line.toByteArray());
        start = end + 1;
    }
    log.tail = content.sliced(start);
    return log;
}

// One call of a log as CallLogReader found it, with its writer (the feature) and the writer's
// number for it (extra "seq") read back from the line.
struct NumberedCall
{
    QString tag;
    qint64 seq = -1;
    QString requestId;
    bool paddingIntact = false; // the padding is the tag's letter and nothing else
};

// What CallLogReader makes of `content` from byte `from`, the start of line `lineNumber`.
struct CheckedLines
{
    QList<NumberedCall> calls;
    QList<qint64> malformedOffsets;
    qint64 incompleteTailOffset = -1; // -1: the bytes end with a newline
    qint64 lineCount = 0;
};

CheckedLines checkLines(CallLogReader &reader, const QByteArray &content, qint64 from,
                        qint64 lineNumber)
{
    CheckedLines checked;
    const QByteArrayView all(content);
    reader.scanBytes(all.sliced(from), from, lineNumber, [&](const LogLine &line) {
        ++checked.lineCount;
        if (line.kind == LogLine::Kind::Malformed) {
            checked.malformedOffsets.append(line.offset);
        } else if (line.kind == LogLine::Kind::IncompleteTail) {
            checked.incompleteTailOffset = line.offset;
        } else if (line.kind == LogLine::Kind::Record) {
            NumberedCall call;
            if (const Expected<CallRecord> record =
                    CallRecord::fromJsonLine(all.sliced(line.offset, line.length))) {
                call.tag = record->feature;
                call.seq = record->extra.value("seq"_L1).toInteger(-1);
                call.requestId = record->requestId;
                const QString padding = record->extra.value("padding"_L1).toString();
                call.paddingIntact = !call.tag.isEmpty() && !padding.isEmpty()
                                     && padding.count(call.tag.at(0)) == padding.size();
            }
            checked.calls.append(call);
        }
    });
    return checked;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

CallRecord numberedRecord(const QString &feature, qint64 seq)
{
    CallRecord record;
    record.requestId = CallRecord::newRequestId();
    record.timestamp = QDateTime::currentDateTimeUtc();
    record.model = u"claude-haiku-4-5"_s;
    record.feature = feature;
    record.inputTokens = 10;
    record.outputTokens = 2;
    record.latencyMs = 1;
    record.extra.insert(u"seq"_s, seq);
    return record;
}

// Polls every millisecond rather than QTRY's 50: a child writing at full speed adds megabytes in
// 50 ms, and the test would check (and keep) a far larger file than it needs.
bool waitForSize(const QString &path, qint64 size)
{
    const QDeadlineTimer deadline(20'000);
    while (QFileInfo(path).size() < size) {
        if (deadline.hasExpired())
            return false;
        QTest::qWait(1);
    }
    return true;
}

std::unique_ptr<QProcess> startChild(const QStringList &arguments)
{
    auto child = std::make_unique<QProcess>();
    child->setProcessChannelMode(QProcess::ForwardedOutputChannel);
    child->start(childPath, arguments);
    return child;
}

// Lowers the largest file this process may write, and ignores the SIGXFSZ that crossing it
// raises, so that a write fails part way exactly as it does on a full disk.
class FileSizeLimit
{
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        ::getrlimit(RLIMIT_FSIZE, &m_saved);
        m_savedHandler = std::signal(SIGXFSZ, SIG_IGN);
        const rlimit lowered{bytes, m_saved.rlim_max};
        m_ok = ::setrlimit(RLIMIT_FSIZE, &lowered) == 0;
    }
    ~FileSizeLimit()
    {
        ::setrlimit(RLIMIT_FSIZE, &m_saved);
        std::signal(SIGXFSZ, m_savedHandler);
    }
    Q_DISABLE_COPY_MOVE(FileSizeLimit)

    bool isActive() const { return m_ok; }

private:
    rlimit m_saved{};
    void (*m_savedHandler)(int) = nullptr;
    bool m_ok = false;
};

// A file system that really fills up: a small tmpfs, mounted in a private mount namespace of a
// child process so that nothing outside the test sees it. This process reaches it through the
// child's root, /proc/<pid>/root. It takes the unshare tool and the right to mount (root in
// a container that allows it); folder() is empty and problem() says why when it is not there.
class SmallTmpfs
{
public:
    SmallTmpfs(const QString &mountPoint, int kilobytes)
    {
        // The child mounts, says so, and then waits on its input for as long as it is needed.
        const QString script = u"mount -t tmpfs -o size=%1k opsbench-test \"$1\" "
                               u"&& echo mounted && exec cat"_s.arg(kilobytes);
        m_holder.start(u"unshare"_s, {u"--mount"_s, u"sh"_s, u"-c"_s, script, u"sh"_s, mountPoint});
        const QDeadlineTimer deadline(10'000);
        m_holder.waitForStarted();
        while (m_holder.state() == QProcess::Running && !m_holder.canReadLine()
               && !deadline.hasExpired())
            m_holder.waitForReadyRead(int(deadline.remainingTime()));
        if (m_holder.readLine().trimmed() == "mounted") {
            m_folder = u"/proc/%1/root%2"_s.arg(m_holder.processId()).arg(mountPoint);
        } else {
            if (!m_holder.waitForFinished(5000))
                m_holder.kill();
            m_problem = m_holder.error() == QProcess::FailedToStart
                            ? u"unshare is not installed"_s
                            : QString::fromLocal8Bit(m_holder.readAllStandardError()).trimmed();
        }
    }
    ~SmallTmpfs()
    {
        // End of input ends the child, and with it the namespace and the mount.
        m_holder.closeWriteChannel();
        if (m_holder.state() != QProcess::NotRunning && !m_holder.waitForFinished(5000))
            m_holder.kill();
    }
    Q_DISABLE_COPY_MOVE(SmallTmpfs)

    QString folder() const { return m_folder; }
    QString problem() const { return m_problem; }

private:
    QProcess m_holder;
    QString m_folder;
    QString m_problem;
};

} // namespace

void tst_CallLogWriter::appendsWholeLines()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    CallLogWriter writer;
    writer.setSyncEachRecord(true);
    const CallRecord first = numberedRecord(u"a"_s, 0);
    const CallRecord second = numberedRecord(u"a"_s, 1);

    const Expected<void> opened = writer.open(path);
    const Expected<void> appendedFirst = writer.append(first);
    const Expected<void> appendedSecond = writer.append(second);

    QVERIFY2(opened.hasValue(), qPrintable(opened ? QString() : opened.error()));
    QVERIFY(appendedFirst.hasValue() && appendedSecond.hasValue());
    QCOMPARE(writer.path(), path);
    QCOMPARE(readAll(path), first.toJsonLine() + second.toJsonLine());
    const mode_t umask = ::umask(0);
    ::umask(umask);
    struct stat status;
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &status), 0);
    QCOMPARE(status.st_mode & 0777, 0644 & ~umask);
}

void tst_CallLogWriter::concurrentProcessesNeverInterleave()
{
    constexpr int writerCount = 4;
    constexpr int recordsEach = 5000;
    // Lines of about 1.3 kB: long enough that a write split in two would show, short enough
    // that 20,000 of them stay quick to write and check.
    constexpr int paddingBytes = 1000;
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    const QStringList tags = {u"a"_s, u"b"_s, u"c"_s, u"d"_s};
    QCOMPARE(tags.size(), writerCount);

    std::vector<std::unique_ptr<QProcess>> children;
    for (const QString &tag : tags) {
        children.push_back(
            startChild({path, tag, QString::number(recordsEach), QString::number(paddingBytes)}));
    }
    for (const auto &child : children) {
        QVERIFY(child->waitForFinished(60'000));
        QCOMPARE(child->exitStatus(), QProcess::NormalExit);
        QCOMPARE(child->exitCode(), 0);
    }

    CallLogReader reader(PriceBook::builtIn());
    const CheckedLines lines = checkLines(reader, readAll(path), 0, 1);
    // 4 writers x 5,000 records = 20,000 lines, every one a whole call.
    QCOMPARE(lines.lineCount, qint64(writerCount * recordsEach));
    QCOMPARE(lines.calls.size(), qsizetype(writerCount * recordsEach));
    QVERIFY(lines.malformedOffsets.isEmpty());
    QCOMPARE(lines.incompleteTailOffset, -1);
    // Each writer's records appear in the order it wrote them, with none missing or doubled.
    QHash<QString, qint64> next;
    qsizetype turns = 0;
    for (qsizetype i = 0; i < lines.calls.size(); ++i) {
        const NumberedCall &call = lines.calls.at(i);
        QVERIFY2(call.paddingIntact, qPrintable(call.requestId));
        QCOMPARE(call.seq, next.value(call.tag));
        next[call.tag] = call.seq + 1;
        turns += i > 0 && call.tag != lines.calls.at(i - 1).tag;
    }
    for (const QString &tag : tags)
        QCOMPARE(next.value(tag), qint64(recordsEach));
    // How often the file changed hands: a sign that the writers really did write at once.
    qInfo("%d writers x %d records: %lld whole lines, the file changed hands %lld times",
          writerCount, recordsEach, lines.lineCount, qint64(turns));
}

void tst_CallLogWriter::threadsSharingOneWriterNeverInterleave()
{
    constexpr int threadCount = 4;
    constexpr int recordsEach = 500;
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    CallLogWriter writer;
    QVERIFY(writer.open(path).hasValue());

    std::vector<std::unique_ptr<QThread>> threads;
    QAtomicInt failures;
    for (int t = 0; t < threadCount; ++t) {
        threads.emplace_back(QThread::create([&writer, &failures, t] {
            for (int seq = 0; seq < recordsEach; ++seq) {
                if (!writer.append(numberedRecord(QString::number(t), seq)))
                    failures.ref();
            }
        }));
        threads.back()->start();
    }
    for (const auto &thread : threads)
        QVERIFY(thread->wait(30'000));

    const ParsedLog log = parseLog(readAll(path));
    QCOMPARE(failures.loadRelaxed(), 0);
    QCOMPARE(log.malformedLines.size(), 0);
    QVERIFY(log.tail.isEmpty());
    QCOMPARE(log.records.size(), threadCount * recordsEach);
}

void tst_CallLogWriter::killedWritersLoseAtMostTheRecordInFlight()
{
    constexpr int kills = 60;
    // Records of 16 kB span pages, so that some kills land inside a write() and tear a line;
    // each writer is killed within about its first six of them.
    constexpr int paddingBytes = 16000;
    constexpr quint32 maxGrowth = 96 * 1024;
    const quint32 seed = qEnvironmentVariableIsSet("OPSBENCH_KILL_SEED")
                             ? quint32(qEnvironmentVariableIntValue("OPSBENCH_KILL_SEED"))
                             : QRandomGenerator::system()->generate();
    qInfo("kill moments drawn from seed %u; OPSBENCH_KILL_SEED=%u replays them", seed, seed);
    QRandomGenerator random(seed);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    CallLogReader reader(PriceBook::builtIn());
    QByteArray before;      // the log as the previous round left it
    qint64 checkFrom = 0;   // the first byte not yet checked: the previous torn tail, or the end
    qint64 lineNumber = 1;  // the number of the line at checkFrom
    qint64 tornTailAt = -1; // where the previous round's torn tail starts, if it left one
    QHash<QString, qint64> nextSeq;
    QSet<QString> requestIds;
    qint64 recordsChecked = 0;
    int tornTails = 0;
    int malformed = 0;

    for (int round = 0; round < kills; ++round) {
        const QString tag = u"k%1"_s.arg(round);
        const auto child = startChild({path, tag, u"forever"_s, QString::number(paddingBytes)});
        QVERIFY(waitForSize(path, before.size() + 1 + random.bounded(maxGrowth)));
        child->kill();
        QVERIFY(child->waitForFinished(10'000));
        QCOMPARE(child->exitStatus(), QProcess::CrashExit);

        const QByteArray content = readAll(path);
        // Writers only append, so every line checked in an earlier round is still there as it
        // was; only the lines from checkFrom on need reading again.
        QVERIFY(content.startsWith(before));
        const CheckedLines lines = checkLines(reader, content, checkFrom, lineNumber);
        // Only the torn tail of the round before, now closed by this writer's newline, may be
        // a line that is not a call.
        for (qint64 offset : lines.malformedOffsets)
            QCOMPARE(offset, tornTailAt);
        malformed += int(lines.malformedOffsets.size());
        for (const NumberedCall &call : lines.calls) {
            QVERIFY2(call.paddingIntact, qPrintable(call.requestId));
            QVERIFY2(!requestIds.contains(call.requestId), qPrintable(call.requestId));
            requestIds.insert(call.requestId);
            // Each writer's numbers run 0, 1, 2... with no gap and no repeat: a kill costs the
            // record in flight and nothing before it.
            QCOMPARE(call.seq, nextSeq.value(call.tag));
            nextSeq[call.tag] = call.seq + 1;
        }
        recordsChecked += lines.calls.size();

        // A kill inside a write() leaves a torn last line, which the reader reports as an
        // incomplete tail rather than as a bad call.
        const qint64 tailStart = content.lastIndexOf('\n') + 1;
        const bool torn = tailStart < content.size();
        QCOMPARE(lines.incompleteTailOffset, torn ? tailStart : -1);
        tornTails += torn;
        tornTailAt = torn ? tailStart : -1;
        lineNumber += lines.lineCount - (torn ? 1 : 0);
        checkFrom = torn ? tailStart : content.size();
        before = content;
    }

    CallLogWriter writer;
    const CallRecord last = numberedRecord(u"after the kills"_s, 0);
    QVERIFY(writer.open(path).hasValue());
    QVERIFY(writer.append(last).hasValue());

    // The whole file, read once more from the top, holds every call counted above and the
    // record appended after the last kill, on a line of its own.
    const QByteArray content = readAll(path);
    QVERIFY(content.endsWith(QByteArray('\n' + last.toJsonLine())));
    const CheckedLines closing = checkLines(reader, content, checkFrom, lineNumber);
    for (qint64 offset : closing.malformedOffsets)
        QCOMPARE(offset, tornTailAt);
    QCOMPARE(closing.calls.last().requestId, last.requestId);
    malformed += int(closing.malformedOffsets.size());
    recordsChecked += closing.calls.size();
    qint64 calls = 0;
    qint64 badLines = 0;
    qint64 tails = 0;
    const Expected<void> scanned = reader.scan(path, [&](const LogLine &line) {
        calls += line.kind == LogLine::Kind::Record;
        badLines += line.kind == LogLine::Kind::Malformed;
        tails += line.kind == LogLine::Kind::IncompleteTail;
    });
    QVERIFY(scanned.hasValue());
    QCOMPARE(calls, recordsChecked);
    QCOMPARE(badLines, qint64(malformed));
    QCOMPARE(tails, 0);
    qInfo("%d kills: %lld records checked, %d torn tails (%d closed as bad lines), %lld bytes",
          kills, recordsChecked, tornTails, malformed, qint64(content.size()));
}

void tst_CallLogWriter::appendAfterTornTailStartsANewLine()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    const QByteArray before = numberedRecord(u"a"_s, 0).toJsonLine()
                              + R"({"request_id":"torn","model":"claude-haiku-4-5","inp)";
    QVERIFY(writeFile(path, before));
    const CallRecord first = numberedRecord(u"b"_s, 0);
    const CallRecord second = numberedRecord(u"b"_s, 1);
    CallLogWriter writer;

    QVERIFY(writer.open(path).hasValue());
    QVERIFY(writer.append(first).hasValue());
    QVERIFY(writer.append(second).hasValue());

    // One newline closes the torn fragment; the second record needs none.
    QCOMPARE(readAll(path), before + '\n' + first.toJsonLine() + second.toJsonLine());
}

void tst_CallLogWriter::diskFullIsAnErrorNamingThePath()
{
    const QString path = u"/dev/full"_s;
    if (!QFileInfo::exists(path))
        QSKIP("this system has no /dev/full");
    CallLogWriter writer;

    const Expected<void> opened = writer.open(path);
    const Expected<void> appended = writer.append(numberedRecord(u"a"_s, 0));

    QVERIFY2(opened.hasValue(), qPrintable(opened ? QString() : opened.error()));
    QVERIFY(!appended.hasValue());
    QVERIFY2(appended.error().startsWith(path + u':'), qPrintable(appended.error()));
    QVERIFY2(appended.error().contains("No space left"_L1), qPrintable(appended.error()));
}

void tst_CallLogWriter::filledDiskKeepsTheLogWhole()
{
    // A real full disk where this machine allows one; otherwise a lowered file size limit,
    // which makes write() fail part way in the same manner.
    QTemporaryDir dir;
    const QString mountPoint = dir.filePath(u"disk"_s);
    QVERIFY(QDir(dir.path()).mkdir(u"disk"_s));
    const SmallTmpfs tmpfs(mountPoint, 64);
    const bool realDisk = !tmpfs.folder().isEmpty();
    if (realDisk)
        qInfo("filling a 64 kB tmpfs mounted in a private mount namespace");
    else
        qInfo("no tmpfs here (%s); a 64 kB file size limit stands in for a full disk",
              qPrintable(tmpfs.problem()));
    const QString folder = realDisk ? tmpfs.folder() : mountPoint;
    const QString path = folder + u"/llm_calls.jsonl"_s;
    // Space to give back later, as a person deleting something would.
    const QString ballast = folder + u"/ballast"_s;
    QVERIFY(writeFile(ballast, QByteArray(16 * 1024, 'x')));
    std::optional<FileSizeLimit> limit;
    if (!realDisk) {
        limit.emplace(64 * 1024);
        QVERIFY(limit->isActive());
    }
    CallLogWriter writer;
    QVERIFY(writer.open(path).hasValue());

    // 3 kB records: somewhere below 64 kB one no longer fits, and the disk takes part of it.
    QByteArray accepted;
    Expected<void> appended;
    for (int seq = 0; seq < 100 && appended; ++seq) {
        CallRecord record = numberedRecord(u"f"_s, seq);
        record.extra.insert(u"padding"_s, QString(3000, u'f'));
        appended = writer.append(record);
        if (appended)
            accepted += record.toJsonLine();
    }

    QVERIFY(!appended.hasValue());
    QVERIFY2(appended.error().startsWith(path + u':'), qPrintable(appended.error()));
    const QString reason = realDisk ? u"No space left"_s : u"File too large"_s;
    QVERIFY2(appended.error().contains(reason), qPrintable(appended.error()));
    // The records written before are all there, byte for byte, and nothing of the one that
    // did not fit.
    QVERIFY(accepted.size() > 0);
    QCOMPARE(readAll(path), accepted);
    CallLogReader reader(PriceBook::builtIn());
    const CheckedLines lines = checkLines(reader, accepted, 0, 1);
    QCOMPARE(lines.calls.size(), accepted.count('\n'));
    QVERIFY(lines.malformedOffsets.isEmpty());
    QCOMPARE(lines.incompleteTailOffset, -1);

    if (realDisk)
        QVERIFY(QFile::remove(ballast));
    else
        limit.reset();
    const CallRecord afterwards = numberedRecord(u"f"_s, 100);
    const Expected<void> appendedAfterwards = writer.append(afterwards);

    QVERIFY2(appendedAfterwards.hasValue(),
             qPrintable(appendedAfterwards ? QString() : appendedAfterwards.error()));
    QCOMPARE(readAll(path), accepted + afterwards.toJsonLine());
    qInfo("%lld records (%lld bytes) fitted before the disk was full", qint64(lines.calls.size()),
          qint64(accepted.size()));
}

void tst_CallLogWriter::failedWriteLeavesTheFileAsItWas()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    const QByteArray before = numberedRecord(u"a"_s, 0).toJsonLine();
    QVERIFY(writeFile(path, before));
    CallLogWriter writer;
    QVERIFY(writer.open(path).hasValue());

    Expected<void> appended;
    {
        // Room for 100 more bytes: the kernel takes part of the record, then refuses the rest.
        const FileSizeLimit limit(rlim_t(before.size() + 100));
        QVERIFY(limit.isActive());
        appended = writer.append(numberedRecord(u"a"_s, 1));
    }

    QVERIFY(!appended.hasValue());
    QVERIFY2(appended.error().startsWith(path + u':'), qPrintable(appended.error()));
    QVERIFY2(appended.error().contains("File too large"_L1), qPrintable(appended.error()));
    QCOMPARE(readAll(path), before);
    QVERIFY(writer.append(numberedRecord(u"a"_s, 2)).hasValue());
    QCOMPARE(parseLog(readAll(path)).records.size(), 2);
}

void tst_CallLogWriter::unwritablePlacesAreErrorsNamingThePath_data()
{
    QTest::addColumn<QString>("place");
    QTest::addColumn<QString>("reason");

    QTest::newRow("read-only file") << u"read-only file"_s << u"Permission denied"_s;
    QTest::newRow("read-only folder") << u"read-only folder"_s << u"Permission denied"_s;
    QTest::newRow("missing folder") << u"missing folder"_s << u"No such file or directory"_s;
    QTest::newRow("a folder") << u"a folder"_s << u"Is a directory"_s;
}

void tst_CallLogWriter::unwritablePlacesAreErrorsNamingThePath()
{
    QFETCH(QString, place);
    QFETCH(QString, reason);
    // Group and others get the same bits: an unprivileged root process keeps group root.
    const QFile::Permissions readable = QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther;
    const QFile::Permissions searchable = QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther;
    QTemporaryDir dir;
    QVERIFY(QFile::setPermissions(dir.path(), readable | searchable | QFile::WriteOwner));
    const QByteArray existing = numberedRecord(u"a"_s, 0).toJsonLine();
    QString path = dir.filePath(u"llm_calls.jsonl"_s);
    if (place == "read-only file"_L1) {
        QVERIFY(writeFile(path, existing));
        QVERIFY(QFile::setPermissions(path, readable));
    } else if (place == "read-only folder"_L1) {
        QVERIFY(QDir(dir.path()).mkdir(u"locked"_s));
        QVERIFY(QFile::setPermissions(dir.filePath(u"locked"_s), readable | searchable));
        path = dir.filePath(u"locked/llm_calls.jsonl"_s);
    } else if (place == "missing folder"_L1) {
        path = dir.filePath(u"missing/llm_calls.jsonl"_s);
    } else {
        path = dir.path();
    }
    const bool existed = QFileInfo(path).isFile();

    Expected<void> opened;
    Expected<void> appended;
    {
        const Unprivileged unprivileged;
        if (!unprivileged.isActive())
            QSKIP("running as root and cannot drop to an unprivileged user");
        CallLogWriter writer;
        opened = writer.open(path);
        QVERIFY(!writer.isOpen());
        appended = writer.append(numberedRecord(u"a"_s, 1));
    }

    // The append tries the file again, and fails for the same reason, naming it.
    for (const Expected<void> &result : {opened, appended}) {
        QVERIFY(!result.hasValue());
        QVERIFY2(result.error().startsWith(path + u':'), qPrintable(result.error()));
        QVERIFY2(result.error().contains(reason), qPrintable(result.error()));
    }
    QCOMPARE(QFileInfo(path).isFile(), existed);
    if (existed)
        QCOMPARE(readAll(path), existing);
}

void tst_CallLogWriter::logMadeWritableLaterIsUsed()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    const QByteArray existing = numberedRecord(u"a"_s, 0).toJsonLine();
    QVERIFY(writeFile(path, existing));
    const QFile::Permissions readable = QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther;
    const QFile::Permissions searchable = QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther;
    QVERIFY(QFile::setPermissions(dir.path(), readable | searchable | QFile::WriteOwner));
    QVERIFY(QFile::setPermissions(path, readable));
    CallLogWriter writer;
    const CallRecord record = numberedRecord(u"a"_s, 1);

    Expected<void> opened;
    Expected<void> appendedReadOnly;
    Expected<void> appendedWritable;
    {
        const Unprivileged unprivileged;
        if (!unprivileged.isActive())
            QSKIP("running as root and cannot drop to an unprivileged user");
        opened = writer.open(path);
        appendedReadOnly = writer.append(numberedRecord(u"a"_s, 9));
    }
    // Every one may write it now, as if a person had fixed its permissions.
    QVERIFY(QFile::setPermissions(path, readable | QFile::WriteOwner | QFile::WriteGroup
                                            | QFile::WriteOther));
    {
        const Unprivileged unprivileged;
        appendedWritable = writer.append(record);
    }

    QVERIFY(!opened.hasValue());
    QVERIFY(!appendedReadOnly.hasValue());
    QVERIFY2(appendedReadOnly.error().contains("Permission denied"_L1),
             qPrintable(appendedReadOnly.error()));
    QVERIFY2(appendedWritable.hasValue(),
             qPrintable(appendedWritable ? QString() : appendedWritable.error()));
    QVERIFY(writer.isOpen());
    QCOMPARE(readAll(path), existing + record.toJsonLine());
}

void tst_CallLogWriter::appendWithoutOpenIsAnError()
{
    CallLogWriter writer;

    const Expected<void> appended = writer.append(numberedRecord(u"a"_s, 0));

    QVERIFY(!appended.hasValue());
    QVERIFY2(appended.error().contains("no call log is open"_L1), qPrintable(appended.error()));
}

QTEST_GUILESS_MAIN(tst_CallLogWriter)
#include "tst_calllogwriter.moc"
