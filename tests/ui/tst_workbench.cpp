#include "logpanel/logpanel.h"
#include "mainwindow.h"
#include "panels.h"
#include "promptpanel/promptpanel.h"
#include "settings/appsettings.h"
#include "settings/settingsdialog.h"
#include "sim/simulator.h"
#include "workbench.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

QAction *findAction(QMenu *menu, const QString &prefix)
{
    for (QAction *action : menu->actions()) {
        if (action->text().startsWith(prefix))
            return action;
    }
    return nullptr;
}

QStringList statusTexts(MainWindow *window)
{
    QStringList texts;
    for (const QLabel *label : window->statusBar()->findChildren<QLabel *>())
        texts.append(label->text());
    return texts;
}

} // namespace

class tst_Workbench : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void settingsRoundTrip();
    void startsOnTheSimulatorWithoutAKey();
    void startsWithALogItCannotOpen();
    void simulatorMenuInjectsFaults();
    void aCallFromThePromptPanelAppearsInTheLogPanel();
    void settingsDialogShowsTheKeyAndReturnsTheChoices();
};

void tst_Workbench::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(u"OpsbenchTest"_s);
    QApplication::setApplicationName(u"tst_workbench"_s);
}

void tst_Workbench::settingsRoundTrip()
{
    AppSettings chosen;
    chosen.baseUrl = u"http://127.0.0.1:9999"_s;
    chosen.version = ApiVersion::Version2026;
    chosen.defaultModel = u"claude-sonnet-4-6"_s;
    chosen.maxAttempts = 3;
    chosen.baseDelaySeconds = 0.5;
    chosen.save();

    const AppSettings loaded = AppSettings::load();

    QCOMPARE(loaded.baseUrl, chosen.baseUrl);
    QCOMPARE(loaded.version, ApiVersion::Version2026);
    QCOMPARE(loaded.defaultModel, u"claude-sonnet-4-6"_s);
    QCOMPARE(loaded.maxAttempts, 3);
    QCOMPARE(loaded.baseDelaySeconds, 0.5);
    const SessionOptions options = loaded.sessionOptions(u"sk-test"_s);
    QCOMPARE(options.retry.baseDelayMs(), 500);
    QCOMPARE(options.logPath, AppSettings::defaultLogPath());
    AppSettings().save();
}

void tst_Workbench::startsOnTheSimulatorWithoutAKey()
{
    QTemporaryDir dir;
    Workbench workbench({true, dir.filePath(u"llm_calls.jsonl"_s)});
    QSignalSpy ready(&workbench, &Workbench::ready);

    workbench.start();

    QTRY_COMPARE(ready.count(), 1);
    QCOMPARE(workbench.session()->backend(), Backend::Simulator);
    QVERIFY(workbench.session()->simulator());
    const QStringList status = statusTexts(workbench.window());
    QVERIFY2(status.contains(u"Simulator (no API key)"_s), qPrintable(status.join(u" | "_s)));
    QVERIFY(status.contains(u"Log: "_s + dir.filePath(u"llm_calls.jsonl"_s)));
}

void tst_Workbench::startsWithALogItCannotOpen()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"missing/llm_calls.jsonl"_s);
    Workbench workbench({true, path});
    QSignalSpy ready(&workbench, &Workbench::ready);

    workbench.start();

    // Calls can still be sent; the status bar says why they are not logged, naming the file.
    QTRY_COMPARE(ready.count(), 1);
    QVERIFY(workbench.session()->simulator());
    const QString message = workbench.window()->statusBar()->currentMessage();
    QVERIFY2(message.contains(u"not logged"_s) && message.contains(path), qPrintable(message));
}

void tst_Workbench::simulatorMenuInjectsFaults()
{
    QTemporaryDir dir;
    Workbench workbench({true, dir.filePath(u"llm_calls.jsonl"_s)});
    QSignalSpy ready(&workbench, &Workbench::ready);
    workbench.start();
    QTRY_COMPARE(ready.count(), 1);
    QMenu *menu = workbench.window()->menu(MainWindow::Menu::Simulator);

    QAction *rateLimit = findAction(menu, u"Rate-limit the next 5"_s);
    QVERIFY(rateLimit && rateLimit->isEnabled());
    rateLimit->trigger();

    const SimFaults faults = workbench.session()->simulator()->faults();
    QCOMPARE(faults.failFirst, 5);
    QCOMPARE(faults.failStatus, 429);
    QVERIFY(workbench.window()->statusBar()->currentMessage().contains(u"rate-limited"_s));

    findAction(menu, u"Clear faults"_s)->trigger();
    QCOMPARE(workbench.session()->simulator()->faults().failFirst, 0);
}

