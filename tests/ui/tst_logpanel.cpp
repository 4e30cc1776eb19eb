#include "logpanel/logcharts.h"
#include "logpanel/logpanel.h"
#include "logpanel/logtablemodel.h"
#include "mainwindow.h"
#include "screenshots.h"

#include "calllog/calllogreader.h"
#include "calllog/logline.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDateTime>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMimeData>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <numeric>
#include <optional>

Q_DECLARE_METATYPE(LogColumn)

using namespace Qt::Literals::StringLiterals;

namespace {

QString viewFixture()
{
    return QFINDTESTDATA("../core/data/calls_view.jsonl");
}

bool writeFile(const QString &path, const QByteArray &bytes, QIODevice::OpenMode mode)
{
    QFile file(path);
    return file.open(mode) && file.write(bytes) == bytes.size();
}

QByteArray callLine(const QByteArray &id, const QByteArray &feature = "chat")
{
    return R"({"request_id": ")" + id
           + R"(", "timestamp": "2026-03-02T08:00:00Z", )"
             R"("model": "claude-haiku-4-5", "feature": ")"
           + feature
           + R"(", )"
             R"("input_tokens": 10, "output_tokens": 5, "cost_usd": 0.25, "latency_ms": 100})"
             "\n";
}

// Call `n` of a log whose calls differ in cost, latency, feature and time.
QByteArray variedCallLine(int n)
{
    const QDateTime time = QDateTime(QDate(2026, 3, 2), QTime(8, 0), QTimeZone::utc()).addSecs(n);
    return u"{\"request_id\": \"v%1\", \"timestamp\": \"%2\", \"model\": \"%3\", "
           u"\"feature\": \"%4\", \"input_tokens\": %5, \"output_tokens\": 5, "
           u"\"cost_usd\": %6, \"latency_ms\": %7}\n"_s.arg(n)
               .arg(time.toString(Qt::ISODate))
               .arg(n % 3 == 0 ? u"claude-sonnet-4-5"_s : u"claude-haiku-4-5"_s)
               .arg(n % 4 == 0 ? u"search"_s : u"chat"_s)
               .arg(n * 7 % 50)
               .arg(double(n * 37 % 100) / 1000, 0, 'f', 3)
               .arg(100 + n * 53 % 900)
               .toUtf8();
}

// The index rows the panel's table shows, top to bottom.
std::vector<quint32> shownRows(const LogPanel &panel)
{
    return panel.model()->rows().list();
}

} // namespace

class tst_LogPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void modelPassesTheTester();
    void showsALogWithItsMalformedLines();
    void filtersAndSummarizesTheView();
    void sortsByAColumn();
    void showsTheSelectedCallsJson();
    void exportsTheViewAsCsv();
    void followsAGrowingFile();
    void followedViewsEqualViewsWorkedOutAfresh_data();
    void followedViewsEqualViewsWorkedOutAfresh();
    void survivesRotationAndTruncation_data();
    void survivesRotationAndTruncation();
    void showsAnIncompleteTail();
    void namesTheFileItCannotOpen_data();
    void namesTheFileItCannotOpen();
    void remembersRecentFiles();
    void opensAFileDroppedOnIt();
    void waitsForAFollowedLogToAppear();
    void chartClicksFilterAndSelect();
    void rendersInBothPalettes();
};

void tst_LogPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(u"OpsbenchTest"_s);
    QSettings().clear();
}

void tst_LogPanel::modelPassesTheTester()
{
    CallLogReader reader(PriceBook::builtIn());
    LogIndex index;
    QVERIFY(reader.scan(viewFixture(), [&index](const LogLine &l) { index.add(l); }));
    LogTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    model.setRows(&index, {5, 3, 1});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(LogColumn::Count));
    QCOMPARE(model.data(model.index(0, int(LogColumn::User))).toString(), u"ana"_s);
    QCOMPARE(model.data(model.index(1, int(LogColumn::Cost))).toString(), u"0.010750"_s);
    QCOMPARE(model.data(model.index(2, int(LogColumn::Time))).toString(),
             u"2026-03-01 10:05:00.000"_s);
    QCOMPARE(model.data(model.index(2, int(LogColumn::CacheWriteTokens)), LogTableModel::SortRole)
                 .toUInt(),
             1000u);
    QCOMPARE(model.data(model.index(3, 0)), QVariant()); // past the end
    model.appendRows({0, 2});
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.indexRow(4), 2);
    QCOMPARE(model.viewRow(3), 1);
    model.setRows(nullptr, {});
    QCOMPARE(model.rowCount(), 0);
}

