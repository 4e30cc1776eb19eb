#include "logindex.h"

#include "calllog/logline.h"

#include <algorithm>
#include <functional>

namespace {

std::string_view utf8(QUtf8StringView text)
{
    return std::string_view(text.data(), std::size_t(text.size()));
}

quint32 saturated32(qint64 value)
{
    return quint32(std::clamp<qint64>(value, 0, std::numeric_limits<quint32>::max()));
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian), without a calendar
// object: this runs once per line of logs of millions of lines.
qint64 daysFromCivil(qint64 year, unsigned month, unsigned day)
{
    year -= month <= 2;
    const qint64 era = (year >= 0 ? year : year - 399) / 400;
    const auto yearOfEra = unsigned(year - era * 400);
    const unsigned dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + qint64(dayOfEra) - 719468;
}

// Reads `count` digits at `text[at]`, or returns -1.
int digits(std::string_view text, std::size_t at, std::size_t count)
{
    if (at + count > text.size())
        return -1;
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

} // namespace

quint32 NameTable::intern(std::string_view utf8)
{
    if (m_lastId < m_utf8.size() && m_utf8[m_lastId] == utf8)
        return m_lastId;
    const std::size_t hash = std::hash<std::string_view>()(utf8);
    if (!m_slots.empty()) {
        const std::size_t slot = slotOf(utf8, hash);
        if (m_slots[slot] != 0) {
            m_lastId = m_slots[slot] - 1;
            return m_lastId;
        }
    }
    // A new name; the table grows before it is half full, so probing always ends.
    if (2 * (m_utf8.size() + 1) > m_slots.size())
        growSlots();
    const auto id = quint32(m_utf8.size());
    m_slots[slotOf(utf8, hash)] = id + 1;
    m_utf8.emplace_back(utf8);
    m_hashes.push_back(hash);
    m_names.push_back(QString::fromUtf8(utf8.data(), qsizetype(utf8.size())));
    m_lastId = id;
    return id;
}

std::size_t NameTable::slotOf(std::string_view utf8, std::size_t hash) const
{
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
        const quint32 entry = m_slots[slot];
        if (entry == 0 || (m_hashes[entry - 1] == hash && m_utf8[entry - 1] == utf8))
            return slot;
    }
}

void NameTable::growSlots()
{
    m_slots.assign(std::max<std::size_t>(16, 2 * m_slots.size()), 0);
    const std::size_t mask = m_slots.size() - 1;
    for (quint32 id = 0; id < m_utf8.size(); ++id) {
        std::size_t slot = m_hashes[id] & mask;
        while (m_slots[slot] != 0)
            slot = (slot + 1) & mask;
        m_slots[slot] = id + 1;
    }
}

qint64 NameTable::find(const QString &name) const
{
    if (m_slots.empty())
        return -1;
    const std::string utf8 = name.toStdString();
    const quint32 entry = m_slots[slotOf(utf8, std::hash<std::string_view>()(utf8))];
    return entry == 0 ? -1 : qint64(entry) - 1;
}

void LogIndex::add(const LogLine &line)
{
    switch (line.kind) {
    case LogLine::Kind::Record: {
        IndexedCall call;
        call.offset = line.offset;
        call.timestampMs = parseTimestamp(utf8(line.timestamp));
        call.model = m_models.intern(utf8(line.model));
        call.feature = m_features.intern(utf8(line.feature));
        call.user = m_users.intern(utf8(line.userId));
        call.finishReason = m_finishReasons.intern(utf8(line.finishReason));
        call.inputTokens = saturated32(line.usage.inputTokens);
        call.outputTokens = saturated32(line.usage.outputTokens);
        call.cacheReadTokens = saturated32(line.usage.cacheReadInputTokens);
        call.cacheWriteTokens = saturated32(line.usage.cacheCreationInputTokens);
        call.costUsd = line.costUsd;
        call.latencyMs = line.latencyMs;
        call.retrievedDocs = quint16(std::clamp<qint64>(line.retrievedDocs, 0, 65535));
        m_records.append(call);
        break;
    }
    case LogLine::Kind::Blank:
        m_skippedLines.push_back(line.number);
        break;
    case LogLine::Kind::Malformed:
        m_skippedLines.push_back(line.number);
        ++m_malformedCount;
        if (m_malformedLines.size() < malformedDetailLimit)
            m_malformedLines.append({line.number, line.problem});
        break;
    case LogLine::Kind::IncompleteTail:
        m_tailBytes = line.length;
        return;
    }
    m_lineCount = line.number;
    // The line break is one byte, or two for "\r\n"; the next line's offset tells which, so
    // count the usual one here and let the next line correct it.
    m_endOffset = line.offset + line.length + 1;
    m_tailBytes = 0;
}

