#include "calllog/callrecord.h"
#include "calllog/logfilefollower.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::Literals::StringLiterals;

namespace {

void append(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::Append));
    QCOMPARE(file.write(bytes), bytes.size());
}

void replaceContents(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

// What a consumer sees: the lines, and where each batch said they start.
struct Collected
{
    QByteArray text;
    QList<qint64> offsets;
    QList<qint64> lineNumbers;
};

} // namespace

class tst_LogFileFollower : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void handsOverCompleteLinesOnly();
    void truncationRestartsFromTheTop();
    void replacementRestarts();
    void rotationRestartsOnTheNewFile_data();
    void rotationRestartsOnTheNewFile();
    void deletionAndRecreation();
    void waitsForAFileThatDoesNotExistYet();
    void largeBacklogIsReadInSlices();
    void picksUpAnotherProcessesLinesByItself();
    void lineWrittenInPiecesArrivesWhole();
    void busyWriterIsReadInFewBatches();
    void followsALogWhileAWriterFillsIt();
    void resumesWhereAnotherReaderStopped_data();
    void resumesWhereAnotherReaderStopped();

private:
    void collect(LogFileFollower &follower);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    Collected m_seen;
};

void tst_LogFileFollower::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(u"llm_calls.jsonl"_s);
    m_seen = Collected();
}

void tst_LogFileFollower::collect(LogFileFollower &follower)
{
    connect(&follower, &LogFileFollower::linesAppended, this,
            [this](const QByteArray &lines, qint64 offset, qint64 lineNumber) {
                m_seen.text += lines;
                m_seen.offsets.append(offset);
                m_seen.lineNumbers.append(lineNumber);
            });
}

void tst_LogFileFollower::handsOverCompleteLinesOnly()
{
    append(m_path, "{\"a\":1}\n{\"b\":");
    LogFileFollower follower;
    collect(follower);

    follower.start(m_path);

    QCOMPARE(m_seen.text, QByteArray("{\"a\":1}\n"));
    QCOMPARE(follower.pendingBytes(), 5);

    append(m_path, "2}\n{\"c\":3}\n");
    follower.poll();

    QCOMPARE(m_seen.text, QByteArray("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n"));
    QCOMPARE(m_seen.offsets, (QList<qint64>{0, 8}));
    QCOMPARE(m_seen.lineNumbers, (QList<qint64>{1, 2}));
    QCOMPARE(follower.offset(), 24);
    QCOMPARE(follower.pendingBytes(), 0);
}

void tst_LogFileFollower::truncationRestartsFromTheTop()
{
    append(m_path, "one\ntwo\nthree\n");
    LogFileFollower follower;
    collect(follower);
    QSignalSpy restarted(&follower, &LogFileFollower::restarted);
    follower.start(m_path);

    replaceContents(m_path, "new\n");
    follower.poll();

    QCOMPARE(restarted.count(), 1);
    QCOMPARE(restarted.first().first().value<LogFileFollower::RestartReason>(),
             LogFileFollower::RestartReason::Truncated);
    QCOMPARE(m_seen.text, QByteArray("one\ntwo\nthree\nnew\n"));
    QCOMPARE(m_seen.lineNumbers.last(), 1);
    QCOMPARE(m_seen.offsets.last(), 0);
}

void tst_LogFileFollower::replacementRestarts()
{
    append(m_path, "old 1\nold 2\n");
    LogFileFollower follower;
    collect(follower);
    QSignalSpy restarted(&follower, &LogFileFollower::restarted);
    follower.start(m_path);

    // Rotation as logrotate or an editor does it: a new file renamed over the old name, longer
    // than the old one so that only its identity shows the change.
    const QString fresh = m_dir->filePath(u"fresh.jsonl"_s);
    append(fresh, "new 1\nnew 2\nnew 3\n");
    QVERIFY(QFile::remove(m_path));
    QVERIFY(QFile::rename(fresh, m_path));
    follower.poll();

    QCOMPARE(restarted.count(), 1);
    QCOMPARE(restarted.first().first().value<LogFileFollower::RestartReason>(),
             LogFileFollower::RestartReason::Replaced);
    QCOMPARE(m_seen.text, QByteArray("old 1\nold 2\nnew 1\nnew 2\nnew 3\n"));
}

