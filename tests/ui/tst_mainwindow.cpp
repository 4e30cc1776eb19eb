#include "mainwindow.h"
#include "screenshots.h"

#include <QApplication>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

class tst_MainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void panelsAreReachableByShortcut();
    void remembersPanelAndTheme();
    void screenshotsEveryPanelInBothPalettes();
    void screenshotFolderThatCannotBeMadeIsAnError();

private:
    static void addTwoPanels(MainWindow &window);
};

void tst_MainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(u"OpsbenchTest"_s);
    QSettings().clear();
}

void tst_MainWindow::addTwoPanels(MainWindow &window)
{
    window.addPanel(new QLabel(u"first"_s), u"first"_s, u"First"_s);
    window.addPanel(new QLabel(u"second"_s), u"second"_s, u"Second panel"_s);
}

void tst_MainWindow::panelsAreReachableByShortcut()
{
    MainWindow window;
    addTwoPanels(window);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QCOMPARE(window.currentPanelId(), u"first"_s);
    QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(window.currentPanelId(), u"second"_s);
    QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(window.currentPanelId(), u"first"_s);

    // The navigation is wide enough for its longest title.
    auto *navigation = window.findChild<QListWidget *>(u"navigation"_s);
    QVERIFY(navigation);
    QVERIFY(navigation->width() >= navigation->sizeHintForColumn(0));
}

void tst_MainWindow::remembersPanelAndTheme()
{
    {
        MainWindow window;
        addTwoPanels(window);
        window.restoreSavedState();
        window.showPanel(u"second"_s);
        const QList<QAction *> themes =
            window.menu(MainWindow::Menu::View)->actions().last()->menu()->actions();
        themes.last()->trigger(); // Dark
        window.close();
    }

    MainWindow reopened;
    addTwoPanels(reopened);
    reopened.restoreSavedState();

    QCOMPARE(reopened.currentPanelId(), u"second"_s);
    QVERIFY(Theme::isDark());
    Theme::apply(Theme::Mode::Light);
}

void tst_MainWindow::screenshotsEveryPanelInBothPalettes()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MainWindow window;
    addTwoPanels(window);

    const Expected<QStringList> written = renderScreenshots(window, dir.path(), QSize(1000, 700));

    QVERIFY2(written.hasValue(), qPrintable(written ? QString() : written.error()));
    const QStringList expected{u"first.png"_s, u"second.png"_s, u"first-dark.png"_s,
                               u"second-dark.png"_s};
    QCOMPARE(written->size(), expected.size());
    for (const QString &name : expected) {
        const QImage image(dir.filePath(name));
        QVERIFY2(!image.isNull(), qPrintable(name));
        QCOMPARE(image.size() / image.devicePixelRatio(), QSize(1000, 700));
    }
    // The dark shot is darker than the light one where the window background shows.
    const QImage light(dir.filePath(u"first.png"_s));
    const QImage dark(dir.filePath(u"first-dark.png"_s));
    const QPoint corner(light.width() - 5, light.height() / 2);
    QVERIFY(QColor(dark.pixel(corner)).lightness() < QColor(light.pixel(corner)).lightness());
}

void tst_MainWindow::screenshotFolderThatCannotBeMadeIsAnError()
{
    MainWindow window;
    addTwoPanels(window);

    const Expected<QStringList> written =
        renderScreenshots(window, u"/proc/opsbench-shots"_s, QSize(800, 600));

    QVERIFY(!written.hasValue());
    QVERIFY(written.error().startsWith(u"/proc/opsbench-shots: "_s));
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
