#pragma once

class QValueAxis;

// Value axes whose ticks fall on round numbers, which people read at a glance: Qt's own ticks
// divide the range into equal parts, so a total of $2.36 gets ticks at $0.62, $1.24, $1.86.
namespace ChartAxes {

// The smallest step of 1, 2 or 5 times a power of ten, and no smaller than `smallest`, that
// cuts `span` into at most `ticks` intervals; `smallest` (or 0) for a span that is not
// positive.
double roundStep(double span, int ticks, double smallest = 0);

// Runs `axis` from 0 to the first round tick at or above `top` (1 when `top` is not positive),
// with at most `ticks` intervals; with `dollars`, labels them as dollars (whole for steps of a
// dollar or more, else cents or as many decimals as the step needs), otherwise as whole numbers.
void setRoundRange(QValueAxis *axis, double top, int ticks, bool dollars);

} // namespace ChartAxes
