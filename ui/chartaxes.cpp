#include "chartaxes.h"

#include <QValueAxis>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

double ChartAxes::roundStep(double span, int ticks, double smallest)
{
    if (!(span > 0) || ticks < 1)
        return std::max(smallest, 0.0);
    // The power of ten at or below the exact step span / ticks: 1, 2 or 5 of it may do, and ten
    // of it always does.
    const double power = std::pow(10.0, std::floor(std::log10(span / ticks)));
    for (const double multiple : {1.0, 2.0, 5.0}) {
        const double step = std::max(multiple * power, smallest);
        if (span / step <= ticks * (1 + 1e-9))
            return step;
    }
    return std::max(10 * power, smallest);
}

void ChartAxes::setRoundRange(QValueAxis *axis, double top, int ticks, bool dollars)
{
    const double span = top > 0 ? top : 1;
    const double step = roundStep(span, ticks, dollars ? 0 : 1);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
    axis->setRange(0, std::ceil(span / step * (1 - 1e-9)) * step);
    if (!dollars) {
        axis->setLabelFormat(u"%.0f"_s);
        return;
    }
    // Whole dollars need no decimals; below a dollar, cents at least, and as many more as the
    // step needs: ticks 0.0005 apart take four.
    const int decimals = step >= 1 ? 0 : std::max(2, int(std::ceil(-std::log10(step) - 1e-9)));
    axis->setLabelFormat(u"$%.%1f"_s.arg(decimals));
}
