#include "calllog/calllogreader.h"
#include "calllog/logindex.h"
#include "calllog/logline.h"
#include "calllog/logquery.h"
#include "logpanel/logchartdata.h"
#include "logpanel/logviewfigures.h"

#include <QDateTime>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <atomic>
#include <span>

Q_DECLARE_METATYPE(LogFilter)
Q_DECLARE_METATYPE(LogColumn)

using namespace Qt::Literals::StringLiterals;

namespace {

// How the made-up calls of a test log vary.
struct LogShape
{
    int calls = 5000;
    bool timeOrdered = true;
    bool wholeLatencies = true;
    qint64 stepMs = 700; // between calls, on average
};

// A log of calls with seeded random models, features, users, tokens, costs, latencies and
// times, some ending in error, indexed as the Log panel indexes a file.
LogIndex makeIndex(const QString &path, const LogShape &shape, quint32 seed)
{
    QRandomGenerator random(seed);
    const QStringList models{u"claude-haiku-4-5"_s, u"claude-sonnet-4-5"_s, u"claude-opus-4-6"_s};
    const QStringList features{u"chat"_s, u"search"_s, u"summary"_s, u"triage"_s};
    qint64 time = QDateTime(QDate(2026, 11, 2), QTime(8, 0), QTimeZone::utc()).toMSecsSinceEpoch();
    QByteArray text;
    for (int i = 0; i < shape.calls; ++i) {
        time += qint64(random.bounded(int(2 * shape.stepMs)));
        qint64 stamp = time;
        if (!shape.timeOrdered && i % 97 == 50)
            stamp -= 3600'000; // a call an hour late
        const double latency = shape.wholeLatencies ? double(200 + random.bounded(4000))
                                                    : 200 + random.bounded(4000.0);
        const int input = random.bounded(5000);
        const int cacheRead = random.bounded(3) == 0 ? random.bounded(6000) : 0;
        text += u"{\"request_id\": \"r%1\", \"timestamp\": \"%2\", \"model\": \"%3\", "
                u"\"feature\": \"%4\", \"user_id\": \"u%5\", \"input_tokens\": %6, "
                u"\"output_tokens\": %7, \"cache_read_input_tokens\": %8, "
                u"\"cache_creation_input_tokens\": %9, \"cost_usd\": %10, "
                u"\"latency_ms\": %11, \"finish_reason\": \"%12\"}\n"_s.arg(i)
                    .arg(QDateTime::fromMSecsSinceEpoch(stamp, QTimeZone::utc())
                             .toString(Qt::ISODateWithMs))
                    .arg(models[random.bounded(int(models.size()))])
                    .arg(features[random.bounded(int(features.size()))])
                    .arg(random.bounded(40))
                    .arg(input)
                    .arg(random.bounded(800))
                    .arg(cacheRead)
                    .arg(random.bounded(4) == 0 ? 2048 : 0)
                    .arg(random.bounded(0.05), 0, 'f', 6)
                    .arg(latency, 0, 'g', 17)
                    .arg(random.bounded(20) == 0 ? u"error"_s : u"end_turn"_s)
                    .toUtf8();
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size())
        qFatal("cannot write %s", qPrintable(path));
    file.close();

    CallLogReader reader(PriceBook::builtIn());
    LogIndex index;
    const Expected<void> read = reader.scan(path, [&index](const LogLine &l) { index.add(l); });
    if (!read)
        qFatal("cannot read %s", qPrintable(path));
    return index;
}

void compareSummaries(const LogViewSummary &a, const LogViewSummary &b)
{
    QCOMPARE(a.calls, b.calls);
    QCOMPARE(a.errors, b.errors);
    // Exactly, not within a tolerance: the same sums in the same order.
    QVERIFY(a.costUsd == b.costUsd);
    QVERIFY(a.meanLatencyMs == b.meanLatencyMs);
    QVERIFY(a.cacheHitRate == b.cacheHitRate);
    QCOMPARE(a.p50LatencyMs, b.p50LatencyMs);
    QCOMPARE(a.p95LatencyMs, b.p95LatencyMs);
    QCOMPARE(a.p99LatencyMs, b.p99LatencyMs);
}

void compareCharts(const LogChartData &a, const LogChartData &b)
{
    QCOMPARE(a.cumulativeCost.size(), b.cumulativeCost.size());
    for (qsizetype i = 0; i < a.cumulativeCost.size(); ++i) {
        QVERIFY(a.cumulativeCost[i].x() == b.cumulativeCost[i].x());
        QVERIFY(a.cumulativeCost[i].y() == b.cumulativeCost[i].y());
    }
    QCOMPARE(a.latencyBins.size(), b.latencyBins.size());
    for (qsizetype i = 0; i < a.latencyBins.size(); ++i) {
        QVERIFY(a.latencyBins[i].fromMs == b.latencyBins[i].fromMs);
        QCOMPARE(a.latencyBins[i].calls, b.latencyBins[i].calls);
    }
    const auto sameShares = [](const QList<LogChartData::Share> &x,
                               const QList<LogChartData::Share> &y) {
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            if (x[i].id != y[i].id || x[i].costUsd != y[i].costUsd)
                return false;
        }
        return true;
    };
    QVERIFY(sameShares(a.costByModel, b.costByModel));
    QVERIFY(sameShares(a.costByFeature, b.costByFeature));
}

} // namespace