void LogIndex::append(const LogIndex &later)
{
    const auto remap = [](NameTable &into, const NameTable &from) {
        std::vector<quint32> ids;
        ids.reserve(std::size_t(from.size()));
        for (const std::string &name : from.utf8Names())
            ids.push_back(into.intern(name));
        return ids;
    };
    const LogRecords::IdMaps ids{remap(m_models, later.m_models),
                                 remap(m_features, later.m_features), remap(m_users, later.m_users),
                                 remap(m_finishReasons, later.m_finishReasons)};
    m_records.append(later.m_records, ids);

    m_skippedLines.insert(m_skippedLines.end(), later.m_skippedLines.begin(),
                          later.m_skippedLines.end());
    m_malformedCount += later.m_malformedCount;
    for (const MalformedLine &line : later.m_malformedLines) {
        if (m_malformedLines.size() >= malformedDetailLimit)
            break;
        m_malformedLines.append(line);
    }
    if (later.m_lineCount > 0) {
        m_lineCount = later.m_lineCount;
        m_endOffset = later.m_endOffset;
    }
    m_tailBytes = later.m_tailBytes;
}

void LogIndex::shiftLineNumbers(qint64 lines)
{
    for (qint64 &number : m_skippedLines)
        number += lines;
    for (MalformedLine &line : m_malformedLines)
        line.number += lines;
    // An index of no complete line has no last line to renumber; append() relies on its 0.
    if (m_lineCount > 0)
        m_lineCount += lines;
}

qint64 LogIndex::lineNumber(qsizetype row) const
{
    // Call `row` is line row + 1 + k, where k counts the skipped lines before it: the skipped
    // line at position j comes before it when number - j <= row + 1, and number - j never
    // decreases along the ascending list, so k is found by bisection.
    std::size_t low = 0;
    std::size_t high = m_skippedLines.size();
    while (low < high) {
        const std::size_t middle = (low + high) / 2;
        if (m_skippedLines[middle] - qint64(middle) <= row + 1)
            low = middle + 1;
        else
            high = middle;
    }
    return row + 1 + qint64(low);
}

std::size_t LogIndex::memoryBytes() const
{
    return m_records.memoryBytes() + m_skippedLines.capacity() * sizeof(qint64);
}

qint64 LogIndex::parseTimestamp(std::string_view text)
{
    // YYYY-MM-DDTHH:MM:SS, then an optional fraction, then Z or an offset.
    const int year = digits(text, 0, 4);
    const int month = digits(text, 5, 2);
    const int day = digits(text, 8, 2);
    const int hour = digits(text, 11, 2);
    const int minute = digits(text, 14, 2);
    const int second = digits(text, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23
        || minute < 0 || minute > 59 || second < 0 || second > 60 || text[4] != '-'
        || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':'
        || text[16] != ':') {
        return IndexedCall::noTimestamp;
    }

    std::size_t at = 19;
    qint64 millis = 0;
    if (at < text.size() && text[at] == '.') {
        qint64 scale = 100;
        for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
            millis += (text[at] - '0') * scale;
            scale /= 10;
        }
    }

    qint64 offsetMinutes = 0;
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
        const int offsetHours = digits(text, at + 1, 2);
        const int offsetMins = digits(text, at + 4, 2);
        if (offsetHours < 0 || offsetMins < 0 || text.size() != at + 6)
            return IndexedCall::noTimestamp;
        offsetMinutes = (offsetHours * 60 + offsetMins) * (text[at] == '-' ? -1 : 1);
    } else if (!(at + 1 == text.size() && (text[at] == 'Z' || text[at] == 'z'))) {
        return IndexedCall::noTimestamp;
    }

    const qint64 days = daysFromCivil(year, unsigned(month), unsigned(day));
    const qint64 seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
    return seconds * 1000 + millis;
}
