#include "theme.h"

#include <QAbstractAxis>
#include <QAbstractBarSeries>
#include <QApplication>
#include <QBarSet>
#include <QChart>
#include <QLegend>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>
#include <QXYSeries>

#include <functional>
#include <optional>

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

// Near-black on white, or white on near-black, with a saturated accent: readable on a projector
// that washes colours out.
QPalette presentationPalette(bool dark)
{
    QPalette palette = dark ? darkPalette() : lightPalette();
    const QColor background = dark ? QColor(0x0c, 0x0c, 0x0e) : Qt::white;
    const QColor text = dark ? Qt::white : QColor(0x0a, 0x0a, 0x0a);
    palette.setColor(QPalette::Window, background);
    palette.setColor(QPalette::Base, background);
    palette.setColor(QPalette::AlternateBase,
                     dark ? QColor(0x1e, 0x1e, 0x22) : QColor(0xee, 0xee, 0xee));
    palette.setColor(QPalette::Button, dark ? QColor(0x22, 0x22, 0x26) : QColor(0xe8, 0xe8, 0xe8));
    for (QPalette::ColorRole role :
         {QPalette::WindowText, QPalette::Text, QPalette::ButtonText, QPalette::ToolTipText}) {
        palette.setColor(QPalette::Active, role, text);
        palette.setColor(QPalette::Inactive, role, text);
    }
    palette.setColor(QPalette::Mid, dark ? QColor(0x90, 0x90, 0x90) : QColor(0x60, 0x60, 0x60));
    palette.setColor(QPalette::Highlight,
                     dark ? QColor(0x2b, 0x7b, 0xff) : QColor(0x00, 0x4c, 0xd1));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, dark ? QColor(0x7c, 0xb4, 0xff) : QColor(0x00, 0x3a, 0xa8));
    return palette;
}

// The application font before presentation mode enlarged it.
std::optional<QFont> &normalFont()
{
    static std::optional<QFont> font;
    return font;
}

bool presenting = false;

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
    if (presenting)
        QApplication::setPalette(presentationPalette(dark));
    else
        QApplication::setPalette(dark ? darkPalette() : lightPalette());
}

void setPresentation(bool on, Mode mode)
{
    if (on && !presenting) {
        normalFont() = QApplication::font();
        QFont large = *normalFont();
        large.setPointSizeF(large.pointSizeF() * presentationScale);
        QApplication::setFont(large);
    } else if (!on && presenting && normalFont()) {
        QApplication::setFont(*normalFont());
        normalFont().reset();
    }
    presenting = on;
    // The font first: widgets that restyle their charts on the palette change then see it.
    apply(mode);
}

bool isPresentation()
{
    return presenting;
}

void styleChart(QChart *chart)
{
    if (!chart)
        return;
    const QFont font = QApplication::font();
    QFont title = font;
    title.setBold(true);
    const QColor text = QApplication::palette().color(QPalette::Text);

    // Every property changed for presentation keeps its normal value beside it, so that leaving
    // puts back what the chart theme and the panel chose (setTheme() to the same theme again
    // would change nothing).
    const auto style = [](QObject *object, const char *key, const QVariant &current,
                          const QVariant &large, const std::function<void(const QVariant &)> &set) {
        const QVariant normal = object->property(key);
        if (presenting) {
            if (!normal.isValid())
                object->setProperty(key, current);
            set(large);
        } else if (normal.isValid()) {
            set(normal);
            object->setProperty(key, QVariant());
        }
    };
    style(chart, "opsbenchTitleFont", chart->titleFont(), title,
          [chart](const QVariant &value) { chart->setTitleFont(value.value<QFont>()); });
    style(chart, "opsbenchTitleBrush", chart->titleBrush(), QBrush(text),
          [chart](const QVariant &value) { chart->setTitleBrush(value.value<QBrush>()); });
    QLegend *legend = chart->legend();
    // A little smaller than the rest: a legend shares one line, and elided entries say nothing.
    QFont legendFont = font;
    legendFont.setPointSizeF(font.pointSizeF() * 0.85);
    style(legend, "opsbenchFont", legend->font(), legendFont,
          [legend](const QVariant &value) { legend->setFont(value.value<QFont>()); });
    style(legend, "opsbenchColor", legend->labelColor(), text,
          [legend](const QVariant &value) { legend->setLabelColor(value.value<QColor>()); });
    for (QAbstractAxis *axis : chart->axes()) {
        style(axis, "opsbenchLabelsFont", axis->labelsFont(), font,
              [axis](const QVariant &value) { axis->setLabelsFont(value.value<QFont>()); });
        style(axis, "opsbenchLabelsColor", axis->labelsColor(), text,
              [axis](const QVariant &value) { axis->setLabelsColor(value.value<QColor>()); });
        style(axis, "opsbenchTitleFont", axis->titleFont(), title,
              [axis](const QVariant &value) { axis->setTitleFont(value.value<QFont>()); });
        style(axis, "opsbenchTitleBrush", axis->titleBrush(), QBrush(text),
              [axis](const QVariant &value) { axis->setTitleBrush(value.value<QBrush>()); });
    }
    for (QAbstractSeries *series : chart->series()) {
        if (auto *xy = qobject_cast<QXYSeries *>(series)) {
            QPen thick = xy->pen();
            thick.setWidthF(std::max(4.0, thick.widthF()));
            style(xy, "opsbenchPen", xy->pen(), thick,
                  [xy](const QVariant &value) { xy->setPen(value.value<QPen>()); });
        } else if (auto *bars = qobject_cast<QAbstractBarSeries *>(series)) {
            for (QBarSet *set : bars->barSets()) {
                style(set, "opsbenchLabelFont", set->labelFont(), title,
                      [set](const QVariant &value) { set->setLabelFont(value.value<QFont>()); });
                style(set, "opsbenchPen", set->pen(), QPen(text, 2),
                      [set](const QVariant &value) { set->setPen(value.value<QPen>()); });
            }
        }
    }
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
