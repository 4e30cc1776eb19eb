#include "screenshots.h"

#include "mainwindow.h"
#include "theme.h"

#include <QApplication>
#include <QDir>
#include <QPixmap>

using namespace Qt::Literals::StringLiterals;

namespace {

// Lets layouts, charts and queued updates settle before a panel is grabbed.
void settle()
{
    for (int i = 0; i < 5; ++i)
        QApplication::processEvents();
}

} // namespace

Expected<QStringList> renderScreenshots(MainWindow &window, const QString &folder, QSize size)
{
    QDir dir(folder);
    if (!dir.exists() && !QDir().mkpath(folder))
        return fail(u"%1: cannot create the folder for screenshots"_s.arg(folder));

    window.resize(size);
    window.show();
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
