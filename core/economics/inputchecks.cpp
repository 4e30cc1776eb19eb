#include "inputchecks.h"

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

bool inRange(double value, InputRange range)
{
    switch (range) {
    case InputRange::NonNegative:
        return value >= 0;
    case InputRange::Positive:
        return value > 0;
    case InputRange::Fraction:
        return value >= 0 && value <= 1;
    case InputRange::AtLeastOne:
        return value >= 1;
    }
    return false;
}

QString describe(InputRange range)
{
    switch (range) {
    case InputRange::NonNegative:
        return u"a number of 0 or more"_s;
    case InputRange::Positive:
        return u"a number above 0"_s;
    case InputRange::Fraction:
        return u"a fraction from 0 to 1"_s;
    case InputRange::AtLeastOne:
        return u"a number of 1 or more"_s;
    }
    return {};
}

} // namespace

Expected<void> checkInputs(std::initializer_list<InputCheck> checks)
{
    for (const InputCheck &check : checks) {
        if (!check.value)
            continue;
        const double value = *check.value;
        if (!std::isfinite(value) || !inRange(value, check.range)) {
            return fail(
                u"%1 must be %2, not %3"_s.arg(check.name, describe(check.range)).arg(value));
        }
    }
    return {};
}
