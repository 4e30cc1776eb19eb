#include "calllogreader.h"

#include "common/logging.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

using namespace Qt::Literals::StringLiterals;
namespace json = simdjson::ondemand;

namespace {

// Large enough that the cost of a read is lost in the parsing of what it brought.
constexpr std::size_t blockSize = 4 * 1024 * 1024;

// The most tokens a line may log for one kind: far above any real call, yet small enough that
// the sums over billions of calls stay far from overflowing.
constexpr std::int64_t maxTokenCount = 4294967295; // 2^32 - 1

enum class Key {
    RequestId,
    Timestamp,
    Model,
    Feature,
    UserId,
    SystemPromptHash,
    InputTokens,
    OutputTokens,
    CacheReadInputTokens,
    CacheCreationInputTokens,
    CacheCreation1hInputTokens,
    CostUsd,
    LatencyMs,
    FinishReason,
    NumRetrievedDocs,
    Unknown,
};
static_assert(int(Key::Unknown) < 32, "a key's bit must fit the presence mask");

// What a known key must hold; the words name it in a malformed line's reason.
enum class ValueType { String, Count, Number };

struct KnownKey
{
    std::string_view name;
    Key key;
    ValueType type;
};

// In the order writers put them, so that the usual line finds each key early.
constexpr KnownKey knownKeys[] = {
    {"request_id", Key::RequestId, ValueType::String},
    {"timestamp", Key::Timestamp, ValueType::String},
    {"model", Key::Model, ValueType::String},
    {"feature", Key::Feature, ValueType::String},
    {"user_id", Key::UserId, ValueType::String},
    {"system_prompt_hash", Key::SystemPromptHash, ValueType::String},
    {"input_tokens", Key::InputTokens, ValueType::Count},
    {"output_tokens", Key::OutputTokens, ValueType::Count},
    {"cache_read_input_tokens", Key::CacheReadInputTokens, ValueType::Count},
    {"cache_creation_input_tokens", Key::CacheCreationInputTokens, ValueType::Count},
    {"cost_usd", Key::CostUsd, ValueType::Number},
    {"latency_ms", Key::LatencyMs, ValueType::Number},
    {"finish_reason", Key::FinishReason, ValueType::String},
    {"num_retrieved_docs", Key::NumRetrievedDocs, ValueType::Count},
    {"cache_creation_1h_input_tokens", Key::CacheCreation1hInputTokens, ValueType::Count},
};

// A known key as 8-byte words, closing quote included, for comparing a key as written without
// unescaping it: a writer has no reason to escape plain ASCII names, and unescaping every key
// would cost more than the whole comparison. The words are loaded as the text is, so byte
// order does not matter.
struct KeyPattern
{
    std::uint64_t words[4] = {};
    std::uint64_t lastMask = 0; // the bytes of the last word that belong to the key
    std::size_t wordCount = 0;
};

std::uint64_t loadWord(const char *bytes)
{
    std::uint64_t word;
    std::memcpy(&word, bytes, sizeof word);
    return word;
}

std::array<KeyPattern, std::size(knownKeys)> makeKeyPatterns()
{
    std::array<KeyPattern, std::size(knownKeys)> patterns;
    for (std::size_t i = 0; i < std::size(knownKeys); ++i) {
        char text[sizeof KeyPattern::words] = {};
        char mask[sizeof KeyPattern::words] = {};
        const std::string_view name = knownKeys[i].name;
        Q_ASSERT(name.size() < sizeof text);
        std::memcpy(text, name.data(), name.size());
        text[name.size()] = '"';
        std::memset(mask, 0xff, name.size() + 1);
        KeyPattern &pattern = patterns[i];
        pattern.wordCount = (name.size() + 1 + 7) / 8;
        for (std::size_t word = 0; word < pattern.wordCount; ++word)
            pattern.words[word] = loadWord(text + 8 * word);
        pattern.lastMask = loadWord(mask + 8 * (pattern.wordCount - 1));
    }
    return patterns;
}

const std::array<KeyPattern, std::size(knownKeys)> keyPatterns = makeKeyPatterns();

// `raw` is the key's text after its opening quote; at least 32 bytes from it on are readable,
// since the key lies inside a line followed by SIMDJSON_PADDING bytes.
bool keyMatches(const char *raw, const KeyPattern &pattern)
{
    const std::size_t last = pattern.wordCount - 1;
    for (std::size_t word = 0; word < last; ++word) {
        if (loadWord(raw + 8 * word) != pattern.words[word])
            return false;
    }
    return (loadWord(raw + 8 * last) & pattern.lastMask) == pattern.words[last];
}

// The search starts at `next`, the entry after the previous match, and wraps around: keys
// logged in the usual order then match at the first try.
Key classify(json::raw_json_string key, std::size_t &next)
{
    constexpr std::size_t count = std::size(knownKeys);
    const char *raw = key.raw();
    for (std::size_t tried = 0; tried < count; ++tried) {
        const std::size_t i = next + tried < count ? next + tried : next + tried - count;
        if (keyMatches(raw, keyPatterns[i])) {
            next = i + 1;
            return knownKeys[i].key;
        }
    }
    return Key::Unknown;
}

const KnownKey &knownKey(Key key)
{
    return *std::find_if(std::begin(knownKeys), std::end(knownKeys),
                         [key](const KnownKey &known) { return known.key == key; });
}

// Why a line is not a usable call. Kept as plain data while parsing, and put into words only
// for the few lines that are malformed.
struct Problem
{
    enum Kind { None, InvalidJson, NotAnObject, WrongType, OutOfRange, Missing, Unpriced };

