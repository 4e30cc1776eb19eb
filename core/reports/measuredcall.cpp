#include "measuredcall.h"

#include "calllog/calllogreader.h"
#include "sim/simmodelcatalogue.h"

#include <QHash>

using namespace Qt::Literals::StringLiterals;

Expected<QList<MeasuredCall>> MeasuredCall::readLog(const QString &path, const PriceBook &prices,
                                                    const QString &feature)
{
    QList<MeasuredCall> calls;
    CallLogReader reader(prices);
    const Expected<void> scanned = reader.scan(path, [&](const LogLine &line) {
        if (line.kind != LogLine::Kind::Record || line.isError())
            return;
        if (!feature.isEmpty() && line.feature.toString() != feature)
            return;
        MeasuredCall call;
        call.model = line.model.toString();
        call.feature = line.feature.toString();
        call.systemPromptHash = line.systemPromptHash.toString();
        call.timestamp = QDateTime::fromString(line.timestamp.toString(), Qt::ISODateWithMs);
        call.usage = line.usage;
        calls.append(call);
    });
    if (!scanned)
        return Failure{scanned.error()};
    return calls;
}

QList<MeasuredCall> MeasuredCall::latestCachedRun(const QList<MeasuredCall> &calls, int maxCalls)
{
    qsizetype last = calls.size() - 1;
    while (last >= 0 && !calls.at(last).usedCache())
        --last;
    if (last < 0)
        return {};

    const QString &hash = calls.at(last).systemPromptHash;
    qsizetype first = last;
    while (first > 0 && last - first + 1 < maxCalls
           && calls.at(first - 1).systemPromptHash == hash) {
        --first;
    }
    return calls.mid(first, last - first + 1);
}

QString cacheVerdictText(CacheVerdict verdict)
{
    switch (verdict) {
    case CacheVerdict::Read:
        return u"hit: the prefix was read from the cache"_s;
    case CacheVerdict::FirstCall:
        return u"first call with this prompt: nothing to read yet, so it was written"_s;
    case CacheVerdict::Expired:
        return u"expired: the previous call with this prompt came longer ago than the TTL"_s;
    case CacheVerdict::PrefixChanged:
        return u"prefix changed: the call before sent a different system prompt"_s;
    case CacheVerdict::BelowMinimum:
        return u"not cached: the prompt is shorter than the model's minimum cacheable prefix"_s;
    case CacheVerdict::Unexplained:
        return u"written although the same prefix was sent within the TTL"_s;
    }
    return {};
}

QList<CacheVerdict> explainCacheUse(const QList<MeasuredCall> &calls, double ttlSeconds,
                                    const SimModelCatalogue &models)
{
    QList<CacheVerdict> verdicts;
    QHash<QString, QDateTime> lastSeen; // prompt version -> its latest call so far
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const MeasuredCall &call = calls.at(i);
        const SimModel *model = models.find(call.model);
        const qint64 minimum = model ? model->minCacheableTokens : 0;
        const auto previous = lastSeen.constFind(call.systemPromptHash);

        CacheVerdict verdict = CacheVerdict::Unexplained;
        if (call.usage.cacheReadInputTokens > 0)
            verdict = CacheVerdict::Read;
        else if (!call.usedCache() && call.usage.totalInputTokens() < minimum)
            verdict = CacheVerdict::BelowMinimum;
        else if (previous == lastSeen.constEnd())
            verdict = CacheVerdict::FirstCall;
        else if (previous->isValid() && call.timestamp.isValid()
                 && previous->msecsTo(call.timestamp) > ttlSeconds * 1000)
            verdict = CacheVerdict::Expired;
        else if (i > 0 && calls.at(i - 1).systemPromptHash != call.systemPromptHash)
            verdict = CacheVerdict::PrefixChanged;
        verdicts.append(verdict);
        lastSeen.insert(call.systemPromptHash, call.timestamp);
    }
    return verdicts;
}
