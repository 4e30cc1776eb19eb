#include "thunderingherd.h"

#include "client/apierror.h"
#include "retry/retryclock.h"
#include "retry/retryrunner.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

using namespace Qt::Literals::StringLiterals;

int RetryHistogram::nonEmptyBins() const
{
    return int(std::count_if(counts.cbegin(), counts.cend(), [](int n) { return n > 0; }));
}

namespace ThunderingHerd {

QList<qint64> retryInstants(RetryPolicy policy, int clients, bool jitter, quint32 seed)
{
    if (jitter) {
        auto random = std::make_shared<QRandomGenerator>(seed);
        policy.setRandomSource([random] { return random->generateDouble(); });
    } else {
        policy.setRandomSource([] { return 0.0; });
    }
    policy.setMaxAttempts(2);

    VirtualClock clock(QDateTime::fromSecsSinceEpoch(0, Qt::UTC));
    const ApiError refused = ApiError::fromHttpResponse(429, {}, {}, clock.now());
    QList<qint64> instants(std::max(0, clients), -1);
    std::vector<std::unique_ptr<RetryRunner>> runners;
    for (int client = 0; client < clients; ++client) {
        auto runner = std::make_unique<RetryRunner>();
        RetryRunner *raw = runner.get();
        runner->setPolicy(policy);
        runner->setClock(&clock);
        runner->setOperation([raw, refused, &clock, &instants, client](int attempt) {
            if (attempt == 1) {
                raw->attemptFailed(refused);
                return;
            }
            instants[client] = clock.elapsedMs();
            raw->attemptSucceeded();
        });
        runner->start();
        runners.push_back(std::move(runner));
    }
    // Past the longest wait the policy allows, jitter included.
    clock.advance(policy.maxDelayMs() + policy.maxDelayMs() / 10 + 1);
    return instants;
}

RetryHistogram histogram(const RetryPolicy &policy, const QList<qint64> &instants, int bins)
{
    RetryHistogram histogram;
    const qint64 wait = std::min(policy.maxDelayMs(), policy.baseDelayMs());
    bins = std::max(1, bins);
    histogram.fromMs = wait;
    histogram.binMs = std::max<qint64>(1, qint64(std::ceil(double(wait) * 0.1 / bins)));
    histogram.counts = QList<int>(bins, 0);
    for (const qint64 instant : instants) {
        const qint64 bin = (instant - histogram.fromMs) / histogram.binMs;
        if (bin >= 0 && bin < bins)
            ++histogram.counts[bin];
    }
    return histogram;
}

} // namespace ThunderingHerd