void tst_Workbench::aCallFromThePromptPanelAppearsInTheLogPanel()
{
    QTemporaryDir dir;
    Workbench workbench({true, dir.filePath(u"llm_calls.jsonl"_s)});
    Panels panels(&workbench);
    QSignalSpy ready(&workbench, &Workbench::ready);
    workbench.start();
    QTRY_COMPARE(ready.count(), 1);
    MainWindow *window = workbench.window();
    QCOMPARE(window->panelIds(), (QStringList{u"prompt"_s, u"router"_s, u"caching"_s, u"log"_s,
                                              u"capacity"_s, u"retry-lab"_s}));
    auto *prompt = qobject_cast<PromptPanel *>(window->panel(u"prompt"_s));
    auto *log = qobject_cast<LogPanel *>(window->panel(u"log"_s));
    QVERIFY(prompt && log);
    QTRY_COMPARE(log->logPath(), workbench.session()->logPath());
    QSignalSpy sent(prompt, &PromptPanel::callFinished);

    prompt->sendAction()->trigger();

    QVERIFY(sent.wait(20'000));
    const CallRecord record = sent.first().first().value<CallRecord>();
    QVERIFY(record.costKnown && record.costUsd > 0);
    // The Log panel follows the session's log: the record is there within a second or so, with
    // the cost the client logged.
    QTRY_COMPARE_WITH_TIMEOUT(log->index().size(), 1, 5000);
    QTRY_COMPARE(log->summary().calls, 1);
    QCOMPARE(log->index().at(0).costUsd, record.costUsd);
    QCOMPARE(log->summary().costUsd, record.costUsd);
    // The status bar's running cost is the same figure.
    QCOMPARE(workbench.session()->sessionCostUsd(), record.costUsd);
}

void tst_Workbench::settingsDialogShowsTheKeyAndReturnsTheChoices()
{
    qunsetenv("ANTHROPIC_API_KEY");
    ApiKeyStore keys(u"Opsbench-test-dialog"_s);
    AppSettings chosen;
    chosen.baseUrl = u"http://127.0.0.1:8080"_s;
    chosen.maxAttempts = 4;
    SettingsDialog dialog(chosen, &keys);
    dialog.resize(640, 700);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));

    QStringList texts;
    for (const QLabel *label : dialog.findChildren<QLabel *>())
        texts.append(label->text());
    QVERIFY2(texts.join(u'\n').contains(u"No key: calls go to the built-in simulator."_s),
             qPrintable(texts.join(u" | "_s)));

    // A key for this session only: masked in the dialog, never in the settings it returns.
    auto *newKey = dialog.findChild<QLineEdit *>();
    QVERIFY(newKey && newKey->echoMode() == QLineEdit::Password);
    QTest::keyClicks(newKey, u"sk-ant-api03-session-key-9Zq1"_s);
    QPushButton *sessionOnly = nullptr;
    for (QPushButton *button : dialog.findChildren<QPushButton *>()) {
        if (button->text().startsWith(u"Use for this session"_s))
            sessionOnly = button;
    }
    QVERIFY(sessionOnly && sessionOnly->isEnabled());
    QSignalSpy keyChanged(&dialog, &SettingsDialog::keyChanged);
    sessionOnly->click();
    QCOMPARE(keyChanged.count(), 1);
    QCOMPARE(keys.source(), ApiKeyStore::Source::Session);
    texts.clear();
    for (const QLabel *label : dialog.findChildren<QLabel *>())
        texts.append(label->text());
    QVERIFY(texts.join(u'\n').contains(u"sk-ant-…9Zq1"_s));
    QVERIFY(!texts.join(u'\n').contains(u"session-key"_s));

    const AppSettings returned = dialog.settings();
    QCOMPARE(returned.baseUrl, chosen.baseUrl);
    QCOMPARE(returned.maxAttempts, 4);
    if (const QString folder = qEnvironmentVariable("OPSBENCH_SCREENSHOT_DIR"); !folder.isEmpty())
        dialog.grab().save(folder + u"/settings.png"_s);
}

QTEST_MAIN(tst_Workbench)
#include "tst_workbench.moc"