void tst_LogFileFollower::rotationRestartsOnTheNewFile_data()
{
    QTest::addColumn<bool>("pollInBetween");
    QTest::addColumn<LogFileFollower::RestartReason>("reason");
    QTest::addColumn<int>("removals");

    // Seen only once the new file is there: it took the old one's place.
    QTest::newRow("noticed after the new file")
        << false << LogFileFollower::RestartReason::Replaced << 0;
    // Seen in between as well: the file went away, then came back.
    QTest::newRow("noticed in between") << true << LogFileFollower::RestartReason::Recreated << 1;
}

void tst_LogFileFollower::rotationRestartsOnTheNewFile()
{
    QFETCH(bool, pollInBetween);
    QFETCH(LogFileFollower::RestartReason, reason);
    QFETCH(int, removals);
    append(m_path, "old 1\nold 2\nold 3\n");
    LogFileFollower follower;
    collect(follower);
    QSignalSpy restarted(&follower, &LogFileFollower::restarted);
    QSignalSpy removed(&follower, &LogFileFollower::fileRemoved);
    follower.start(m_path);

    // Rotation as logrotate does it by default: the log is renamed away and a new one is
    // created at its path, here shorter than the old one.
    const QString rotated = m_path + u".1"_s;
    QVERIFY(QFile::rename(m_path, rotated));
    if (pollInBetween)
        follower.poll();
    append(m_path, "new 1\n");
    follower.poll();
    // A late line in the rotated file belongs to the old log and is not shown.
    append(rotated, "late\n");
    append(m_path, "new 2\n");
    follower.poll();

    QCOMPARE(restarted.count(), 1);
    QCOMPARE(restarted.first().first().value<LogFileFollower::RestartReason>(), reason);
    QCOMPARE(removed.count(), removals);
    QCOMPARE(m_seen.text, QByteArray("old 1\nold 2\nold 3\nnew 1\nnew 2\n"));
    QCOMPARE(m_seen.offsets.mid(1), (QList<qint64>{0, 6}));
    QCOMPARE(m_seen.lineNumbers.mid(1), (QList<qint64>{1, 2}));
}

void tst_LogFileFollower::deletionAndRecreation()
{
    append(m_path, "before\n");
    LogFileFollower follower;
    collect(follower);
    QSignalSpy removed(&follower, &LogFileFollower::fileRemoved);
    QSignalSpy restarted(&follower, &LogFileFollower::restarted);
    follower.start(m_path);

    QVERIFY(QFile::remove(m_path));
    follower.poll();
    follower.poll();

    QCOMPARE(removed.count(), 1);
    QVERIFY(!follower.fileExists());

    append(m_path, "after\n");
    follower.poll();

    QCOMPARE(restarted.count(), 1);
    QCOMPARE(restarted.first().first().value<LogFileFollower::RestartReason>(),
             LogFileFollower::RestartReason::Recreated);
    QCOMPARE(m_seen.text, QByteArray("before\nafter\n"));
}

void tst_LogFileFollower::waitsForAFileThatDoesNotExistYet()
{
    LogFileFollower follower;
    collect(follower);
    QSignalSpy removed(&follower, &LogFileFollower::fileRemoved);
    QSignalSpy restarted(&follower, &LogFileFollower::restarted);

    follower.start(m_path);
    QCOMPARE(removed.count(), 1);

    append(m_path, "first\n");
    follower.poll();

    QCOMPARE(m_seen.text, QByteArray("first\n"));
    QCOMPARE(restarted.count(), 0); // nothing was shown before, so nothing to start over
}

void tst_LogFileFollower::largeBacklogIsReadInSlices()
{
    QByteArray backlog;
    for (int i = 0; i < 200; ++i)
        backlog += "{\"n\":" + QByteArray::number(i) + "}\n";
    append(m_path, backlog);
    LogFileFollower follower;
    follower.setMaxBytesPerPoll(100);
    collect(follower);

    follower.start(m_path);

    // The first slice arrives at once, the rest on later turns of the event loop.
    QVERIFY(m_seen.text.size() <= 100);
    QTRY_COMPARE(m_seen.text, backlog);
    for (qsizetype i = 1; i < m_seen.offsets.size(); ++i)
        QCOMPARE(backlog.at(m_seen.offsets.at(i) - 1), '\n');
}

