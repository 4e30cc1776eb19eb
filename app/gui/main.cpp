#include "mainwindow.h"
#include "panels.h"
#include "screenshots.h"
#include "workbench.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace {

// A typical laptop screen, in logical pixels.
constexpr QSize screenshotSize(1440, 900);

int takeScreenshots(const QString &folder)
{
    // Screenshots show the simulator's answers and the bundled sample log, never the user's
    // own calls or key.
    QTemporaryDir scratch;
    Workbench workbench({true, scratch.filePath(u"llm_calls.jsonl"_s)});
    Panels panels(&workbench);
    int status = 0;
    QObject::connect(&workbench, &Workbench::ready, &workbench, [&] {
        panels.prepareScreenshots([&] {
            Expected<QStringList> written =
                renderScreenshots(*workbench.window(), folder, screenshotSize);
            if (written) {
                const Expected<QStringList> presentation =
                    renderPresentation(*workbench.window(), folder, u"caching"_s, screenshotSize);
                if (presentation)
                    written->append(*presentation);
                else
                    written = Failure{presentation.error()};
            }
            if (written) {
                for (const QString &path : *written)
                    std::printf("%s\n", qUtf8Printable(path));
            } else {
                std::fprintf(stderr, "opsbench: %s\n", qUtf8Printable(written.error()));
                status = 1;
            }
            QApplication::quit();
        });
    });
    workbench.start();
    QApplication::exec();
    return status;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"Opsbench"_s);
    QApplication::setOrganizationName(u"Opsbench"_s);
    QApplication::setApplicationVersion(QStringLiteral(OPSBENCH_VERSION));
    QApplication::setDesktopFileName(u"opsbench"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"A workbench for the cost, latency, caching and retries of LLM calls."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshot(
        u"screenshot"_s,
        u"Render every panel, with sample data, to DIR/<panel>.png and DIR/<panel>-dark.png "
        "at 1440x900, and the Caching panel in presentation mode to DIR/presentation*.png, "
        "then exit."_s,
        u"dir"_s);
    parser.addOption(screenshot);
    parser.process(app);

    if (parser.isSet(screenshot))
        return takeScreenshots(parser.value(screenshot));

    Workbench workbench({});
    Panels panels(&workbench);
    workbench.window()->restoreSavedState();
    workbench.window()->show();
    workbench.start();
    return QApplication::exec();
}
