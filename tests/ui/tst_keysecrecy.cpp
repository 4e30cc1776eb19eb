#include "../canarykey.h"

#include "cachingpanel/cachingpanel.h"
#include "capacitypanel/capacitypanel.h"
#include "credentials/apikeystore.h"
#include "logpanel/logpanel.h"
#include "mainwindow.h"
#include "panels.h"
#include "promptpanel/promptpanel.h"
#include "screenshots.h"
#include "settings/settingsdialog.h"
#include "sim/simulator.h"
#include "workbench.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QMutex>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTextEdit>
#include <QTimer>

using namespace Qt::Literals::StringLiterals;

namespace {

// Everything the process prints through Qt's message handler, debug output included.
QMutex messagesMutex;
QByteArray messages;

void keepMessage(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    const QMutexLocker locker(&messagesMutex);
    messages +=
        QByteArray(context.category ? context.category : "") + ": " + message.toUtf8() + '\n';
}

// The prompt a call sends: it must reach the log only when the user asked for prompts there.
const QString prompt = u"How do I \"return\" a bike?\nAsking for a friend."_s;

// Every text a person could see or a screen reader could read in `root` and its children.
QStringList visibleTexts(QWidget *root)
{
    QStringList texts;
    QList<QWidget *> widgets = root->findChildren<QWidget *>();
    widgets.prepend(root);
    for (QWidget *widget : std::as_const(widgets)) {
        texts << widget->windowTitle() << widget->toolTip() << widget->statusTip()
              << widget->whatsThis() << widget->accessibleName() << widget->accessibleDescription();
        for (const QAction *action : widget->actions())
            texts << action->text() << action->toolTip() << action->statusTip();
        if (auto *label = qobject_cast<QLabel *>(widget))
            texts << label->text();
        if (auto *line = qobject_cast<QLineEdit *>(widget))
            texts << line->text() << line->displayText() << line->placeholderText();
        if (auto *button = qobject_cast<QAbstractButton *>(widget))
            texts << button->text();
        if (auto *edit = qobject_cast<QPlainTextEdit *>(widget))
            texts << edit->toPlainText();
        if (auto *edit = qobject_cast<QTextEdit *>(widget))
            texts << edit->toPlainText();
        if (auto *box = qobject_cast<QComboBox *>(widget)) {
            for (int i = 0; i < box->count(); ++i)
                texts << box->itemText(i);
        }
        if (auto *bar = qobject_cast<QStatusBar *>(widget))
            texts << bar->currentMessage();
    }
    return texts;
}

} // namespace

// The GUI with a key in the system keychain: after calls that succeed and fail, the Settings
// dialog, screenshots of every panel and every export, the key is nowhere in what the process
// wrote or printed, nor in any text the window or the dialog shows; the dialog shows it masked.
// Needs the test command's private D-Bus session with gnome-keyring, as tst_apikeystore does.
class tst_KeySecrecy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void logPromptsIsOffUntilChosenAndPersists();
    void theSimulatorSaysItListensOnLoopbackOnly();
    void aWholeSessionLeavesNoTrace();

private:
    QStringList leakedTexts(QWidget *root, const QString &where) const;
    void inspectSettingsDialog();
    std::optional<CallRecord> sendFromThePromptPanel(Workbench &workbench);

    CanaryKey m_canary;
    QTemporaryDir m_root;
    const QString m_service = u"Opsbench-secrecy-%1"_s.arg(QCoreApplication::applicationPid());
    QStringList m_dialogFindings;
    bool m_dialogInspected = false;
};