void tst_LogFileFollower::picksUpAnotherProcessesLinesByItself()
{
    append(m_path, "");
    LogFileFollower follower;
    follower.setPollInterval(50);
    collect(follower);
    follower.start(m_path);

    QProcess writer;
    writer.start(u"sh"_s, {u"-c"_s, u"printf 'from another process\\n' >> \"$0\""_s, m_path});
    QVERIFY(writer.waitForFinished());
    QCOMPARE(writer.exitCode(), 0);

    QTRY_COMPARE(m_seen.text, QByteArray("from another process\n"));
}

void tst_LogFileFollower::lineWrittenInPiecesArrivesWhole()
{
    append(m_path, "");
    LogFileFollower follower;
    follower.setPollInterval(20);
    collect(follower);
    follower.start(m_path);
    const QByteArray line = "{\"request_id\":\"pieces\",\"model\":\"claude-haiku-4-5\"}\n";
    const QList<QByteArray> pieces = {line.first(10), line.sliced(10, 20), line.sliced(30)};

    // Each piece is written on its own, and the follower has read it, before the next.
    qint64 written = 0;
    for (qsizetype i = 0; i + 1 < pieces.size(); ++i) {
        append(m_path, pieces.at(i));
        written += pieces.at(i).size();
        QTRY_COMPARE(follower.pendingBytes(), written);
        QVERIFY(m_seen.text.isEmpty());
    }
    append(m_path, pieces.last());

    QTRY_COMPARE(m_seen.text, line);
    QCOMPARE(m_seen.offsets, QList<qint64>{0});
    QCOMPARE(follower.pendingBytes(), 0);
    QCOMPARE(follower.offset(), line.size());
}