void tst_LogPanel::showsALogWithItsMalformedLines()
{
    LogPanel panel(PriceBook::builtIn());
    QSignalSpy loaded(&panel, &LogPanel::loaded);
    QVERIFY(panel.openLog(viewFixture()));

    QTRY_COMPARE(loaded.size(), 1);
    QTRY_COMPARE(panel.model()->rowCount(), 6);
    QTRY_COMPARE(panel.summary().calls, 6);
    auto *malformed = panel.findChild<QListWidget *>(u"logMalformed"_s);
    QVERIFY(malformed);
    QCOMPARE(malformed->count(), 1);
    QCOMPARE(malformed->item(0)->text(), u"Line 5: not a JSON object"_s);
    QVERIFY(panel.message().startsWith(u"6 calls, 1 malformed lines"_s));
}

void tst_LogPanel::filtersAndSummarizesTheView()
{
    LogPanel panel(PriceBook::builtIn());
    QVERIFY(panel.openLog(viewFixture()));
    QTRY_COMPARE(panel.summary().calls, 6);

    LogFilter haiku;
    haiku.model = u"claude-haiku-4-5"_s;
    panel.setFilter(haiku);

    QTRY_COMPARE(shownRows(panel), (std::vector<quint32>{0, 2, 4}));
    const LogViewSummary &s = panel.summary();
    // Costs .0005 + .0004 + .00058; latencies 200, 9000, 350; cache 600 of 1250 prompt tokens.
    QCOMPARE(s.calls, 3);
    QCOMPARE(s.costUsd, 0.00148);
    QCOMPARE(s.p50LatencyMs, 350.0);
    QCOMPARE(s.p99LatencyMs, 9000.0);
    QCOMPARE(s.cacheHitRate, 0.48);
    QCOMPARE(s.errors, 1);
    // The tiles say the same.
    QStringList tiles;
    for (const QLabel *label : panel.findChildren<QLabel *>())
        tiles.append(label->text());
    QVERIFY(tiles.contains(u"$0.001480"_s));
    QVERIFY(tiles.contains(u"350 / 9,000 / 9,000 ms"_s));
    QVERIFY(tiles.contains(u"48.0 %"_s));
    QVERIFY(tiles.contains(u"33.3 %"_s));
    QVERIFY(tiles.contains(u"nearest rank, n = 3"_s));

    LogFilter text;
    text.text = u"B2E1"_s;
    panel.setFilter(text);
    QTRY_COMPARE(shownRows(panel), (std::vector<quint32>{1}));
    panel.setFilter(LogFilter());
    QTRY_COMPARE(panel.model()->rowCount(), 6);
}

void tst_LogPanel::sortsByAColumn()
{
    LogPanel panel(PriceBook::builtIn());
    QVERIFY(panel.openLog(viewFixture()));
    QTRY_COMPARE(panel.summary().calls, 6);

    panel.sortBy(LogColumn::Cost, Qt::DescendingOrder);
    // Costs .0005 .01575 .0004 .01075 .00058 .0126.
    QTRY_COMPARE(shownRows(panel), (std::vector<quint32>{1, 5, 3, 4, 0, 2}));
    panel.sortBy(LogColumn::Latency, Qt::AscendingOrder);
    QTRY_COMPARE(shownRows(panel), (std::vector<quint32>{0, 4, 1, 5, 3, 2}));
}

void tst_LogPanel::showsTheSelectedCallsJson()
{
    LogPanel panel(PriceBook::builtIn());
    QVERIFY(panel.openLog(viewFixture()));
    QTRY_COMPARE(panel.model()->rowCount(), 6);

    panel.selectRow(3); // the call on line 6
    const QString json = panel.detailText();
    // Pretty-printed with the keys in the order the line has them.
    QVERIFY2(json.startsWith(u"{\n    \"request_id\": \"d4c3-0004\",\n    \"timestamp\": "_s),
             qPrintable(json));
    QVERIFY(json.endsWith(u"\"num_retrieved_docs\": 0\n}"_s));
    QVERIFY(json.contains(u"    \"finish_reason\": \"max_tokens\""_s));
}

