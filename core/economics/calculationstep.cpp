#include "calculationstep.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

QString CalculationStep::toString() const
{
    return label + u" = "_s + formula + u" = "_s + result;
}

QString formatUsd(double amount)
{
    int decimals = 6;
    // An amount too small to show in twelve decimals is shown as the zero it is for money,
    // not as twelve zeros that suggest a digit further on.
    if (std::abs(amount) >= 0.5e-12 && std::abs(amount) < 0.01) {
        const int leadingZeros = -int(std::floor(std::log10(std::abs(amount)))) - 1;
        decimals = std::clamp(leadingZeros + 4, 6, 12);
    }
    return u'$' + QString::number(amount, 'f', decimals);
}

QString formatPrice(double usdPerMillion)
{
    int decimals = 2;
    for (; decimals < 6; ++decimals) {
        const double scaled = usdPerMillion * std::pow(10.0, decimals);
        if (std::abs(scaled - std::round(scaled)) < 1e-6)
            break;
    }
    return u'$' + QString::number(usdPerMillion, 'f', decimals);
}

QString formatDollars(double amount)
{
    const double size = std::abs(amount);
    return (amount < 0 ? u"-$"_s : u"$"_s)
           + QLocale(QLocale::English).toString(size, 'f', size > 0 && size < 1 ? 6 : 2);
}

QString formatCount(double count)
{
    if (std::abs(count - std::round(count)) < 1e-9)
        return QString::number(qint64(std::round(count)));
    return QString::number(count, 'f', 2);
}