void tst_LogFileFollower::busyWriterIsReadInFewBatches()
{
    append(m_path, "");
    LogFileFollower follower;
    follower.setPollInterval(60'000); // only the watcher's notices
    follower.setMinReadInterval(200);
    collect(follower);
    follower.start(m_path);
    QTest::qWait(250);

    // A line every 10 ms, each a change the watcher tells of.
    QByteArray written;
    QElapsedTimer writing;
    writing.start();
    for (int i = 0; i < 40; ++i) {
        const QByteArray line = "{\"n\":" + QByteArray::number(i) + "}\n";
        append(m_path, line);
        written += line;
        QTest::qWait(10);
    }
    const qint64 writingMs = writing.elapsed();

    QTRY_COMPARE(m_seen.text, written);
    // Reads at least 200 ms apart: one at the first notice, then one per interval at most.
    QVERIFY2(m_seen.offsets.size() <= writingMs / 200 + 2,
             qPrintable(u"%1 batches in %2 ms"_s.arg(m_seen.offsets.size()).arg(writingMs)));

    // After a quiet spell the next line is read at its first notice, not an interval later.
    QTest::qWait(250);
    const qsizetype batches = m_seen.offsets.size();
    QElapsedTimer waited;
    waited.start();
    append(m_path, "{\"n\":\"last\"}\n");
    QTRY_COMPARE(m_seen.offsets.size(), batches + 1);
    qInfo() << "a line after a quiet spell arrived in" << waited.elapsed() << "ms";
}

void tst_LogFileFollower::followsALogWhileAWriterFillsIt()
{
    // A real writer in another process, appending as fast as it can while the follower reads.
    constexpr int records = 2000;
    append(m_path, "");
    LogFileFollower follower;
    follower.setPollInterval(20);
    collect(follower);
    follower.start(m_path);
    QProcess writer;
    writer.setProcessChannelMode(QProcess::ForwardedChannels);
    writer.start(QStringLiteral(OPSBENCH_APPEND_CHILD),
                 {m_path, u"g"_s, QString::number(records), u"200"_s});
    QVERIFY(writer.waitForStarted());

    QTRY_COMPARE_WITH_TIMEOUT(m_seen.text.count('\n'), qsizetype(records), 20'000);

    QVERIFY(writer.state() == QProcess::NotRunning || writer.waitForFinished());
    QCOMPARE(writer.exitCode(), 0);
    // Each batch starts where the one before ended, and every line is a whole record, in the
    // writer's order: no line was handed over before its newline was written.
    qint64 expectedOffset = 0;
    qint64 expectedLine = 1;
    const QList<QByteArray> lines = m_seen.text.trimmed().split('\n');
    for (qsizetype batch = 0; batch < m_seen.offsets.size(); ++batch) {
        QCOMPARE(m_seen.offsets.at(batch), expectedOffset);
        QCOMPARE(m_seen.lineNumbers.at(batch), expectedLine);
        const qsizetype end =
            batch + 1 < m_seen.offsets.size() ? m_seen.offsets.at(batch + 1) : m_seen.text.size();
        expectedLine += m_seen.text.sliced(expectedOffset, end - expectedOffset).count('\n');
        expectedOffset = end;
    }
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const Expected<CallRecord> record = CallRecord::fromJsonLine(lines.at(i));
        QVERIFY(record.hasValue());
        QCOMPARE(record->extra.value("seq"_L1).toInteger(), i);
    }
    qInfo("%d records followed as the file grew, in %lld batches", records,
          qint64(m_seen.offsets.size()));
}

void tst_LogFileFollower::resumesWhereAnotherReaderStopped_data()
{
    QTest::addColumn<QByteArray>("atResume"); // the file when following resumes
    QTest::addColumn<bool>("sameFile");       // still the file that was read
    QTest::addColumn<QByteArray>("expected"); // what is handed over
    QTest::addColumn<qint64>("firstOffset");
    QTest::addColumn<qint64>("firstLineNumber");
    QTest::addColumn<int>("restarts");

    // The reader read "one\ntwo\n": 8 bytes, 2 lines.
    QTest::newRow("grown since") << QByteArray("one\ntwo\nthree\nfo") << true
                                 << QByteArray("three\n") << qint64(8) << qint64(3) << 0;
    QTest::newRow("unchanged") << QByteArray("one\ntwo\n") << true << QByteArray() << qint64(-1)
                               << qint64(-1) << 0;
    QTest::newRow("truncated since")
        << QByteArray("one\n") << true << QByteArray("one\n") << qint64(0) << qint64(1) << 1;
    QTest::newRow("replaced since")
        << QByteArray("new\nlines\nhere\n") << false << QByteArray("new\nlines\nhere\n")
        << qint64(0) << qint64(1) << 1;
}

void tst_LogFileFollower::resumesWhereAnotherReaderStopped()
{
    QFETCH(QByteArray, atResume);
    QFETCH(bool, sameFile);
    QFETCH(QByteArray, expected);
    QFETCH(qint64, firstOffset);
    QFETCH(qint64, firstLineNumber);
    QFETCH(int, restarts);

    append(m_path, "one\ntwo\n");
    struct stat status;
    QCOMPARE(::stat(QFile::encodeName(m_path).constData(), &status), 0);
    if (sameFile) {
        replaceContents(m_path, atResume);
    } else {
        const QString other = m_dir->filePath(u"other.jsonl"_s);
        append(other, atResume);
        QVERIFY(QFile::remove(m_path));
        QVERIFY(QFile::rename(other, m_path));
    }

    LogFileFollower follower;
    collect(follower);
    QSignalSpy restarted(&follower, &LogFileFollower::restarted);
    follower.resume(m_path, {8, 2, quint64(status.st_dev), quint64(status.st_ino)});

    QCOMPARE(restarted.size(), restarts);
    QCOMPARE(m_seen.text, expected);
    if (firstOffset >= 0) {
        QCOMPARE(m_seen.offsets.first(), firstOffset);
        QCOMPARE(m_seen.lineNumbers.first(), firstLineNumber);
    }
}

QTEST_GUILESS_MAIN(tst_LogFileFollower)
#include "tst_logfilefollower.moc"
