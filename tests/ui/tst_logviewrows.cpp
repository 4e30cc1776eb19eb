#include "logpanel/logviewrows.h"

#include <QTest>

class tst_LogViewRows : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepsFileOrderAsACount();
    void keepsAnyOtherOrderAsAList();
    void appendsRows_data();
    void appendsRows();
    void tellsWhatItIsAPrefixOf_data();
    void tellsWhatItIsAPrefixOf();
};

void tst_LogViewRows::keepsFileOrderAsACount()
{
    const LogViewRows rows(std::vector<quint32>{0, 1, 2, 3});
    QVERIFY(rows.isFileOrder());
    QCOMPARE(rows.size(), 4);
    QCOMPARE(rows[3], 3u);
    QCOMPARE(rows.list(), (std::vector<quint32>{0, 1, 2, 3}));
    QCOMPARE(rows.list(2), (std::vector<quint32>{0, 1}));
    QCOMPARE(rows.list(9), (std::vector<quint32>{0, 1, 2, 3}));
    QVERIFY(LogViewRows().isFileOrder());
    QVERIFY(LogViewRows().isEmpty());
}

void tst_LogViewRows::keepsAnyOtherOrderAsAList()
{
    for (const std::vector<quint32> &list :
         {std::vector<quint32>{1, 2, 3}, std::vector<quint32>{0, 2, 1}, std::vector<quint32>{5}}) {
        const LogViewRows rows(list);
        QVERIFY(!rows.isFileOrder());
        QCOMPARE(rows.size(), qsizetype(list.size()));
        for (std::size_t i = 0; i < list.size(); ++i)
            QCOMPARE(rows[qsizetype(i)], list[i]);
        QCOMPARE(rows.list(), list);
    }
}

void tst_LogViewRows::appendsRows_data()
{
    QTest::addColumn<std::vector<quint32>>("first");
    QTest::addColumn<std::vector<quint32>>("added");
    QTest::addColumn<bool>("fileOrder");

    QTest::newRow("going on counting")
        << std::vector<quint32>{0, 1} << std::vector<quint32>{2, 3} << true;
    QTest::newRow("to nothing") << std::vector<quint32>{} << std::vector<quint32>{0, 1} << true;
    QTest::newRow("nothing") << std::vector<quint32>{0, 1} << std::vector<quint32>{} << true;
    QTest::newRow("skipping a row")
        << std::vector<quint32>{0, 1} << std::vector<quint32>{3} << false;
    QTest::newRow("to nothing, not from the first")
        << std::vector<quint32>{} << std::vector<quint32>{4, 5} << false;
    QTest::newRow("to a list") << std::vector<quint32>{2, 0} << std::vector<quint32>{3} << false;
}

void tst_LogViewRows::appendsRows()
{
    QFETCH(std::vector<quint32>, first);
    QFETCH(std::vector<quint32>, added);
    QFETCH(bool, fileOrder);

    LogViewRows rows(first);
    rows.append(added);
    std::vector<quint32> expected = first;
    expected.insert(expected.end(), added.begin(), added.end());
    QCOMPARE(rows.list(), expected);
    QCOMPARE(rows.size(), qsizetype(expected.size()));
    QCOMPARE(rows.isFileOrder(), fileOrder);
}

void tst_LogViewRows::tellsWhatItIsAPrefixOf_data()
{
    QTest::addColumn<std::vector<quint32>>("rows");
    QTest::addColumn<std::vector<quint32>>("longer");
    QTest::addColumn<bool>("prefix");

    QTest::newRow("file order, longer")
        << std::vector<quint32>{0, 1} << std::vector<quint32>{0, 1, 7} << true;
    QTest::newRow("file order, equal")
        << std::vector<quint32>{0, 1} << std::vector<quint32>{0, 1} << true;
    QTest::newRow("file order, other")
        << std::vector<quint32>{0, 1} << std::vector<quint32>{0, 2, 1} << false;
    QTest::newRow("file order, shorter")
        << std::vector<quint32>{0, 1, 2} << std::vector<quint32>{0, 1} << false;
    QTest::newRow("empty") << std::vector<quint32>{} << std::vector<quint32>{4} << true;
    QTest::newRow("a list, longer")
        << std::vector<quint32>{3, 1} << std::vector<quint32>{3, 1, 0} << true;
    QTest::newRow("a list, other")
        << std::vector<quint32>{3, 1} << std::vector<quint32>{3, 2} << false;
}

void tst_LogViewRows::tellsWhatItIsAPrefixOf()
{
    QFETCH(std::vector<quint32>, rows);
    QFETCH(std::vector<quint32>, longer);
    QFETCH(bool, prefix);
    QCOMPARE(LogViewRows(rows).isPrefixOf(longer), prefix);
}

QTEST_GUILESS_MAIN(tst_LogViewRows)
#include "tst_logviewrows.moc"
