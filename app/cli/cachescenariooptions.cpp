#include "cachescenariooptions.h"

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr double defaultCallsPerDay = 1000;
constexpr qint64 defaultPromptTokens = 500;
constexpr double defaultInputPrice = 0.30;
constexpr double defaultReadPrice = 0.03;
constexpr double defaultTtlSeconds = 300;
constexpr double defaultIntervalSeconds = 90;

} // namespace

CacheScenarioOptions::CacheScenarioOptions()
    : m_calls(u"calls-per-day"_s, u"Calls a day (default 1000)."_s, u"n"_s)
    , m_tokens(u"prompt-tokens"_s, u"Tokens of the cached prompt prefix (default 500)."_s, u"n"_s)
    , m_model(u"model"_s, u"Take the three prices from this model's price list entry."_s, u"id"_s)
    , m_inputPrice(u"input-price"_s, u"Input price (default 0.30)."_s, u"usd"_s)
    , m_readPrice(u"cache-read-price"_s, u"Cache read price (default 0.03)."_s, u"usd"_s)
    , m_writePrice(u"cache-write-price"_s, u"Cache write price (default 1.25 x input)."_s, u"usd"_s)
    , m_ttl(u"ttl-s"_s, u"Cache lifetime in seconds (default 300)."_s, u"s"_s)
    , m_interval(u"interval-s"_s,
                 u"Seconds between calls for uniform arrivals (default 90 with the default "
                 "volume, else 86400 / calls)."_s,
                 u"s"_s)
    , m_arrivals(u"arrivals"_s, u"uniform (evenly spaced) or poisson (random)."_s, u"pattern"_s,
                 u"uniform"_s)
{}

QString CacheScenarioOptions::defaultsDescription()
{
    return u"With no options: 1000 calls a day, one every 90 s, a 500-token prompt, $0.30 "
           "input,\n$0.03 cache read, a 300 s cache lifetime. Prices are USD per million "
           "tokens."_s;
}

void CacheScenarioOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOptions({m_calls, m_tokens, m_model, m_inputPrice, m_readPrice, m_writePrice, m_ttl,
                       m_interval, m_arrivals, Cli::pricesOption()});
}

std::variant<CacheScenario, ExitStatus>
CacheScenarioOptions::read(const QCommandLineParser &parser) const
{
    CacheScenario scenario;
    scenario.callsPerDay = defaultCallsPerDay;
    scenario.cachedPromptTokens = defaultPromptTokens;
    scenario.inputPrice = defaultInputPrice;
    scenario.cacheReadPrice = defaultReadPrice;
    scenario.ttlSeconds = defaultTtlSeconds;

    if (parser.isSet(m_model)) {
        const std::optional<PriceBook> prices = Cli::loadPrices(parser);
        if (!prices)
            return ExitStatus::Failure;
        const Expected<ModelPrice> price = prices->lookup(parser.value(m_model));
        if (!price)
            return Cli::fail(ExitStatus::Failure, u"--model: "_s + price.error());
        scenario.inputPrice = price->input;
        scenario.cacheReadPrice = price->cacheRead;
        scenario.cacheWritePrice = price->cacheWrite5m;
    }

    struct NumberOption
    {
        const QCommandLineOption &option;
        double *target;
    };
    double callsPerDay = scenario.callsPerDay;
    double promptTokens = double(scenario.cachedPromptTokens);
    double intervalSeconds = 0;
    double writeValue = 0;
    const NumberOption numbers[] = {
        {m_calls, &callsPerDay},
        {m_tokens, &promptTokens},
        {m_inputPrice, &scenario.inputPrice},
        {m_readPrice, &scenario.cacheReadPrice},
        {m_writePrice, &writeValue},
        {m_ttl, &scenario.ttlSeconds},
        {m_interval, &intervalSeconds},
    };
    for (const NumberOption &number : numbers) {
        if (!parser.isSet(number.option))
            continue;
        const QString name = number.option.names().constFirst();
        const std::optional<double> value = Cli::readNumber(parser, name, 0, 1e12);
        if (!value)
            return ExitStatus::BadUsage;
        *number.target = *value;
    }
    scenario.callsPerDay = callsPerDay;
    scenario.cachedPromptTokens = qint64(promptTokens);
    if (parser.isSet(m_writePrice))
        scenario.cacheWritePrice = writeValue;
    if (parser.isSet(m_interval))
        scenario.intervalSeconds = intervalSeconds;
    else if (!parser.isSet(m_calls))
        scenario.intervalSeconds = defaultIntervalSeconds;

    const QString pattern = parser.value(m_arrivals);
    if (pattern == "uniform"_L1) {
        scenario.arrivals = ArrivalPattern::Uniform;
    } else if (pattern == "poisson"_L1) {
        scenario.arrivals = ArrivalPattern::Poisson;
        if (!parser.isSet(m_interval))
            scenario.intervalSeconds.reset();
    } else {
        return Cli::fail(ExitStatus::BadUsage,
                         u"--arrivals: \"%1\" is neither uniform nor poisson"_s.arg(pattern));
    }
    return scenario;
}
