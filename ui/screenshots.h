#pragma once

#include "common/expected.h"

#include <QSize>
#include <QStringList>

class MainWindow;

// Renders every panel of the window to PNG, for the README and for looking at the window without
// a desktop (it works on the offscreen platform). Each panel is written as DIR/<id>.png with the
// light palette and DIR/<id>-dark.png with the dark one, at `size` logical pixels. Returns the
// files written, or why the folder could not be written.
Expected<QStringList> renderScreenshots(MainWindow &window, const QString &folder, QSize size);

// Renders panel `id` in presentation mode, light and dark, at `size` and on a 1280x720
// projector: DIR/presentation.png, presentation-dark.png, presentation-720p.png and
// presentation-720p-dark.png. The window leaves presentation mode afterwards.
Expected<QStringList> renderPresentation(MainWindow &window, const QString &folder,
                                         const QString &id, QSize size);
