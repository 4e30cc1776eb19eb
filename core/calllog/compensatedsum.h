#pragma once

#include <cmath>

// A running sum of doubles that keeps the rounding error of every addition (Neumaier's
// variant of Kahan summation), so that a million small costs add up to the same micro-dollar
// as the exact sum. Merging two sums stays compensated, so partial sums from separate threads
// can be combined in any grouping without losing what each one kept.
class CompensatedSum
{
public:
    void add(double term)
    {
        const double sum = m_sum + term;
        // The smaller operand is the one whose low bits the addition rounded away.
        if (std::abs(m_sum) >= std::abs(term))
            m_compensation += (m_sum - sum) + term;
        else
            m_compensation += (term - sum) + m_sum;
        m_sum = sum;
    }

    void add(const CompensatedSum &other)
    {
        add(other.m_sum);
        m_compensation += other.m_compensation;
    }

    double value() const { return m_sum + m_compensation; }

private:
    double m_sum = 0;
    double m_compensation = 0;
};
