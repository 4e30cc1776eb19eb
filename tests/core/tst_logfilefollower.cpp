#include "calllog/logfilefollower.h"

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
    void deletionAndRecreation();
    void waitsForAFileThatDoesNotExistYet();
    void largeBacklogIsReadInSlices();
    void picksUpAnotherProcessesLinesByItself();
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
