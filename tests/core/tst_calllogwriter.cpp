#include "calllog/calllogwriter.h"
#include "calllog/callrecord.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>
#include <memory>

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
    void killedWritersLeaveAtMostATornTail();
    void appendAfterTornTailStartsANewLine();
    void diskFullIsAnErrorNamingThePath();
    void failedWriteLeavesTheFileAsItWas();
    void unwritablePlacesAreErrorsNamingThePath_data();
    void unwritablePlacesAreErrorsNamingThePath();
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

// Root writes through any permission bits, so a test of refused writes runs as "nobody" while
// it lives; the effective id goes back to root when it ends.
class Unprivileged
{
public:
    Unprivileged()
        : m_wasRoot(::geteuid() == 0)
        , m_ok(!m_wasRoot || ::seteuid(nobody) == 0)
    {}
    ~Unprivileged()
    {
        if (m_wasRoot && m_ok && ::seteuid(0) != 0)
            qFatal("cannot return to the root user");
    }
    Q_DISABLE_COPY_MOVE(Unprivileged)

    bool isActive() const { return m_ok; }

private:
    static constexpr uid_t nobody = 65534;
    bool m_wasRoot;
    bool m_ok;
};

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
    constexpr int recordsEach = 2000;
    constexpr int paddingBytes = 4096; // a page per line, so that a torn or spliced write shows
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    const QStringList tags = {u"a"_s, u"b"_s};

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

    const ParsedLog log = parseLog(readAll(path));
    QCOMPARE(log.malformedLines.size(), 0);
    QVERIFY(log.tail.isEmpty());
    QCOMPARE(log.records.size(), recordsEach * tags.size());
    for (const QString &tag : tags) {
        QSet<qint64> seen;
        const QString padding(paddingBytes, tag.at(0));
        for (const CallRecord &record : log.records) {
            if (record.feature != tag)
                continue;
            QCOMPARE(record.extra.value("padding"_L1).toString(), padding);
            seen.insert(record.extra.value("seq"_L1).toInteger(-1));
        }
        QCOMPARE(seen.size(), recordsEach);
        QVERIFY(!seen.contains(-1));
        QVERIFY(*std::min_element(seen.cbegin(), seen.cend()) == 0);
        QVERIFY(*std::max_element(seen.cbegin(), seen.cend()) == recordsEach - 1);
    }
    // How often the file changes hands: a sign that the two really did write at the same time.
    qsizetype turns = 0;
    for (qsizetype i = 1; i < log.records.size(); ++i)
        turns += log.records.at(i).feature != log.records.at(i - 1).feature;
    qDebug("the writers took turns %lld times", qint64(turns));
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

void tst_CallLogWriter::killedWritersLeaveAtMostATornTail()
{
    constexpr int rounds = 20;
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    QList<QByteArray> tornTails;
    qint64 sizeBefore = 0;

    for (int round = 0; round < rounds; ++round) {
        // Records of 16 kB span several pages, so that some kills land inside a write() and
        // tear a line, which is the case this test is about.
        const auto child = startChild({path, u"k%1"_s.arg(round), u"forever"_s, u"16000"_s});
        // Kill it once it has added a random amount, within its first 16 records or so.
        const qint64 killAt = sizeBefore + 1 + QRandomGenerator::global()->bounded(256 * 1024);
        QVERIFY(waitForSize(path, killAt));
        child->kill();
        QVERIFY(child->waitForFinished(10'000));
        QCOMPARE(child->exitStatus(), QProcess::CrashExit);

        const QByteArray content = readAll(path);
        const ParsedLog log = parseLog(content);
        // A line may fail to parse only if it is the torn tail of an earlier round, which the
        // next writer closed with a newline.
        for (const QByteArray &line : log.malformedLines)
            QVERIFY2(tornTails.contains(line), line.left(200).constData());
        QSet<QString> ids;
        for (const CallRecord &record : log.records)
            ids.insert(record.requestId);
        QCOMPARE(ids.size(), log.records.size());
        if (!log.tail.isEmpty())
            tornTails.append(log.tail);
        sizeBefore = content.size();
    }

    CallLogWriter writer;
    const CallRecord last = numberedRecord(u"after the kills"_s, 0);
    QVERIFY(writer.open(path).hasValue());
    QVERIFY(writer.append(last).hasValue());

    const QByteArray content = readAll(path);
    const ParsedLog log = parseLog(content);
    QVERIFY(log.tail.isEmpty());
    QCOMPARE(log.records.last().requestId, last.requestId);
    QVERIFY(content.endsWith(QByteArray('\n' + last.toJsonLine())));
    qDebug("%lld bytes, %lld records after %d kills, %lld torn tails", qint64(content.size()),
           qint64(log.records.size()), rounds, qint64(tornTails.size()));
}

void tst_CallLogWriter::appendAfterTornTailStartsANewLine()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm_calls.jsonl"_s);
    const QByteArray before = numberedRecord(u"a"_s, 0).toJsonLine() +
                              R"({"request_id":"torn","model":"claude-haiku-4-5","inp)";
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
    {
        const Unprivileged unprivileged;
        if (!unprivileged.isActive())
            QSKIP("running as root and cannot drop to an unprivileged user");
        CallLogWriter writer;
        opened = writer.open(path);
        QVERIFY(!writer.isOpen());
        QVERIFY(!writer.append(numberedRecord(u"a"_s, 1)).hasValue());
    }

    QVERIFY(!opened.hasValue());
    QVERIFY2(opened.error().startsWith(path + u':'), qPrintable(opened.error()));
    QVERIFY2(opened.error().contains(reason), qPrintable(opened.error()));
    QCOMPARE(QFileInfo(path).isFile(), existed);
    if (existed)
        QCOMPARE(readAll(path), existing);
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