    Kind kind = None;
    Key key = Key::Unknown;
};

QString describe(const Problem &problem, QUtf8StringView model)
{
    switch (problem.kind) {
    case Problem::None:
        break;
    case Problem::InvalidJson:
        return u"not valid JSON"_s;
    case Problem::NotAnObject:
        return u"not a JSON object"_s;
    case Problem::WrongType: {
        const KnownKey &known = knownKey(problem.key);
        const QString expected = known.type == ValueType::String  ? u"a string"_s
                                 : known.type == ValueType::Count ? u"a whole number"_s
                                                                  : u"a number"_s;
        return u"\"%1\" is not %2"_s.arg(QString::fromLatin1(known.name), expected);
    }
    case Problem::OutOfRange:
        return u"\"%1\" is out of range: a token count is 0 to %2"_s
            .arg(QString::fromLatin1(knownKey(problem.key).name))
            .arg(maxTokenCount);
    case Problem::Missing:
        return u"\"%1\" is missing"_s.arg(QString::fromLatin1(knownKey(problem.key).name));
    case Problem::Unpriced:
        return u"no \"cost_usd\", and model \"%1\" is not in the price list"_s.arg(
            model.toString());
    }
    return QString();
}

enum class Read { Ok, Absent, WrongType, OutOfRange, BadJson };

// After a get_* that failed: null stands for a key that was left out; any other type is
// wrong; anything else means the text is not JSON.
Read failedRead(simdjson::error_code error, json::value &value)
{
    if (error != simdjson::INCORRECT_TYPE)
        return Read::BadJson;
    bool isNull = false;
    if (value.is_null().get(isNull) != simdjson::SUCCESS)
        return Read::BadJson;
    return isNull ? Read::Absent : Read::WrongType;
}

Read readString(json::value &value, QUtf8StringView &out)
{
    std::string_view text;
    if (const auto error = value.get_string().get(text))
        return failedRead(error, value);
    out = QUtf8StringView(text.data(), qsizetype(text.size()));
    return Read::Ok;
}

Read readNumber(json::value &value, double &out)
{
    if (const auto error = value.get_double().get(out))
        return failedRead(error, value);
    return Read::Ok;
}

Read readInRange(std::int64_t count, qint64 &out)
{
    if (count < 0 || count > maxTokenCount)
        return Read::OutOfRange;
    out = count;
    return Read::Ok;
}

// A token count: an integer, or a number with no fraction ("1240.0" from some writers).
Read readCount(json::value &value, qint64 &out)
{
    // The usual case first; a failed get_int64() leaves the value unread, so it can be
    // looked at again.
    std::int64_t whole = 0;
    if (value.get_int64().get(whole) == simdjson::SUCCESS)
        return readInRange(whole, out);

    // get_number() calls any non-number a broken number, so the type is checked first.
    json::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS)
        return Read::BadJson;
    if (type != json::json_type::number)
        return failedRead(simdjson::INCORRECT_TYPE, value);
    json::number number;
    if (value.get_number().get(number) != simdjson::SUCCESS)
        return Read::BadJson;
    if (number.is_int64())
        return readInRange(number.get_int64(), out);
    constexpr double exactLimit = 9007199254740992.0; // 2^53
    const double asDouble = number.as_double();
    if (std::trunc(asDouble) != asDouble)
        return Read::WrongType;
    if (std::abs(asDouble) > exactLimit)
        return Read::OutOfRange;
    return readInRange(std::int64_t(asDouble), out);
}

