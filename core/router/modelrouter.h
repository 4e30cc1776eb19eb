#pragma once

#include "common/expected.h"
#include "pricing/pricebook.h"
#include "router/keywordmatcher.h"
#include "router/routedecision.h"
#include "router/routerrules.h"

#include <QList>
#include <QStringView>

#include <array>

// Picks the cheapest model adequate for a query, and says why. In order: a high-stakes phrase
// sends the query to the Opus tier, unless its estimated cost exceeds the rules' guard, in which
// case the request is refused; a long query (at least the word threshold) or one with a code
// keyword goes to Sonnet; anything else to Haiku.
//
// The estimate is ceil(characters / 4) input tokens for the query and system prompt, plus
// max_tokens output tokens, at the chosen model's prices. Characters are UTF-16 code units, which
// differ from what a reader counts only for emoji and other characters outside the Basic
// Multilingual Plane. The router copies its rules and the prices of its three models, so it
// does not depend on the PriceBook it was made from; route() is const and may be called from
// several threads at once.
class ModelRouter
{
public:
    // Fails, naming the rules' origin, the field and the model id, when a tier's model has no
    // price, or when the rules are invalid.
    static Expected<ModelRouter> create(RouterRules rules, const PriceBook &prices);

    // maxTokens 0 or less means the rules' default_max_tokens.
    RouteDecision route(QStringView query, QStringView systemPrompt = {}, int maxTokens = 0) const;

    const RouterRules &rules() const { return m_rules; }

private:
    ModelRouter() = default;

    QStringList phrasesIn(QStringView query) const;
    QStringList keywordsIn(QStringView query) const;
    QString reasonFor(const RouteDecision &decision) const;

    RouterRules m_rules;
    std::array<ModelPrice, 3> m_prices; // indexed by RouteTier
    QList<KeywordMatcher> m_keywords;
    QStringList m_simplifiedPhrases; // the rules' phrases with whitespace runs made one space
};
