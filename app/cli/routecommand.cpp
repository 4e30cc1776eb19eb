#include "clicommand.h"
#include "clicommands.h"

#include "client/messagerequest.h"
#include "router/modelrouter.h"

#include <QJsonArray>
#include <QTextStream>

using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject decisionToJson(const RouteDecision &decision)
{
    const QStringList matched = decision.matchedPhrases + decision.matchedKeywords;
    return QJsonObject{
        {"model"_L1, decision.refused ? QJsonValue(QJsonValue::Null) : QJsonValue(decision.model)},
        {"tier"_L1, QString(routeTierName(decision.tier))},
        {"refused"_L1, decision.refused},
        {"word_count"_L1, decision.wordCount},
        {"matched"_L1, QJsonArray::fromStringList(matched)},
        {"matched_phrases"_L1, QJsonArray::fromStringList(decision.matchedPhrases)},
        {"matched_keywords"_L1, QJsonArray::fromStringList(decision.matchedKeywords)},
        {"estimated_input_tokens"_L1, decision.estimatedInputTokens},
        {"max_tokens"_L1, decision.maxTokens},
        {"estimated_cost_usd"_L1, decision.estimatedCostUsd},
        {"reason"_L1, decision.reason},
    };
}

void printDecision(const RouteDecision &decision)
{
    const QString tier = QString(routeTierName(decision.tier));
    if (decision.refused)
        Cli::printLine(u"Model     none: refused (%1 tier)"_s.arg(tier));
    else
        Cli::printLine(u"Model     %1 (%2 tier)"_s.arg(decision.model, tier));
    Cli::printLine(u"Why       "_s + decision.reason);
    Cli::printLine(u"Words     %1"_s.arg(decision.wordCount));
    Cli::printLine(u"Estimate  %1 for about %2 input tokens and %3 output tokens"_s
                       .arg(Cli::formatUsd(decision.estimatedCostUsd))
                       .arg(decision.estimatedInputTokens)
                       .arg(decision.maxTokens));
}

} // namespace

ExitStatus runRoute(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Shows which model the router picks for a query, and why. Nothing is sent."_s);
    parser.addPositionalArgument(u"query"_s, u"The query; '-' reads it from standard input."_s,
                                 u"QUERY..."_s);
    const QCommandLineOption json(u"json"_s, u"Print one JSON object."_s);
    const QCommandLineOption maxTokens(
        u"max-tokens"_s, u"Output tokens the estimate assumes (default: the rules')."_s, u"n"_s);
    const QCommandLineOption systemPromptFile(
        u"system-prompt-file"_s, u"A system prompt whose length counts in the estimate."_s,
        u"file"_s);
    const QCommandLineOption rules(u"rules"_s,
                                   u"A JSON rules file to use instead of the "
                                   "built-in rules."_s,
                                   u"file"_s);
    parser.addOptions({json, maxTokens, systemPromptFile, rules, Cli::pricesOption()});
    if (const std::optional<ExitStatus> early = Cli::parse(parser, arguments))
        return *early;

    QString query = parser.positionalArguments().join(u' ');
    if (query == "-"_L1)
        query = QTextStream(stdin).readAll();
    if (query.trimmed().isEmpty())
        return Cli::fail(ExitStatus::BadUsage, u"route: give the query to route"_s);

    int outputTokens = 0;
    if (parser.isSet(maxTokens)) {
        const std::optional<qint64> value = Cli::readInteger(parser, u"max-tokens"_s, 1, 1'000'000);
        if (!value)
            return ExitStatus::BadUsage;
        outputTokens = int(*value);
    }
    QString systemPrompt;
    if (parser.isSet(systemPromptFile)) {
        const std::optional<QString> text =
            Cli::readTextFile(parser.value(systemPromptFile), u"the system prompt file"_s,
                              MessageRequest::maxBodyBytes);
        if (!text)
            return ExitStatus::Failure;
        systemPrompt = *text;
    }

    const std::optional<PriceBook> prices = Cli::loadPrices(parser);
    if (!prices)
        return ExitStatus::Failure;
    Expected<RouterRules> loadedRules = RouterRules::load(parser.value(rules));
    if (!loadedRules)
        return Cli::fail(ExitStatus::Failure, loadedRules.error());
    const Expected<ModelRouter> router =
        ModelRouter::create(std::move(loadedRules).value(), *prices);
    if (!router)
        return Cli::fail(ExitStatus::Failure, router.error());

    const RouteDecision decision = router->route(query, systemPrompt, outputTokens);
    if (parser.isSet(json))
        Cli::printJson(decisionToJson(decision));
    else
        printDecision(decision);
    return ExitStatus::Success;
}
