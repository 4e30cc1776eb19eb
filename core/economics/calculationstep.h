#pragma once

#include <QString>

// One line of shown working: what is computed, the formula with the numbers filled in, and the
// result. A panel or a markdown report lists these so a reader can redo every figure by hand.
struct CalculationStep
{
    QString label;   // "Daily cost without caching"
    QString formula; // "1000 calls x 500 tokens x $0.30 / 1e6"
    QString result;  // "$0.150000"

    // "label = formula = result"
    QString toString() const;
};

// How the working writes its numbers, so every step reads the same way.

// Dollars with six decimals, more for amounts under a cent so that four significant digits
// remain, up to twelve: "$0.150000", "$0.0001875". Amounts below half of the twelfth decimal
// show as "$0.000000".
QString formatUsd(double amount);

// Dollars a day or a month, as a plan deals in them: cents with thousands separators from a
// dollar up ("$2,700.00"), six decimals below it ("$0.004500"), nothing as "$0.00", and the
// sign before the dollar ("-$12.50").
QString formatDollars(double amount);

// A price per million tokens with as few decimals as show it exactly, at least two: "$0.30",
// "$0.375", "$3.00".
QString formatPrice(double usdPerMillion);

// A count: whole numbers without decimals ("1000"), others with two ("31.05").
QString formatCount(double count);
