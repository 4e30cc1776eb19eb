#include "promptcache.h"

#include <QCryptographicHash>

namespace {

// A breakpoint finds earlier writes at most this many blocks before it.
constexpr int lookbackBlocks = 20;
constexpr qint64 fiveMinutesMs = 5 * 60 * 1000;
constexpr qint64 oneHourMs = 60 * 60 * 1000;

} // namespace

PromptCache::PromptCache()
    : m_clock([] { return QDateTime::currentDateTimeUtc(); })
{}

qsizetype PromptCache::liveEntries() const
{
    const QDateTime now = m_clock();
    qsizetype live = 0;
    for (const Entry &entry : m_entries)
        live += entry.expiresAt > now ? 1 : 0;
    return live;
}

qint64 PromptCache::ttlMs(CacheTtl ttl) const
{
    if (m_ttlOverride)
        return qint64(*m_ttlOverride) * 1000;
    const qint64 base = ttl == CacheTtl::OneHour ? oneHourMs : fiveMinutesMs;
    return qint64(double(base) * m_ttlScale);
}

// Key i hashes the model and blocks 0..i, chained so each key costs one block of hashing.
QList<QByteArray> PromptCache::prefixKeys(const QString &modelId,
                                          const QList<PromptBlock> &prompt) const
{
    QList<QByteArray> keys;
    keys.reserve(prompt.size());
    QByteArray previous = QCryptographicHash::hash(modelId.toUtf8(), QCryptographicHash::Sha256);
    for (const PromptBlock &block : prompt) {
        QCryptographicHash hash(QCryptographicHash::Sha256);
        hash.addData(previous);
        hash.addData(QByteArray::number(block.canonical.size()));
        hash.addData(block.canonical);
        previous = hash.result();
        keys.append(previous);
    }
    return keys;
}

int PromptCache::longestHit(const QList<PromptBlock> &prompt, const QList<QByteArray> &keys) const
{
    const QDateTime now = m_clock();
    int hit = -1;
    for (int b = int(prompt.size()) - 1; b > hit; --b) {
        if (prompt.at(b).breakpoint == CacheTtl::None)
            continue;
        for (int i = b; i >= std::max(hit + 1, b - lookbackBlocks + 1); --i) {
            const auto entry = m_entries.constFind(keys.at(i));
            if (entry != m_entries.cend() && entry->expiresAt > now) {
                hit = i;
                break;
            }
        }
    }
    return hit;
}

qint64 PromptCache::peekReadTokens(const QString &modelId, const QList<PromptBlock> &prompt) const
{
    const int hit = longestHit(prompt, prefixKeys(modelId, prompt));
    qint64 tokens = 0;
    for (int i = 0; i <= hit; ++i)
        tokens += prompt.at(i).tokens;
    return tokens;
}

CacheOutcome PromptCache::apply(const QString &modelId, const QList<PromptBlock> &prompt,
                                qint64 minCacheableTokens)
{
    const QDateTime now = m_clock();
    m_entries.removeIf([&now](const auto &entry) { return entry.value().expiresAt <= now; });

    const QList<QByteArray> keys = prefixKeys(modelId, prompt);
    const int hit = longestHit(prompt, keys);
    CacheOutcome outcome;
    if (hit >= 0) {
        Entry &entry = m_entries[keys.at(hit)];
        entry.expiresAt = now.addMSecs(entry.ttlMs);
    }

    // Tokens between the last cached prefix and a new breakpoint are written at that
    // breakpoint's TTL.
    qint64 prefixTokens = 0;
    qint64 cachedTokens = 0;
    for (int i = 0; i < prompt.size(); ++i) {
        prefixTokens += prompt.at(i).tokens;
        if (i == hit) {
            outcome.readTokens = prefixTokens;
            cachedTokens = prefixTokens;
        }
        const CacheTtl ttl = prompt.at(i).breakpoint;
        if (i <= hit || ttl == CacheTtl::None || prefixTokens < minCacheableTokens)
            continue;
        m_entries.insert(keys.at(i), Entry{ttlMs(ttl), now.addMSecs(ttlMs(ttl))});
        const qint64 written = prefixTokens - cachedTokens;
        (ttl == CacheTtl::OneHour ? outcome.written1hTokens : outcome.written5mTokens) += written;
        cachedTokens = prefixTokens;
    }
    return outcome;
}