// Reads a known key's value into its place in `line`.
Read readInto(Key key, json::value &value, LogLine &line)
{
    switch (key) {
    case Key::RequestId:
        return readString(value, line.requestId);
    case Key::Timestamp:
        return readString(value, line.timestamp);
    case Key::Model:
        return readString(value, line.model);
    case Key::Feature:
        return readString(value, line.feature);
    case Key::UserId:
        return readString(value, line.userId);
    case Key::SystemPromptHash:
        return readString(value, line.systemPromptHash);
    case Key::FinishReason:
        return readString(value, line.finishReason);
    case Key::InputTokens:
        return readCount(value, line.usage.inputTokens);
    case Key::OutputTokens:
        return readCount(value, line.usage.outputTokens);
    case Key::CacheReadInputTokens:
        return readCount(value, line.usage.cacheReadInputTokens);
    case Key::CacheCreationInputTokens:
        return readCount(value, line.usage.cacheCreationInputTokens);
    case Key::CacheCreation1hInputTokens:
        return readCount(value, line.usage.cacheCreation1hInputTokens);
    case Key::NumRetrievedDocs:
        return readCount(value, line.retrievedDocs);
    case Key::CostUsd:
        return readNumber(value, line.costUsd);
    case Key::LatencyMs:
        return readNumber(value, line.latencyMs);
    case Key::Unknown:
        break;
    }
    return Read::Ok; // unknown keys are skipped, whatever they hold
}

struct TransparentStringHash
{
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const
    {
        return std::hash<std::string_view>()(text);
    }
};