void tst_LogPanel::exportsTheViewAsCsv()
{
    QTemporaryDir dir;
    const QString log = dir.filePath(u"calls.jsonl"_s);
    QVERIFY(writeFile(log, callLine("x1", "chat, \\\"beta\\\"") + callLine("x2"),
                      QIODevice::WriteOnly));
    LogPanel panel(PriceBook::builtIn());
    QVERIFY(panel.openLog(log));
    QTRY_COMPARE(panel.summary().calls, 2);
    panel.sortBy(LogColumn::Time, Qt::DescendingOrder);
    QTRY_COMPARE(shownRows(panel), (std::vector<quint32>{0, 1})); // equal times keep file order
    LogFilter chat;
    chat.text = u"beta"_s;
    panel.setFilter(chat);
    QTRY_COMPARE(shownRows(panel), (std::vector<quint32>{0}));

    const QString csv = dir.filePath(u"view.csv"_s);
    QVERIFY(panel.exportCsv(csv));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    // The feature holds a comma and quotes: quoted, its quotes doubled; lines end in CRLF.
    QCOMPARE(file.readAll(),
             QByteArray("Time (UTC),Model,Feature,User,Input,Output,Cache read,Cache write,"
                        "Cost (USD),Latency (ms),Finish reason\r\n"
                        "2026-03-02 08:00:00.000,claude-haiku-4-5,\"chat, \"\"beta\"\"\","
                        "anonymous,10,5,0,0,0.250000,100,\r\n"));
}

void tst_LogPanel::followsAGrowingFile()
{
    QTemporaryDir dir;
    const QString log = dir.filePath(u"llm_calls.jsonl"_s);
    QVERIFY(writeFile(log, callLine("g1") + "not json\n", QIODevice::WriteOnly));
    LogPanel panel(PriceBook::builtIn());
    QVERIFY(panel.openLog(log));
    QTRY_COMPARE(panel.model()->rowCount(), 1);

    QVERIFY(writeFile(log, callLine("g2"), QIODevice::Append));
    QTRY_COMPARE(panel.model()->rowCount(), 2);
    QTRY_COMPARE(panel.summary().calls, 2);

    // Another process appends.
    QProcess writer;
    writer.start(u"/bin/sh"_s, {u"-c"_s, u"printf '%s' \"$1\" >> \"$2\""_s, u"sh"_s,
                                QString::fromUtf8(callLine("g3")), log});
    QVERIFY(writer.waitForFinished());
    QCOMPARE(writer.exitCode(), 0);
    QTRY_COMPARE(panel.model()->rowCount(), 3);
    QCOMPARE(panel.index().lineNumber(2), 4);
    QCOMPARE(panel.index().malformedCount(), 1);

    // Truncated and rewritten: read again from the start.
    QVERIFY(writeFile(log, callLine("t1"), QIODevice::WriteOnly | QIODevice::Truncate));
    QTRY_COMPARE(panel.index().size(), 1);
    QTRY_COMPARE(panel.model()->rowCount(), 1);
    QCOMPARE(panel.index().malformedCount(), 0);
    panel.selectRow(0);
    QVERIFY(panel.detailText().contains(u"\"t1\""_s));
}

void tst_LogPanel::followedViewsEqualViewsWorkedOutAfresh_data()
{
    QTest::addColumn<LogColumn>("column");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<QString>("feature");
    QTest::newRow("file order") << LogColumn::Time << Qt::AscendingOrder << QString();
    QTest::newRow("latest first") << LogColumn::Time << Qt::DescendingOrder << QString();
    QTest::newRow("by cost, one feature") << LogColumn::Cost << Qt::DescendingOrder << u"search"_s;
    QTest::newRow("by model") << LogColumn::Model << Qt::AscendingOrder << QString();
}

void tst_LogPanel::followedViewsEqualViewsWorkedOutAfresh()
{
    // A view that only takes in the calls appended since the last one must end where a view
    // worked out from the whole file does.
    QFETCH(LogColumn, column);
    QFETCH(Qt::SortOrder, order);
    QFETCH(QString, feature);
    QTemporaryDir dir;
    const QString log = dir.filePath(u"llm_calls.jsonl"_s);
    QByteArray first;
    for (int n = 0; n < 40; ++n)
        first += variedCallLine(n);
    QVERIFY(writeFile(log, first, QIODevice::WriteOnly));
    LogPanel panel(PriceBook::builtIn());
    QVERIFY(panel.openLog(log));
    LogFilter filter;
    filter.feature = feature;
    panel.setFilter(filter);
    panel.sortBy(column, order);
    QTRY_COMPARE(panel.index().size(), 40);

    int written = 40;
    for (int round = 0; round < 4; ++round) {
        QByteArray more;
        for (int i = 0; i < 25; ++i)
            more += variedCallLine(written++);
        QVERIFY(writeFile(log, more, QIODevice::Append));
        QTRY_COMPARE(panel.index().size(), written);
        const std::atomic_bool cancelled = false;
        const std::optional<LogQuery::Result> afresh =
            LogQuery(panel.index(), log, filter, column, order).run(cancelled);
        QTRY_COMPARE(panel.summary().calls, afresh->summary.calls);
        QCOMPARE(shownRows(panel), afresh->rows);
        QVERIFY(panel.summary().costUsd == afresh->summary.costUsd);
        QCOMPARE(panel.summary().p95LatencyMs, afresh->summary.p95LatencyMs);
        QCOMPARE(panel.summary().meanLatencyMs, afresh->summary.meanLatencyMs);
    }
}

