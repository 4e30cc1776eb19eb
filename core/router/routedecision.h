#pragma once

#include <QString>
#include <QStringList>

#include <array>

// The three model tiers the router chooses between, cheapest first.
enum class RouteTier { Haiku, Sonnet, Opus };

inline constexpr std::array<RouteTier, 3> allRouteTiers = {RouteTier::Haiku, RouteTier::Sonnet,
                                                           RouteTier::Opus};

// The tier's lowercase name, as used in rule files and in the CLI's output: "haiku", "sonnet",
// "opus".
constexpr QLatin1StringView routeTierName(RouteTier tier)
{
    switch (tier) {
    case RouteTier::Haiku:
        return QLatin1StringView("haiku");
    case RouteTier::Sonnet:
        return QLatin1StringView("sonnet");
    case RouteTier::Opus:
        return QLatin1StringView("opus");
    }
    return QLatin1StringView();
}

// What the router decided for one query, and everything needed to check it by hand.
struct RouteDecision
{
    QString model; // empty when the request was refused
    RouteTier tier = RouteTier::Haiku;
    bool refused = false;        // the Opus tier was chosen but its estimate exceeds the cost guard
    int wordCount = 0;           // whitespace-separated words of the query
    QStringList matchedPhrases;  // high-stakes phrases found, as the rules spell them
    QStringList matchedKeywords; // code keywords found, as the rules spell them, in rule order
    qint64 estimatedInputTokens = 0; // ceil(characters of query and system prompt / 4)
    int maxTokens = 0;               // the output tokens the estimate assumes
    double estimatedCostUsd = 0;     // input and maxTokens output at the tier model's prices
    QString reason;                  // one line a learner can read
};
