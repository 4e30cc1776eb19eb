#pragma once

#include <QString>

class QApplication;
class QChart;

// The window's colours and type sizes. Fusion everywhere, so the window looks the same on every
// desktop and in screenshots; its palette is light or dark, following the desktop unless the user
// chose. Presentation mode, for a projector, makes the application font half as large again and
// the palette high-contrast; widgets follow the application font by themselves, charts through
// styleChart().
namespace Theme {

enum class Mode { System, Light, Dark };

// Whether the desktop's own palette is dark (its window colour is darker than its text).
bool systemPrefersDark();

// Applies Fusion with the palette for `mode` to the whole application (the high-contrast one
// in presentation mode).
void apply(Mode mode);

// How much larger presentation mode makes every font.
inline constexpr double presentationScale = 1.5;

// Switches presentation mode on or off: sets the application font (the desktop's, or 1.5 times
// it) and applies `mode`'s palette again. Turning it off restores the font and palette exactly.
void setPresentation(bool on, Mode mode);
bool isPresentation();

// In presentation mode, gives a chart type as large as the application's, high-contrast text and
// thicker lines and borders; out of it, puts back what the chart had before. Call it after the
// chart's theme is set and its series and axes are in place: QChart::setTheme resets fonts and
// pens, and charts do not follow the application font by themselves.
void styleChart(QChart *chart);

// Whether the palette in use is dark; charts pick their theme from it.
bool isDark();

QString modeName(Mode mode);
Mode modeFromName(const QString &name);

} // namespace Theme
