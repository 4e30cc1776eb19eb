#pragma once

#include <QtGlobal>

#include <memory>
#include <vector>

// The latencies of a group of calls, one double each, in fixed-size chunks. Unlike one vector
// it never holds twice what it needs while growing and never copies what it holds, and
// appending a later list moves that list's chunks over, so the figures of a million calls
// take 8 MB however they were read and merged.
class LatencyList
{
public:
    void append(double latencyMs)
    {
        if (m_chunks.empty() || m_chunks.back().size() == m_chunks.back().capacity()) {
            m_chunks.emplace_back();
            m_chunks.back().reserve(chunkSize);
        }
        m_chunks.back().push_back(latencyMs);
        ++m_size;
    }

    // Takes over the values of `later`, which is left empty.
    void append(LatencyList &&later)
    {
        for (std::vector<double> &chunk : later.m_chunks)
            m_chunks.push_back(std::move(chunk));
        m_size += later.m_size;
        later.m_chunks.clear();
        later.m_size = 0;
    }

    void append(const LatencyList &later)
    {
        later.forEach([this](double latencyMs) { append(latencyMs); });
    }

    qsizetype size() const { return m_size; }

    // Calls `visit` with every value, in order.
    template<typename Visit>
    void forEach(Visit &&visit) const
    {
        for (const std::vector<double> &chunk : m_chunks) {
            for (const double latencyMs : chunk)
                visit(latencyMs);
        }
    }

    // Adds every value to `out`, in order.
    void copyTo(std::vector<double> &out) const
    {
        for (const std::vector<double> &chunk : m_chunks)
            out.insert(out.end(), chunk.begin(), chunk.end());
    }

private:
    static constexpr std::size_t chunkSize = 8192; // 64 KiB

    std::vector<std::vector<double>> m_chunks;
    qsizetype m_size = 0;
};