void tst_LogPanel::survivesRotationAndTruncation_data()
{
    QTest::addColumn<QString>("change");

    QTest::newRow("rotated: renamed away, a new file at the path") << u"rotate"_s;
    QTest::newRow("truncated, then written again") << u"truncate"_s;
    QTest::newRow("deleted, then created again") << u"delete"_s;
}

void tst_LogPanel::survivesRotationAndTruncation()
{
    QFETCH(QString, change);
    QTemporaryDir dir;
    const QString log = dir.filePath(u"llm_calls.jsonl"_s);
    QVERIFY(writeFile(log, callLine("o1") + callLine("o2") + callLine("o3") + "not json\n",
                      QIODevice::WriteOnly));
    LogPanel panel(PriceBook::builtIn());
    QVERIFY(panel.openLog(log));
    QTRY_COMPARE(panel.model()->rowCount(), 3);

    if (change == "rotate"_L1)
        QVERIFY(QFile::rename(log, log + u".1"_s));
    else if (change == "delete"_L1)
        QVERIFY(QFile::remove(log));
    else
        QVERIFY(writeFile(log, QByteArray(), QIODevice::WriteOnly | QIODevice::Truncate));
    QVERIFY(writeFile(log, callLine("n1") + callLine("n2"), QIODevice::Append));

    // Only what the file at the path now holds: two calls, nothing left from the old one.
    QTRY_COMPARE(panel.model()->rowCount(), 2);
    QTRY_COMPARE(panel.summary().calls, 2);
    QCOMPARE(panel.index().malformedCount(), 0);
    QVERIFY(writeFile(log, callLine("n3"), QIODevice::Append));
    QTRY_COMPARE(panel.model()->rowCount(), 3);
    QTRY_COMPARE(panel.summary().calls, 3);
    QCOMPARE(panel.index().lineNumber(2), 3);
    QString details;
    for (int row = 0; row < 3; ++row) {
        panel.selectRow(row);
        details += panel.detailText();
    }
    for (const QString &id : {u"n1"_s, u"n2"_s, u"n3"_s})
        QVERIFY(details.contains(u'"' + id + u'"'));
    QVERIFY(!details.contains(u"\"o1\""_s));
}

void tst_LogPanel::showsAnIncompleteTail()
{
    QTemporaryDir dir;
    const QString log = dir.filePath(u"llm_calls.jsonl"_s);
    QVERIFY(writeFile(log, callLine("h1") + callLine("h2").first(30), QIODevice::WriteOnly));
    LogPanel panel(PriceBook::builtIn());
    QVERIFY(panel.openLog(log));

    auto *tail = panel.findChild<QLabel *>(u"logTail"_s);
    QVERIFY(tail);
    QTRY_VERIFY(tail->text().startsWith(u"Waiting for the rest of the last line"_s));
    QCOMPARE(panel.model()->rowCount(), 1);
    QVERIFY(writeFile(log, callLine("h2").sliced(30), QIODevice::Append));
    QTRY_COMPARE(panel.model()->rowCount(), 2);
    QTRY_VERIFY(!tail->text().startsWith(u"Waiting"_s));
}

void tst_LogPanel::namesTheFileItCannotOpen_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("says");
    QTest::newRow("missing") << u"nothing-here.jsonl"_s << u"does not exist"_s;
    QTest::newRow("folder") << u"folder"_s << u"is a folder"_s;
}

void tst_LogPanel::namesTheFileItCannotOpen()
{
    QFETCH(QString, name);
    QFETCH(QString, says);
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkdir(u"folder"_s));
    LogPanel panel(PriceBook::builtIn());
    QVERIFY(panel.openLog(viewFixture()));
    QTRY_COMPARE(panel.model()->rowCount(), 6);

    const QString path = dir.filePath(name);
    QVERIFY(!panel.openLog(path));

    QVERIFY2(panel.message().contains(path), qPrintable(panel.message()));
    QVERIFY(panel.message().contains(says));
    QCOMPARE(panel.logPath(), viewFixture()); // what was shown stays
    QCOMPARE(panel.model()->rowCount(), 6);
}

