#include "modelrouter.h"

#include "common/logging.h"

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 charactersPerToken = 4;

// Six decimals show every micro-dollar of a token price; trailing zeros go down to cents.
QString formatUsd(double usd)
{
    QString text = QString::number(usd, 'f', 6);
    while (text.endsWith(u'0') && text.indexOf(u'.') < text.size() - 3)
        text.chop(1);
    return u'$' + text;
}

int countWords(QStringView text)
{
    int words = 0;
    bool inWord = false;
    for (QChar c : text) {
        if (c.isSpace()) {
            inWord = false;
        } else if (!inWord) {
            inWord = true;
            ++words;
        }
    }
    return words;
}

QString quotedList(const QStringList &items)
{
    QStringList quoted;
    for (const QString &item : items)
        quoted.append(u'"' + item + u'"');
    return quoted.join(", "_L1);
}

} // namespace

Expected<ModelRouter> ModelRouter::create(RouterRules rules, const PriceBook &prices)
{
    const Expected<void> valid = rules.validate();
    if (!valid)
        return Failure{valid.error()};

    ModelRouter router;
    const QString where = rules.origin.isEmpty() ? u"router rules"_s : rules.origin;
    for (RouteTier tier : allRouteTiers) {
        const Expected<ModelPrice> price = prices.lookup(rules.model(tier));
        if (!price)
            return fail(u"%1: \"models.%2\": %3"_s.arg(where, routeTierName(tier), price.error()));
        router.m_prices[size_t(tier)] = *price;
    }

    for (const QString &keyword : std::as_const(rules.codeKeywords))
        router.m_keywords.append(KeywordMatcher(keyword));
    for (const QString &phrase : std::as_const(rules.highStakesPhrases))
        router.m_simplifiedPhrases.append(phrase.simplified());
    router.m_rules = std::move(rules);
    return router;
}

RouteDecision ModelRouter::route(QStringView query, QStringView systemPrompt, int maxTokens) const
{
    RouteDecision decision;
    decision.wordCount = countWords(query);
    decision.matchedPhrases = phrasesIn(query);
    decision.matchedKeywords = keywordsIn(query);
    decision.maxTokens = maxTokens > 0 ? maxTokens : m_rules.defaultMaxTokens;
    const qint64 characters = query.size() + systemPrompt.size();
    decision.estimatedInputTokens = (characters + charactersPerToken - 1) / charactersPerToken;

    if (!decision.matchedPhrases.isEmpty())
        decision.tier = RouteTier::Opus;
    else if (decision.wordCount >= m_rules.wordThreshold || !decision.matchedKeywords.isEmpty())
        decision.tier = RouteTier::Sonnet;
    else
        decision.tier = RouteTier::Haiku;

    const TokenUsage estimate{decision.estimatedInputTokens, decision.maxTokens};
    decision.estimatedCostUsd = m_prices[size_t(decision.tier)].cost(estimate);
    decision.refused =
        decision.tier == RouteTier::Opus && decision.estimatedCostUsd > m_rules.costGuardUsd;
    if (!decision.refused)
        decision.model = m_rules.model(decision.tier);
    decision.reason = reasonFor(decision);

    qCDebug(lcRouter) << "tier" << routeTierName(decision.tier) << "words" << decision.wordCount
                      << "keywords" << decision.matchedKeywords << "phrases"
                      << decision.matchedPhrases << "estimate" << decision.estimatedCostUsd
                      << (decision.refused ? "refused" : "allowed");
    return decision;
}

QStringList ModelRouter::phrasesIn(QStringView query) const
{
    // A phrase broken over a line, or typed with two spaces, is still the same phrase.
    const QString simplified = query.toString().simplified();
    QStringList found;
    for (qsizetype i = 0; i < m_simplifiedPhrases.size(); ++i) {
        const QString &phrase = m_rules.highStakesPhrases.at(i);
        if (simplified.contains(m_simplifiedPhrases.at(i), Qt::CaseInsensitive)
            && !found.contains(phrase)) {
            found.append(phrase);
        }
    }
    return found;
}

QStringList ModelRouter::keywordsIn(QStringView query) const
{
    const QStringList words = KeywordMatcher::wordsOf(query);
    QStringList found;
    for (const KeywordMatcher &matcher : m_keywords) {
        if (matcher.occursIn(words) && !found.contains(matcher.keyword()))
            found.append(matcher.keyword());
    }
    return found;
}

QString ModelRouter::reasonFor(const RouteDecision &decision) const
{
    const QString threshold = QString::number(m_rules.wordThreshold);
    const QString words =
        decision.wordCount == 1 ? u"1 word"_s : u"%1 words"_s.arg(decision.wordCount);
    const QString keywords = (decision.matchedKeywords.size() == 1 ? u"matched code keyword: "_s
                                                                   : u"matched code keywords: "_s)
                             + decision.matchedKeywords.join(", "_L1);

    switch (decision.tier) {
    case RouteTier::Haiku:
        return u"%1 (< %2) and no code keyword: the cheapest model is enough"_s.arg(words,
                                                                                    threshold);
    case RouteTier::Sonnet:
        if (decision.wordCount < m_rules.wordThreshold)
            return keywords;
        if (decision.matchedKeywords.isEmpty())
            return u"%1 (>= %2)"_s.arg(words, threshold);
        return u"%1 (>= %2) and %3"_s.arg(words, threshold, keywords);
    case RouteTier::Opus:
        break;
    }

    const QString phrases =
        (decision.matchedPhrases.size() == 1 ? u"high-stakes phrase "_s : u"high-stakes phrases "_s)
        + quotedList(decision.matchedPhrases);
    const QString estimate = formatUsd(decision.estimatedCostUsd);
    const QString guard = formatUsd(m_rules.costGuardUsd);
    if (decision.refused) {
        return u"refused: matched %1, but the estimated %2 exceeds the %3 guard"_s.arg(
            phrases, estimate, guard);
    }
    return u"matched %1; the estimated %2 is within the %3 guard"_s.arg(phrases, estimate, guard);
}