void tst_KeySecrecy::initTestCase()
{
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")) {
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL("no D-Bus session: run the tests through scripts/bootstrap.sh test");
        QSKIP("no D-Bus session with a keychain; scripts/bootstrap.sh test starts one");
    }
    qunsetenv("ANTHROPIC_API_KEY");
    qunsetenv("ANTHROPIC_BASE_URL");
    // Every file the app writes goes under the temporary folder, to be searched.
    qputenv("XDG_CONFIG_HOME", m_root.filePath(u"config"_s).toUtf8());
    qputenv("XDG_DATA_HOME", m_root.filePath(u"data"_s).toUtf8());
    qputenv("XDG_CACHE_HOME", m_root.filePath(u"cache"_s).toUtf8());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_root.filePath(u"config"_s));
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_root.filePath(u"config"_s));
    QApplication::setOrganizationName(u"OpsbenchTest"_s);
    QApplication::setApplicationName(u"tst_keysecrecy"_s);
    QLoggingCategory::setFilterRules(u"opsbench.*=true"_s);
    qInstallMessageHandler(keepMessage);

    ApiKeyStore keys(m_service);
    QSignalSpy stored(&keys, &ApiKeyStore::finished);
    keys.store(m_canary.key());
    QVERIFY(stored.count() == 1 || stored.wait(20'000));
    QVERIFY2(keys.errorString().isEmpty(), qPrintable(keys.errorString()));
}

void tst_KeySecrecy::cleanupTestCase()
{
    qInstallMessageHandler(nullptr);
    ApiKeyStore keys(m_service);
    QSignalSpy erased(&keys, &ApiKeyStore::finished);
    keys.erase();
    if (erased.count() == 0)
        erased.wait(20'000);
}

QStringList tst_KeySecrecy::leakedTexts(QWidget *root, const QString &where) const
{
    return m_canary.findIn(visibleTexts(root).join(u'\n').toUtf8(), where);
}

void tst_KeySecrecy::logPromptsIsOffUntilChosenAndPersists()
{
    QSettings().clear();
    QCOMPARE(AppSettings::load().logPrompts, false);

    AppSettings chosen = AppSettings::load();
    chosen.logPrompts = true;
    chosen.save();

    QCOMPARE(AppSettings::load().logPrompts, true);
    QCOMPARE(AppSettings::load().sessionOptions(QString()).logPrompts, true);
    ApiKeyStore keys(m_service);
    SettingsDialog dialog(AppSettings::load(), &keys);
    auto *box = dialog.findChild<QCheckBox *>();
    QVERIFY(box && box->isChecked());
    box->setChecked(false);
    QCOMPARE(dialog.settings().logPrompts, false);
    QSettings().clear();
}

void tst_KeySecrecy::theSimulatorSaysItListensOnLoopbackOnly()
{
    Workbench workbench({true, m_root.filePath(u"simulator.jsonl"_s), m_service});
    QSignalSpy ready(&workbench, &Workbench::ready);
    workbench.start();
    QVERIFY(ready.count() == 1 || ready.wait(20'000));

    QString toolTip;
    for (const QLabel *label : workbench.window()->statusBar()->findChildren<QLabel *>()) {
        if (label->text() == "Simulator (no API key)"_L1)
            toolTip = label->toolTip();
    }
    QVERIFY2(toolTip.contains(u"listens on loopback only: other machines cannot connect"_s),
             qPrintable(toolTip));
}

std::optional<CallRecord> tst_KeySecrecy::sendFromThePromptPanel(Workbench &workbench)
{
    auto *panel = qobject_cast<PromptPanel *>(workbench.window()->panel(u"prompt"_s));
    panel->findChild<QPlainTextEdit *>(u"userMessage"_s)->setPlainText(prompt);
    QSignalSpy sent(workbench.session()->client(), &MessagesClient::callFinished);
    panel->sendAction()->trigger();
    if (!sent.wait(20'000))
        return std::nullopt;
    return sent.first().first().value<CallRecord>();
}

// Called from a timer while the dialog runs its own event loop.
void tst_KeySecrecy::inspectSettingsDialog()
{
    auto *dialog = qobject_cast<SettingsDialog *>(QApplication::activeModalWidget());
    if (!dialog)
        return QTimer::singleShot(20, this, &tst_KeySecrecy::inspectSettingsDialog);
    dialog->grab().save(m_root.filePath(u"shots/settings.png"_s));
    m_dialogFindings = leakedTexts(dialog, u"the Settings dialog"_s);
    const QString texts = visibleTexts(dialog).join(u'\n');
    const QString masked = ApiKeyStore::masked(m_canary.key());
    if (!texts.contains(u"Stored in the system keychain: "_s + masked))
        m_dialogFindings.append(u"the dialog does not show the key masked: "_s + texts);
    const QString logNotice = u"anyone who can read that file can read them"_s;
    if (!texts.contains(logNotice))
        m_dialogFindings.append(u"the prompt-logging box does not say who can read them"_s);
    m_dialogInspected = true;
    dialog->reject();
}

void tst_KeySecrecy::aWholeSessionLeavesNoTrace()
{
    Simulator simulator;
    simulator.setLatencyScale(0);
    QVERIFY(simulator.start().hasValue());
    AppSettings settings;
    settings.baseUrl = simulator.baseUrl().toString();
    settings.logPath = m_root.filePath(u"data/llm_calls.jsonl"_s);
    settings.logPrompts = true; // the key must stay out even when prompts go in
    settings.maxAttempts = 3;
    settings.baseDelaySeconds = 0.01;
    settings.save();
    QVERIFY(QDir().mkpath(m_root.filePath(u"shots"_s)));
    QVERIFY(QDir().mkpath(m_root.filePath(u"exports"_s)));
    QVERIFY(QDir().mkpath(m_root.filePath(u"data"_s)));

    Workbench workbench({false, QString(), m_service});
    Panels panels(&workbench);
    QSignalSpy ready(&workbench, &Workbench::ready);
    workbench.start();
    QVERIFY(ready.wait(20'000));
    MainWindow *window = workbench.window();
    window->resize(1440, 900);
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window));
    // The key came from the keychain and is what the client sends.
    QCOMPARE(workbench.session()->backend(), Backend::Custom);
    QCOMPARE(workbench.session()->client()->config().apiKey, m_canary.key());

    std::optional<CallRecord> record = sendFromThePromptPanel(workbench);
    QVERIFY(record && record->finishReason != "error"_L1);
    SimFaults faults;
    faults.failFirst = 1;
    faults.failStatus = 401;
    simulator.setFaults(faults);
    record = sendFromThePromptPanel(workbench);
    QVERIFY(record && record->extra.value("http_status"_L1).toInt() == 401);
    faults.failFirst = 2;
    faults.failStatus = 429;
    simulator.setFaults(faults);
    record = sendFromThePromptPanel(workbench);
    QVERIFY(record && record->finishReason != "error"_L1);
    QCOMPARE(record->extra.value("attempts"_L1).toInt(), 3);

    QTimer::singleShot(0, this, &tst_KeySecrecy::inspectSettingsDialog);
    Q_EMIT window->settingsRequested();
    QVERIFY(m_dialogInspected);

    QStringList found = leakedTexts(window, u"the window"_s);
    const Expected<QStringList> shots =
        renderScreenshots(*window, m_root.filePath(u"shots"_s), QSize(1440, 900));
    QVERIFY(shots.hasValue());
    found += leakedTexts(window, u"the window after the screenshots"_s);

    auto *log = qobject_cast<LogPanel *>(window->panel(u"log"_s));
    QTRY_COMPARE_WITH_TIMEOUT(log->index().size(), 3, 5000);
    log->selectRow(0);
    QVERIFY2(log->detailText().contains(u"Prompt:\n"_s + prompt), qPrintable(log->detailText()));
    QVERIFY(log->detailText().contains(u"Answer:\n"_s));
    QVERIFY(log->exportCsv(m_root.filePath(u"exports/calls.csv"_s)).hasValue());
    QVERIFY(log->exportChart(m_root.filePath(u"exports/chart.png"_s)).hasValue());
    auto *caching = qobject_cast<CachingPanel *>(window->panel(u"caching"_s));
    QVERIFY(caching->exportReport(m_root.filePath(u"exports/cache-report.md"_s)).hasValue());
    auto *capacity = qobject_cast<CapacityPanel *>(window->panel(u"capacity"_s));
    QVERIFY(capacity->exportReport(m_root.filePath(u"exports/capacity-report.md"_s)).hasValue());

    QSettings().sync();
    workbench.window()->close();
    found += m_dialogFindings;
    {
        const QMutexLocker locker(&messagesMutex);
        QVERIFY(messages.contains("opsbench.client")); // debug output was on and kept
        found += m_canary.findIn(messages, u"the messages printed"_s);
    }
    int searched = 0;
    found += m_canary.findInFolder(m_root.path(), &searched);
    QVERIFY2(found.isEmpty(), qPrintable(found.join(u'\n')));
    // The settings, the log, the four exports and the screenshots at least.
    QVERIFY(searched >= 6 + shots->size());
}

QTEST_MAIN(tst_KeySecrecy)
#include "tst_keysecrecy.moc"
