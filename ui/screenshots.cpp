#include "screenshots.h"

#include "mainwindow.h"
#include "theme.h"

#include <QApplication>
#include <QDir>
#include <QPixmap>
#include <QStatusBar>

using namespace Qt::Literals::StringLiterals;

namespace {

// Lets layouts, charts and queued updates settle before a panel is grabbed.
void settle()
{
    for (int i = 0; i < 5; ++i)
        QApplication::processEvents();
}

// A status message posted while the window was hidden paints over the status widgets (the bar
// hides them only when they are visible); a screenshot wants the lasting status.
void clearMessage(MainWindow &window)
{
    window.statusBar()->clearMessage();
}

} // namespace

Expected<QStringList> renderScreenshots(MainWindow &window, const QString &folder, QSize size)
{
    QDir dir(folder);
    if (!dir.exists() && !QDir().mkpath(folder))
        return fail(u"%1: cannot create the folder for screenshots"_s.arg(folder));

    window.resize(size);
    window.show();
    clearMessage(window);
    QStringList written;
    for (Theme::Mode mode : {Theme::Mode::Light, Theme::Mode::Dark}) {
        Theme::apply(mode);
        for (const QString &id : window.panelIds()) {
            window.showPanel(id);
            settle();
            const QString suffix = mode == Theme::Mode::Dark ? u"-dark"_s : QString();
            const QString path = dir.filePath(id + suffix + u".png"_s);
            if (!window.grab().save(path))
                return fail(u"%1: cannot write the screenshot"_s.arg(path));
            written.append(path);
        }
    }
    return written;
}

Expected<QStringList> renderPresentation(MainWindow &window, const QString &folder,
                                         const QString &id, QSize size)
{
    QDir dir(folder);
    if (!dir.exists() && !QDir().mkpath(folder))
        return fail(u"%1: cannot create the folder for screenshots"_s.arg(folder));

    window.show();
    clearMessage(window);
    window.showPanel(id);
    window.setPresentation(true);
    QStringList written;
    const std::pair<QSize, QString> sizes[] = {{size, QString()}, {QSize(1280, 720), u"-720p"_s}};
    for (Theme::Mode mode : {Theme::Mode::Light, Theme::Mode::Dark}) {
        Theme::apply(mode);
        for (const auto &[pixels, infix] : sizes) {
            // Full screen means the offscreen platform's screen; the picture wants `pixels`.
            window.showNormal();
            window.resize(pixels);
            settle();
            const QString suffix = mode == Theme::Mode::Dark ? u"-dark"_s : QString();
            const QString path = dir.filePath(u"presentation"_s + infix + suffix + u".png"_s);
            if (!window.grab().save(path))
                return fail(u"%1: cannot write the screenshot"_s.arg(path));
            written.append(path);
        }
    }
    window.setPresentation(false);
    return written;
}