void tst_LogPanel::remembersRecentFiles()
{
    QSettings().clear();
    LogPanel panel(PriceBook::builtIn());
    QVERIFY(!panel.recentMenu()->isEnabled());
    QVERIFY(panel.openLog(viewFixture()));

    LogPanel later(PriceBook::builtIn());
    QCOMPARE(later.recentMenu()->actions().size(), 1);
    QCOMPARE(later.recentMenu()->actions().first()->text(),
             QFileInfo(viewFixture()).absoluteFilePath());
    later.recentMenu()->actions().first()->trigger();
    QCOMPARE(later.logPath(), QFileInfo(viewFixture()).absoluteFilePath());
}

void tst_LogPanel::opensAFileDroppedOnIt()
{
    LogPanel panel(PriceBook::builtIn());
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(viewFixture())});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&panel, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&panel, &drop);

    QCOMPARE(panel.logPath(), viewFixture());
    QTRY_COMPARE(panel.model()->rowCount(), 6);
}

void tst_LogPanel::waitsForAFollowedLogToAppear()
{
    QTemporaryDir dir;
    const QString log = dir.filePath(u"llm_calls.jsonl"_s);
    LogPanel panel(PriceBook::builtIn());
    panel.followLog(log);
    QCOMPARE(panel.logPath(), log);
    QVERIFY(panel.message().contains(u"Waiting for %1"_s.arg(log)));

    QVERIFY(writeFile(log, callLine("w1"), QIODevice::WriteOnly));
    QTRY_COMPARE(panel.model()->rowCount(), 1);
}

void tst_LogPanel::chartClicksFilterAndSelect()
{
    LogPanel panel(PriceBook::builtIn());
    QVERIFY(panel.openLog(viewFixture()));
    QTRY_COMPARE(panel.summary().calls, 6);
    auto *charts = panel.findChild<LogCharts *>();
    QVERIFY(charts);

    // The latency bar from 1000 to 2000 ms holds only the 1500 ms call, row 1.
    Q_EMIT charts->latencyBinClicked(1000, 2000);
    QCOMPARE(panel.model()->indexRow(panel.findChild<QTableView *>()->currentIndex().row()), 1);

    Q_EMIT charts->modelClicked(u"claude-opus-4-6"_s);
    QCOMPARE(panel.filter().model, u"claude-opus-4-6"_s);
    QTRY_COMPARE(shownRows(panel), (std::vector<quint32>{3}));
    Q_EMIT charts->featureClicked(u"chat"_s); // filters add up
    QTRY_COMPARE(panel.summary().calls, 1);
    QCOMPARE(panel.filter().feature, u"chat"_s);
}

void tst_LogPanel::rendersInBothPalettes()
{
    // OPSBENCH_LOG_SAMPLE and OPSBENCH_SCREENSHOT_DIR let a person look at a bigger log.
    const QString sample = qEnvironmentVariable("OPSBENCH_LOG_SAMPLE", viewFixture());
    QTemporaryDir temporary;
    const QString folder = qEnvironmentVariable("OPSBENCH_SCREENSHOT_DIR", temporary.path());
    MainWindow window;
    auto *panel = new LogPanel(PriceBook::builtIn());
    window.addPanel(panel, u"log"_s, u"Log"_s);
    window.resize(1440, 900);
    window.show();
    QVERIFY(panel->openLog(sample));
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isLoading(), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(panel->summary().calls == panel->index().size(), 60000);
    panel->selectRow(1);

    const Expected<QStringList> written = renderScreenshots(window, folder, QSize(1440, 900));

    QVERIFY2(written.hasValue(), qPrintable(written ? QString() : written.error()));
    QCOMPARE(written->size(), 2);
    // Every chart, light and dark.
    auto *charts = panel->findChild<LogCharts *>();
    auto *tabs = charts->findChild<QTabWidget *>();
    for (Theme::Mode mode : {Theme::Mode::Light, Theme::Mode::Dark}) {
        Theme::apply(mode);
        for (int turn = 0; turn < 5; ++turn)
            QApplication::processEvents(); // the charts are laid out on later turns
        for (int tab = 0; tab < tabs->count(); ++tab) {
            tabs->setCurrentIndex(tab);
            const QString chart = QDir(folder).filePath(u"log-chart%1%2.png"_s.arg(tab).arg(
                mode == Theme::Mode::Dark ? u"-dark"_s : QString()));
            QVERIFY(panel->exportChart(chart));
            QVERIFY(!QImage(chart).isNull());
        }
    }
    Theme::apply(Theme::Mode::Light);
}

QTEST_MAIN(tst_LogPanel)
#include "tst_logpanel.moc"
