#pragma once

#include <QString>

class QApplication;

// The window's colours. Fusion everywhere, so the window looks the same on every desktop and in
// screenshots; its palette is light or dark, following the desktop unless the user chose.
namespace Theme {

enum class Mode { System, Light, Dark };

// Whether the desktop's own palette is dark (its window colour is darker than its text).
bool systemPrefersDark();

// Applies Fusion with the palette for `mode` to the whole application.
void apply(Mode mode);

// Whether the palette in use is dark; charts pick their theme from it.
bool isDark();

QString modeName(Mode mode);
Mode modeFromName(const QString &name);

} // namespace Theme
