#include "theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

using namespace Qt::Literals::StringLiterals;

namespace {

// The desktop's palette as it was before we replaced it, to answer "what does the system want".
QPalette &systemPalette()
{
    static QPalette palette = QApplication::palette();
    return palette;
}

QPalette lightPalette()
{
    // Fusion's own light palette, with a calmer blue for selections and links.
    QPalette palette = QApplication::style()->standardPalette();
    palette.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xd0));
    palette.setColor(QPalette::Link, QColor(0x1d, 0x5b, 0xbf));
    return palette;
}

QPalette darkPalette()
{
    const QColor window(0x23, 0x25, 0x29);
    const QColor base(0x1a, 0x1c, 0x1f);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor dimmed(0x80, 0x84, 0x8a);
    QPalette palette;
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2d, 0x32));
    palette.setColor(QPalette::ToolTipBase, QColor(0x30, 0x33, 0x38));
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, dimmed);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, QColor(0x2e, 0x31, 0x36));
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    palette.setColor(QPalette::Light, QColor(0x3a, 0x3e, 0x44));
    palette.setColor(QPalette::Midlight, QColor(0x33, 0x36, 0x3c));
    palette.setColor(QPalette::Mid, QColor(0x26, 0x28, 0x2c));
    palette.setColor(QPalette::Dark, QColor(0x15, 0x16, 0x18));
    palette.setColor(QPalette::Shadow, Qt::black);
    palette.setColor(QPalette::Highlight, QColor(0x3d, 0x7e, 0xe0));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x6c, 0xa6, 0xff));
    palette.setColor(QPalette::LinkVisited, QColor(0xb0, 0x8c, 0xff));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, dimmed);
    return palette;
}

} // namespace

namespace Theme {

bool systemPrefersDark()
{
    const QPalette &palette = systemPalette();
    return palette.color(QPalette::Window).lightness()
           < palette.color(QPalette::WindowText).lightness();
}

void apply(Mode mode)
{
    systemPalette(); // remember the desktop's palette before the first change
    if (QApplication::style()->name() != "fusion"_L1)
        QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));
    const bool dark = mode == Mode::Dark || (mode == Mode::System && systemPrefersDark());
    QApplication::setPalette(dark ? darkPalette() : lightPalette());
}

bool isDark()
{
    const QPalette palette = QApplication::palette();
    return palette.color(QPalette::Window).lightness()
           < palette.color(QPalette::WindowText).lightness();
}

QString modeName(Mode mode)
{
    switch (mode) {
    case Mode::Light:
        return u"light"_s;
    case Mode::Dark:
        return u"dark"_s;
    case Mode::System:
        break;
    }
    return u"system"_s;
}

Mode modeFromName(const QString &name)
{
    if (name == "light"_L1)
        return Mode::Light;
    if (name == "dark"_L1)
        return Mode::Dark;
    return Mode::System;
}

} // namespace Theme
