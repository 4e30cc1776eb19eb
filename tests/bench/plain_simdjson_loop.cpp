// The yardstick for `opsbench-cli stats`: the plainest fast way to get the six benchmark figures
// out of a call log, written the way a person would with simdjson's on-demand API and nothing
// of Opsbench. One thread reads the file in 4 MiB blocks and parses each line once, asking only
// for the fields it needs.
//
//     plain_simdjson_loop LOG
//
// Prints one JSON object: valid, malformed, cost, mean, p99 (nearest rank) and hit (cache reads
// over all prompt tokens). A line counts as a call when it is an object whose model is a
// string, whose input and output token counts are whole numbers (the cache counts may be left
// out) and whose latency_ms and cost_usd are numbers: the same test the benchmark's other
// programs apply, so that every tool counts the same lines.

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace {

namespace json = simdjson::ondemand;

struct Figures
{
    std::int64_t valid = 0;
    std::int64_t malformed = 0;
    double cost = 0;
    double costCompensation = 0; // Kahan: a million small sums drift in the last printed digit
    double latencySum = 0;
    std::int64_t cacheRead = 0;
    std::int64_t prompt = 0;
    std::vector<double> latencies;
};

// A token count that may be left out; false when it is there but not a whole number.
bool optionalCount(json::object &object, const char *key, std::int64_t &out)
{
    out = 0;
    json::value value;
    const auto error = object.find_field_unordered(key).get(value);
    if (error == simdjson::NO_SUCH_FIELD)
        return true;
    return !error && !value.get_int64().get(out);
}

bool readCall(json::parser &parser, const char *text, std::size_t length, std::size_t capacity,
              Figures &figures)
{
    json::document document;
    json::object object;
    if (parser.iterate(text, length, capacity).get(document) || document.get_object().get(object))
        return false;

    std::string_view model;
    std::int64_t input = 0;
    std::int64_t output = 0;
    std::int64_t cacheRead = 0;
    std::int64_t cacheWrite = 0;
    double latency = 0;
    double cost = 0;
    if (object.find_field_unordered("model").get_string().get(model)
        || object.find_field_unordered("input_tokens").get_int64().get(input)
        || object.find_field_unordered("output_tokens").get_int64().get(output)
        || !optionalCount(object, "cache_read_input_tokens", cacheRead)
        || !optionalCount(object, "cache_creation_input_tokens", cacheWrite)
        || object.find_field_unordered("latency_ms").get_double().get(latency)
        || object.find_field_unordered("cost_usd").get_double().get(cost)) {
        return false;
    }

    ++figures.valid;
    const double term = cost - figures.costCompensation;
    const double sum = figures.cost + term;
    figures.costCompensation = (sum - figures.cost) - term;
    figures.cost = sum;
    figures.latencySum += latency;
    figures.latencies.push_back(latency);
    figures.cacheRead += cacheRead;
    figures.prompt += input + cacheRead + cacheWrite;
    return true;
}

bool isBlank(const char *text, std::size_t length)
{
    return std::all_of(text, text + length,
                       [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: plain_simdjson_loop LOG\n");
        return 2;
    }
    const int file = ::open(argv[1], O_RDONLY);
    if (file < 0) {
        std::perror(argv[1]);
        return 1;
    }

    constexpr std::size_t blockSize = 4 * 1024 * 1024;
    std::vector<char> buffer(blockSize + simdjson::SIMDJSON_PADDING);
    json::parser parser;
    Figures figures;
    std::size_t filled = 0;
    for (;;) {
        if (filled + simdjson::SIMDJSON_PADDING == buffer.size())
            buffer.resize(buffer.size() * 2); // a line longer than the block
        const ssize_t got = ::read(file, buffer.data() + filled,
                                   buffer.size() - simdjson::SIMDJSON_PADDING - filled);
        if (got < 0) {
            std::perror(argv[1]);
            return 1;
        }
        filled += std::size_t(got);
        const bool atEnd = got == 0; // bytes after the last newline are a line still being written

        std::size_t start = 0;
        while (const auto *newline = static_cast<const char *>(
                   std::memchr(buffer.data() + start, '\n', filled - start))) {
            const char *line = buffer.data() + start;
            const auto length = std::size_t(newline - line);
            if (!isBlank(line, length)
                && !readCall(parser, line, length, buffer.size() - start, figures)) {
                ++figures.malformed;
            }
            start += length + 1;
        }
        std::memmove(buffer.data(), buffer.data() + start, filled - start);
        filled -= start;
        if (atEnd)
            break;
    }
    ::close(file);

    if (figures.valid == 0) {
        std::fprintf(stderr, "%s: no calls\n", argv[1]);
        return 1;
    }
    const auto rank = std::size_t((figures.valid * 99 + 99) / 100 - 1);
    std::nth_element(figures.latencies.begin(), figures.latencies.begin() + std::ptrdiff_t(rank),
                     figures.latencies.end());
    std::printf("{\"valid\": %" PRId64 ", \"malformed\": %" PRId64 ", \"cost\": %.9f, "
                "\"mean\": %.9f, \"p99\": %.3f, \"hit\": %.9f}\n",
                figures.valid, figures.malformed, figures.cost,
                figures.latencySum / double(figures.valid), figures.latencies[rank],
                double(figures.cacheRead) / double(figures.prompt));
    return 0;
}