class tst_LogViewFigures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void extendingEqualsWorkingOutFromScratch_data();
    void extendingEqualsWorkingOutFromScratch();
    void givesUpWhereCountingCannotBeExact_data();
    void givesUpWhereCountingCannotBeExact();
    void costLineStaysWithinItsBuckets();
    void mergedEqualsSortingEverything_data();
    void mergedEqualsSortingEverything();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_LogViewFigures::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_LogViewFigures::extendingEqualsWorkingOutFromScratch_data()
{
    QTest::addColumn<LogFilter>("filter");
    QTest::addColumn<int>("pieces");
    QTest::addColumn<qint64>("stepMs");
    LogFilter haiku;
    haiku.model = u"claude-haiku-4-5"_s;
    LogFilter chatForOneUser;
    chatForOneUser.feature = u"chat"_s;
    chatForOneUser.user = u"u7"_s;
    QTest::newRow("every call, one piece") << LogFilter() << 1 << qint64(700);
    QTest::newRow("every call, 7 pieces") << LogFilter() << 7 << qint64(700);
    QTest::newRow("every call, 300 pieces") << LogFilter() << 300 << qint64(700);
    QTest::newRow("calls a second apart, widths double many times")
        << LogFilter() << 50 << qint64(86'400'000);
    QTest::newRow("one model, 11 pieces") << haiku << 11 << qint64(700);
    QTest::newRow("a few calls, 5 pieces") << chatForOneUser << 5 << qint64(700);
}

void tst_LogViewFigures::extendingEqualsWorkingOutFromScratch()
{
    QFETCH(LogFilter, filter);
    QFETCH(int, pieces);
    QFETCH(qint64, stepMs);
    LogShape shape;
    shape.stepMs = stepMs;
    const QString path = m_dir->filePath(u"calls.jsonl"_s);
    const LogIndex index = makeIndex(path, shape, 11);
    const std::atomic_bool cancelled = false;
    const LogQuery query(index, path, filter, LogColumn::Time, Qt::AscendingOrder);
    const std::vector<quint32> rows = query.filtered(cancelled);
    QVERIFY(!rows.empty());
    constexpr int buckets = 400;

    const LogViewSummary expected = LogQuery::summarize(query.records(), rows, query.errorId());
    const LogChartData expectedCharts =
        LogChartData::compute(query.records(), rows, expected, buckets);

    // The calls handed in as a followed log delivers them: in pieces of uneven size.
    LogViewFigures figures(query.errorId(), buckets);
    QRandomGenerator random(5);
    std::size_t from = 0;
    for (int piece = 0; piece < pieces; ++piece) {
        const std::size_t to =
            piece + 1 == pieces
                ? rows.size()
                : std::min(rows.size(), from + random.bounded(int(2 * rows.size() / pieces + 1)));
        figures.add(query.records(), std::span(rows).subspan(from, to - from));
        from = to;
    }

    QVERIFY(figures.extendable());
    QCOMPARE(figures.calls(), qint64(rows.size()));
    const LogViewSummary summary = figures.summary();
    compareSummaries(summary, expected);
    compareCharts(figures.charts(summary), expectedCharts);
}

