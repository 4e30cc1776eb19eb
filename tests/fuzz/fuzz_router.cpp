// The router's two inputs from outside: a user's rules file, and the text of a query. The first
// byte picks which. Rules from the input are parsed, checked, saved and parsed again (which must
// give the same rules) and, when they name priced models, route queries made of their own
// words. Text from the input is routed with the built-in rules. Every decision either names the
// tier's model or is a refused Opus request, and its estimate is what the header says.

#include "fuzzinput.h"
#include "router/modelrouter.h"
#include "router/routerrules.h"

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

void check(const ModelRouter &router, QStringView query, QStringView systemPrompt, int maxTokens)
{
    const RouteDecision decision = router.route(query, systemPrompt, maxTokens);
    if (decision.refused) {
        require(decision.tier == RouteTier::Opus && decision.model.isEmpty(),
                "only an Opus request is refused, and it names no model");
    } else {
        require(!decision.model.isEmpty(), "a decision that is not refused names a model");
        require(decision.model == router.rules().model(decision.tier),
                "the model is the one the rules give the tier");
    }
    // ceil(characters / 4)
    const qint64 characters = query.size() + systemPrompt.size();
    require(decision.estimatedInputTokens == (characters + 3) / 4, "input tokens are ceil(c/4)");
    require(decision.maxTokens >= 1, "the estimate assumes at least one output token");
    require(!std::isnan(decision.estimatedCostUsd) && decision.estimatedCostUsd >= 0,
            "an estimate is never negative or NaN");
    require(!decision.reason.isEmpty(), "a decision says why");
}

void routeWithRules(const QByteArray &json)
{
    const Expected<RouterRules> rules = RouterRules::fromJson(json, u"fuzz.json"_s);
    if (!rules) {
        require(rules.error().contains("fuzz.json"_L1), "a failure names the file");
        return;
    }

    const Expected<RouterRules> again = RouterRules::fromJson(rules->toJson(), u"saved"_s);
    require(bool(again), "saved rules parse again");
    require(*again == *rules, "saved rules route as the rules they were saved from");

    static const PriceBook prices = PriceBook::builtIn();
    const Expected<ModelRouter> router = ModelRouter::create(*rules, prices);
    if (!router)
        return;
    const QString everything =
        rules->codeKeywords.join(u' ') + u' ' + rules->highStakesPhrases.join(u' ');
    check(*router, everything, {}, 0);
    check(*router, rules->codeKeywords.value(0), rules->highStakesPhrases.value(0), 1);
    check(*router, u"hello"_s, {}, 0);
}

void routeText(QByteArrayView bytes)
{
    static const Expected<ModelRouter> router =
        ModelRouter::create(RouterRules::builtIn(), PriceBook::builtIn());
    require(bool(router), "the built-in rules make a router");

    // The next byte is max_tokens (0 or less is the default); a NUL separates the query from
    // the system prompt.
    const int maxTokens = bytes.isEmpty() ? 0 : int(std::int8_t(bytes.front())) * 1000;
    const QByteArrayView text = bytes.isEmpty() ? bytes : bytes.sliced(1);
    const qsizetype nul = text.indexOf('\0');
    const QString query = QString::fromUtf8(nul < 0 ? text : text.first(nul));
    const QString systemPrompt =
        QString::fromUtf8(nul < 0 ? QByteArrayView() : text.sliced(nul + 1));
    check(*router, query, systemPrompt, maxTokens);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input = fuzzBytes(data, size);
    if (input.isEmpty())
        return 0;
    if (input.front() % 2 == 0)
        routeWithRules(input.sliced(1).toByteArray());
    else
        routeText(input.sliced(1));
    return 0;
}
