#pragma once

#include "common/expected.h"

#include <QLatin1StringView>

#include <initializer_list>
#include <optional>

// What a scenario input may hold.
enum class InputRange {
    NonNegative, // 0 or more
    Positive,    // more than 0
    Fraction,    // 0 to 1
    AtLeastOne,  // 1 or more, e.g. a peak-to-average ratio
};

// One number a person entered, with the name a message should use for it. An absent optional
// input passes.
struct InputCheck
{
    std::optional<double> value;
    QLatin1StringView name;
    InputRange range;
};

// Succeeds when every value is finite and in its range; otherwise fails naming the first input
// that is not, with its value: "TTL must be a number above 0, not 0".
Expected<void> checkInputs(std::initializer_list<InputCheck> checks);