void tst_LogViewFigures::givesUpWhereCountingCannotBeExact_data()
{
    QTest::addColumn<bool>("timeOrdered");
    QTest::addColumn<bool>("wholeLatencies");
    QTest::newRow("a call out of time order") << false << true;
    QTest::newRow("latencies with fractions") << true << false;
}

void tst_LogViewFigures::givesUpWhereCountingCannotBeExact()
{
    QFETCH(bool, timeOrdered);
    QFETCH(bool, wholeLatencies);
    LogShape shape;
    shape.timeOrdered = timeOrdered;
    shape.wholeLatencies = wholeLatencies;
    const QString path = m_dir->filePath(u"calls.jsonl"_s);
    const LogIndex index = makeIndex(path, shape, 3);
    const std::atomic_bool cancelled = false;
    const LogQuery query(index, path, LogFilter(), LogColumn::Time, Qt::AscendingOrder);
    const std::vector<quint32> rows = query.filtered(cancelled);

    LogViewFigures figures(query.errorId(), 400);
    figures.add(query.records(), rows);

    QVERIFY(!figures.extendable());
}

void tst_LogViewFigures::costLineStaysWithinItsBuckets()
{
    // A million milliseconds into 100 buckets: widths double until the span fits.
    CumulativeCostLine line(100);
    for (qint64 ms = 0; ms < 1'000'000; ms += 37)
        line.add(ms, 0.001);
    const QList<QPointF> points = line.points();
    QVERIFY(points.size() > 50);
    QVERIFY(points.size() <= 200);
    QCOMPARE(points.first(), QPointF(0, 0.001));
    QCOMPARE(points.last().x(), double((1'000'000 - 1) / 37 * 37));
    QVERIFY(std::is_sorted(points.begin(), points.end(),
                           [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); }));
}

void tst_LogViewFigures::mergedEqualsSortingEverything_data()
{
    QTest::addColumn<LogColumn>("column");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<bool>("timeOrdered");
    for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
        const char *direction = order == Qt::AscendingOrder ? "ascending" : "descending";
        for (int column = 0; column < int(LogColumn::Count); ++column) {
            QTest::addRow("column %d %s", column, direction) << LogColumn(column) << order << true;
        }
        QTest::addRow("time %s, calls out of order", direction)
            << LogColumn::Time << order << false;
    }
}

void tst_LogViewFigures::mergedEqualsSortingEverything()
{
    QFETCH(LogColumn, column);
    QFETCH(Qt::SortOrder, order);
    QFETCH(bool, timeOrdered);
    LogShape shape;
    shape.calls = 3000;
    shape.timeOrdered = timeOrdered;
    const QString path = m_dir->filePath(u"calls.jsonl"_s);
    const LogIndex index = makeIndex(path, shape, 17);
    const std::atomic_bool cancelled = false;
    const LogQuery query(index, path, LogFilter(), column, order);
    std::vector<quint32> everything = query.filtered(cancelled);
    std::vector<quint32> shown = query.filtered(cancelled);
    shown.resize(2000);
    const std::vector<quint32> added = query.filtered(cancelled, 2000);
    QCOMPARE(added.size(), std::size_t(1000));
    QCOMPARE(added.front(), 2000u);

    query.sort(everything);
    query.sort(shown);

    QCOMPARE(query.merged(shown, added), everything);
}

QTEST_MAIN(tst_LogViewFigures)
#include "tst_logviewfigures.moc"