bool isBlank(const char *text, std::size_t length)
{
    return std::all_of(text, text + length,
                       [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

} // namespace

// Everything that must outlive one line: the JSON parser, the read buffer and the price cache.
class CallLogReader::Scanner
{
public:
    explicit Scanner(const PriceBook &prices)
        : m_prices(prices)
    {}

    // Reads bytes [begin, end) of the file, or to its end, and hands every line to `visit`.
    template<typename Visit>
    Expected<void> scan(const QString &path, qint64 begin, std::optional<qint64> end,
                        Visit &&visit);
    Expected<LogStats> summarize(const QString &path, qint64 begin, std::optional<qint64> end);
    void scanBytes(QByteArrayView bytes, qint64 firstOffset, qint64 firstLineNumber,
                   const std::function<void(const LogLine &)> &visit);

private:
    // Hands every complete line of m_buffer[0, filled) to `visit` and returns the offset of the
    // first byte after the last newline; m_buffer[0] is at `bufferOffset` in the file.
    template<typename Visit>
    std::size_t visitLines(std::size_t filled, bool atFileStart, qint64 bufferOffset,
                           qint64 &lineNumber, Visit &visit);
    // Reports m_buffer[start, filled), the bytes after the last newline, as an incomplete tail.
    template<typename Visit>
    void visitTail(std::size_t start, std::size_t filled, qint64 bufferOffset, qint64 lineNumber,
                   Visit &visit);

    // Fills a freshly made `line` from one line of text without its line break; `capacity` bytes
    // from `text` on are readable, at least SIMDJSON_PADDING more than `length`.
    void parse(const char *text, std::size_t length, std::size_t capacity, LogLine &line);
    Problem readFields(json::document &document, LogLine &line);
    const ModelPrice *priceOf(QUtf8StringView model);

    PriceBook m_prices;
    std::unordered_map<std::string, std::optional<ModelPrice>, TransparentStringHash,
                       std::equal_to<>>
        m_priceCache;
    json::parser m_json;
    LogLine m_line; // reused, so that its problem string keeps its capacity
    // At most blockSize to fill (more only for a longer line), then the padding simdjson reads
    // past; sized by the first read that needs it.
    std::vector<char> m_buffer;
};

void CallLogReader::Scanner::parse(const char *text, std::size_t length, std::size_t capacity,
                                   LogLine &line)
{
    json::document document;
    Problem problem;
    if (m_json.iterate(text, length, capacity).get(document) != simdjson::SUCCESS)
        problem.kind = Problem::InvalidJson;
    else
        problem = readFields(document, line);

    if (problem.kind != Problem::None) {
        line.kind = LogLine::Kind::Malformed;
        line.problem = describe(problem, line.model);
    }
}

Problem CallLogReader::Scanner::readFields(json::document &document, LogLine &line)
{
    json::object object;
    if (const auto error = document.get_object().get(object)) {
        return {error == simdjson::INCORRECT_TYPE ? Problem::NotAnObject : Problem::InvalidJson};
    }

    Problem wrongType;
    std::uint32_t present = 0; // bit i: Key(i) was read
    std::size_t nextKey = 0;
    // Every field is visited, including the ones skipped, so that a line cut short anywhere
    // is caught by the missing end of the object rather than read as a shorter call.
    for (auto entry : object) {
        if (entry.error() != simdjson::SUCCESS)
            return {Problem::InvalidJson};
        // By reference: copying the field out of its result costs more than reading it.
        json::field &field = entry.value_unsafe();
        const Key key = classify(field.key(), nextKey);
        switch (readInto(key, field.value(), line)) {
        case Read::Ok:
            present |= 1u << unsigned(key);
            break;
        case Read::Absent:
            break;
        case Read::WrongType:
            if (wrongType.kind == Problem::None)
                wrongType = {Problem::WrongType, key};
            break;
        case Read::OutOfRange:
            if (wrongType.kind == Problem::None)
                wrongType = {Problem::OutOfRange, key};
            break;
        case Read::BadJson:
            return {Problem::InvalidJson};
        }
    }
    // Only the end of the input is out of bounds: anything else means text after the object.
    if (document.current_location().error() != simdjson::OUT_OF_BOUNDS)
        return {Problem::InvalidJson};

    if (wrongType.kind != Problem::None)
        return wrongType;
    for (const Key required : {Key::Model, Key::InputTokens, Key::OutputTokens, Key::LatencyMs}) {
        if (!(present & (1u << unsigned(required))))
            return {Problem::Missing, required};
    }

    if (!(present & (1u << unsigned(Key::CostUsd)))) {
        const ModelPrice *price = priceOf(line.model);
        if (!price)
            return {Problem::Unpriced, Key::Model};
        line.costUsd = price->cost(line.usage);
        line.costFromPrices = true;
    }
    return {};
}

const ModelPrice *CallLogReader::Scanner::priceOf(QUtf8StringView model)
{
    const std::string_view key(model.data(), std::size_t(model.size()));
    auto cached = m_priceCache.find(key);
    if (cached == m_priceCache.end()) {
        const Expected<ModelPrice> price = m_prices.lookup(model.toString());
        std::optional<ModelPrice> entry;
        if (price)
            entry = *price;
        cached = m_priceCache.emplace(std::string(key), std::move(entry)).first;
    }
    return cached->second ? &*cached->second : nullptr;
}

namespace {

// Opens `file` at `begin` and returns where reading stops: `end`, or the size it has now.
Expected<qint64> openRange(QFile &file, qint64 begin, std::optional<qint64> end)
{
    const QString path = file.fileName();
    const QFileInfo info(path);
    if (!info.exists())
        return fail(u"%1: no such file"_s.arg(path));
    if (info.isDir())
        return fail(u"%1: is a directory, not a call log"_s.arg(path));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return fail(u"%1: cannot read the call log: %2"_s.arg(path, file.errorString()));

    const qint64 size = file.size();
    const qint64 stop = end.value_or(size);
    if (begin < 0 || begin > stop || stop > size) {
        return fail(u"%1: bytes %2 to %3 are not within the file's %4 bytes"_s.arg(path)
                        .arg(begin)
                        .arg(stop)
                        .arg(size));
    }
    if (!file.seek(begin))
        return fail(
            u"%1: cannot seek to byte %2: %3"_s.arg(path).arg(begin).arg(file.errorString()));
    return stop;
}

} // namespace

template<typename Visit>
std::size_t CallLogReader::Scanner::visitLines(std::size_t filled, bool atFileStart,
                                               qint64 bufferOffset, qint64 &lineNumber,
                                               Visit &visit)
{
    std::size_t start = 0;
    if (atFileStart && filled >= 3 && std::memcmp(m_buffer.data(), "\xEF\xBB\xBF", 3) == 0)
        start = 3;
    while (const auto *newline = static_cast<const char *>(
               std::memchr(m_buffer.data() + start, '\n', filled - start))) {
        const char *text = m_buffer.data() + start;
        std::size_t length = std::size_t(newline - text);
        m_line = LogLine();
        m_line.number = ++lineNumber;
        m_line.offset = bufferOffset + qint64(start);
        if (length > 0 && text[length - 1] == '\r')
            --length;
        m_line.length = qint64(length);
        if (isBlank(text, length))
            m_line.kind = LogLine::Kind::Blank;
        else
            parse(text, length, m_buffer.size() - start, m_line);
        visit(std::as_const(m_line));
        start = std::size_t(newline - m_buffer.data()) + 1;
    }
    return start;
}

template<typename Visit>
void CallLogReader::Scanner::visitTail(std::size_t start, std::size_t filled, qint64 bufferOffset,
                                       qint64 lineNumber, Visit &visit)
{
    if (filled <= start || isBlank(m_buffer.data() + start, filled - start))
        return;
    m_line = LogLine();
    m_line.kind = LogLine::Kind::IncompleteTail;
    m_line.number = lineNumber + 1;
    m_line.offset = bufferOffset + qint64(start);
    m_line.length = qint64(filled - start);
    visit(std::as_const(m_line));
}

void CallLogReader::Scanner::scanBytes(QByteArrayView bytes, qint64 firstOffset,
                                       qint64 firstLineNumber,
                                       const std::function<void(const LogLine &)> &visit)
{
    const auto size = std::size_t(bytes.size());
    if (m_buffer.size() < size + simdjson::SIMDJSON_PADDING)
        m_buffer.resize(size + simdjson::SIMDJSON_PADDING);
    std::memcpy(m_buffer.data(), bytes.data(), size);

    qint64 lineNumber = firstLineNumber - 1;
    const std::size_t end = visitLines(size, firstOffset == 0, firstOffset, lineNumber, visit);
    visitTail(end, size, firstOffset, lineNumber, visit);
}

template<typename Visit>
Expected<void> CallLogReader::Scanner::scan(const QString &path, qint64 begin,
                                            std::optional<qint64> end, Visit &&visit)
{
    QFile file(path);
    const Expected<qint64> stop = openRange(file, begin, end);
    if (!stop)
        return Failure{stop.error()};

    QElapsedTimer timer;
    timer.start();
    qint64 lineNumber = 0;
    qint64 bufferOffset = begin; // the file offset of m_buffer[0]
    std::size_t filled = 0;      // bytes of m_buffer holding file content
    qint64 unread = *stop - begin;
    bool atFileStart = begin == 0;
    // A range smaller than a block is read whole into a buffer of its size.
    const auto wanted = std::size_t(std::clamp<qint64>(unread, 1, blockSize));
    if (m_buffer.size() < wanted + simdjson::SIMDJSON_PADDING)
        m_buffer.resize(wanted + simdjson::SIMDJSON_PADDING);
    while (unread > 0) {
        // A line longer than the buffer: make room for the rest of it.
        if (filled + simdjson::SIMDJSON_PADDING == m_buffer.size())
            m_buffer.resize(m_buffer.size() * 2);
        const qint64 room = qint64(m_buffer.size() - simdjson::SIMDJSON_PADDING - filled);
        const qint64 got = file.read(m_buffer.data() + filled, std::min(room, unread));
        if (got < 0)
            return fail(u"%1: reading failed: %2"_s.arg(path, file.errorString()));
        if (got == 0)
            break; // the file was truncated while being read: what is there has been seen
        unread -= got;
        filled += std::size_t(got);

        const std::size_t start =
            visitLines(filled, std::exchange(atFileStart, false), bufferOffset, lineNumber, visit);

        std::memmove(m_buffer.data(), m_buffer.data() + start, filled - start);
        filled -= start;
        bufferOffset += qint64(start);
    }

    visitTail(0, filled, bufferOffset, lineNumber, visit);
    qCDebug(lcLog) << "read" << lineNumber << "lines," << (bufferOffset + qint64(filled) - begin)
                   << "bytes of" << path << "in" << timer.elapsed() << "ms";
    return {};
}

Expected<LogStats> CallLogReader::Scanner::summarize(const QString &path, qint64 begin,
                                                     std::optional<qint64> end)
{
    LogStats stats;
    const Expected<void> read =
        scan(path, begin, end, [&stats](const LogLine &line) { stats.add(line); });
    if (!read)
        return Failure{read.error()};
    return stats;
}

CallLogReader::CallLogReader(const PriceBook &prices)
    : m_scanner(std::make_unique<Scanner>(prices))
{}

CallLogReader::~CallLogReader() = default;

Expected<LogStats> CallLogReader::summarize(const QString &path, const PriceBook &prices)
{
    CallLogReader reader(prices);
    return reader.m_scanner->summarize(path, 0, std::nullopt);
}

Expected<LogStats> CallLogReader::summarizeRange(const QString &path, qint64 begin, qint64 end)
{
    return m_scanner->summarize(path, begin, end);
}

Expected<void> CallLogReader::scan(const QString &path,
                                   const std::function<void(const LogLine &)> &visit)
{
    return m_scanner->scan(path, 0, std::nullopt, visit);
}

Expected<void> CallLogReader::scanRange(const QString &path, qint64 begin, qint64 end,
                                        const std::function<void(const LogLine &)> &visit)
{
    return m_scanner->scan(path, begin, end, visit);
}

void CallLogReader::scanBytes(QByteArrayView bytes, qint64 firstOffset, qint64 firstLineNumber,
                              const std::function<void(const LogLine &)> &visit)
{
    m_scanner->scanBytes(bytes, firstOffset, firstLineNumber, visit);
}
