#pragma once

#include "simrequest.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>

#include <functional>
#include <optional>

// What one request did to the cache, in the API's usage terms.
struct CacheOutcome
{
    qint64 readTokens = 0;
    qint64 written5mTokens = 0;
    qint64 written1hTokens = 0;

    qint64 writtenTokens() const { return written5mTokens + written1hTokens; }
};

// The simulator's prompt cache, with the API's semantics: a prefix (tools, system, messages, in
// that order) is written only at a cache_control breakpoint, keyed by a hash of the model and
// every block up to and including the breakpoint block; a later request reads the longest live
// prefix it shares, looking back up to 20 blocks from each of its breakpoints; a prefix below
// the model's minimum is silently not cached. Entries live 5 minutes (or 1 hour) from their
// last hit. Time comes from an injectable clock so tests can expire entries without waiting.
class PromptCache
{
public:
    using Clock = std::function<QDateTime()>;

    PromptCache();

    void setClock(Clock clock) { m_clock = std::move(clock); }
    // Multiplies both TTLs (0.01 turns five minutes into three seconds for a demo).
    void setTtlScale(double scale) { m_ttlScale = scale; }
    // Replaces both TTLs with a fixed number of seconds; nullopt restores them.
    void setTtlOverride(std::optional<int> seconds) { m_ttlOverride = seconds; }
    void clear() { m_entries.clear(); }
    qsizetype liveEntries() const;

    // Looks the request's prefix up, refreshes what it hits and writes what it misses.
    CacheOutcome apply(const QString &modelId, const QList<PromptBlock> &prompt,
                       qint64 minCacheableTokens);
    // The same look-up with no side effect (nothing refreshed or written).
    qint64 peekReadTokens(const QString &modelId, const QList<PromptBlock> &prompt) const;

private:
    struct Entry
    {
        qint64 ttlMs = 0;
        QDateTime expiresAt;
    };

    qint64 ttlMs(CacheTtl ttl) const;
    QList<QByteArray> prefixKeys(const QString &modelId, const QList<PromptBlock> &prompt) const;
    int longestHit(const QList<PromptBlock> &prompt, const QList<QByteArray> &keys) const;

    Clock m_clock;
    double m_ttlScale = 1.0;
    std::optional<int> m_ttlOverride;
    QHash<QByteArray, Entry> m_entries;
};
