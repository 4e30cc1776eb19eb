#pragma once

#include "theme.h"

#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QWidget>

// Renders a panel on its own at laptop size (1440x900) with the light and the dark palette, so
// that a test sees every paint path run. With OPSBENCH_SCREENSHOT_DIR set, the images are kept as
// DIR/<id>.png and DIR/<id>-dark.png for a person to look at. Returns what went wrong, or nothing.
inline QString renderInBothPalettes(QWidget &panel, const QString &id)
{
    const QSize size(1440, 900);
    panel.resize(size);
    panel.show();
    const QString folder = qEnvironmentVariable("OPSBENCH_SCREENSHOT_DIR");
    for (Theme::Mode mode : {Theme::Mode::Light, Theme::Mode::Dark}) {
        Theme::apply(mode);
        QCoreApplication::processEvents();
        const QImage image = panel.grab().toImage();
        if (image.size() != size)
            return QStringLiteral("the panel does not fit in 1440x900");
        const QString name =
            id + (mode == Theme::Mode::Dark ? QStringLiteral("-dark.png") : QStringLiteral(".png"));
        if (!folder.isEmpty() && !image.save(QDir(folder).filePath(name)))
            return QStringLiteral("cannot write ") + QDir(folder).filePath(name);
    }
    return {};
}
