#include "chartaxes.h"

#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <iterator>

using namespace Qt::StringLiterals;

double ChartAxes::roundStep(double span, int ticks, double smallest)
{
    if (!(span > 0) || ticks < 1)
        return std::max(smallest, 0.0);
    constexpr double multiples[] = {1, 2, 5, 10};
    // Start a power of ten below the step that would be exact, so that 1, 2 and 5 of it are tried.
    const double power = std::pow(10.0, std::floor(std::log10(span / ticks)));
    for (const double multiple : multiples) {
        const double step = std::max(multiple * power, smallest);
        if (span / step <= ticks * (1 + 1e-9))
            return step;
    }
    return std::max(std::end(multiples)[-1] * power, smallest);
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
