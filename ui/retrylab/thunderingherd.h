#pragma once

#include "retry/retrypolicy.h"

#include <QList>

// How many retries fall in each time bin.
struct RetryHistogram
{
    qint64 fromMs = 0; // start of the first bin, from the moment the herd was refused
    qint64 binMs = 1;
    QList<int> counts;

    int nonEmptyBins() const;
};

// The thundering herd, computed in virtual time with no network: `clients` callers are refused
// with a 429 at the same instant and each waits out its RetryPolicy backoff on a VirtualClock
// before its retry. Without jitter every caller returns at the same millisecond; with jitter
// (a random source seeded with `seed`, so a seed replays the same spread) they arrive spread
// over the jitter window.
namespace ThunderingHerd {

// The instant of each client's first retry, in ms after the refusal, in client order.
QList<qint64> retryInstants(RetryPolicy policy, int clients, bool jitter, quint32 seed);

// `bins` equal bins covering the first retry's wait and its whole jitter window.
RetryHistogram histogram(const RetryPolicy &policy, const QList<qint64> &instants, int bins);

} // namespace ThunderingHerd
