#include "pricing/pricebook.h"
#include "router/modelrouter.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

// Prices used below, USD per million tokens (resources/prices.json):
//   claude-haiku-4-5 1 in / 5 out, claude-sonnet-4-6 3 / 15, claude-opus-4-8 5 / 25.
// Estimates are ceil(characters / 4) input tokens plus max_tokens (default 1024) output tokens.
// With 1024 output tokens the output part is 5120 (Haiku), 15360 (Sonnet) and 25600 (Opus)
// millionths of a dollar.

namespace {

ModelRouter builtInRouter()
{
    Expected<ModelRouter> router =
        ModelRouter::create(RouterRules::builtIn(), PriceBook::builtIn());
    Q_ASSERT(router.hasValue());
    return std::move(router).value();
}

// `count` words of plain prose, none of them a code keyword.
QString proseOfWords(int count)
{
    static const QStringList pool = u"the quick brown fox jumps over a lazy dog"_s.split(u' ');
    QStringList words;
    for (int i = 0; i < count; ++i)
        words.append(pool.at(i % pool.size()));
    return words.join(u' ');
}

// The built-in rules as a JSON object with `key` set to `value`, for the bad-file rows.
QByteArray builtInRulesWith(QLatin1StringView key, const QJsonValue &value)
{
    QJsonObject root = QJsonDocument::fromJson(RouterRules::builtIn().toJson()).object();
    root.insert(key, value);
    return QJsonDocument(root).toJson();
}

QByteArray builtInRulesWithOpusModel(const QJsonValue &value)
{
    QJsonObject models = QJsonDocument::fromJson(RouterRules::builtIn().toJson())
                             .object()
                             .value("models"_L1)
                             .toObject();
    models.insert("opus"_L1, value);
    return builtInRulesWith("models"_L1, models);
}

QByteArray builtInRulesWithout(QLatin1StringView key)
{
    QJsonObject root = QJsonDocument::fromJson(RouterRules::builtIn().toJson()).object();
    root.remove(key);
    return QJsonDocument(root).toJson();
}

const QString shortReportQuery = u"Write a comprehensive report on our churn."_s; // 42 characters

} // namespace

class tst_ModelRouter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtInRulesUseServedModels();
    void routesTheSampleQueries_data();
    void routesTheSampleQueries();
    void wordThresholdIsInclusive_data();
    void wordThresholdIsInclusive();
    void codeKeywordsMatchWholeWordsAndInflections_data();
    void codeKeywordsMatchWholeWordsAndInflections();
    void highStakesPhrasesGoToOpus_data();
    void highStakesPhrasesGoToOpus();
    void phraseOutranksLengthAndKeywords();
    void costGuardAllowsOrRefusesOpus_data();
    void costGuardAllowsOrRefusesOpus();
    void guardCanBeRaised();
    void userRulesFileReplacesTheBuiltIn();
    void rulesSurviveARoundTrip();
    void badRulesNameTheFileAndField_data();
    void badRulesNameTheFileAndField();
    void missingRulesFileIsAnError();
};

void tst_ModelRouter::builtInRulesUseServedModels()
{
    const RouterRules rules = RouterRules::builtIn();

    QCOMPARE(rules.model(RouteTier::Haiku), u"claude-haiku-4-5-20251001"_s);
    QCOMPARE(rules.model(RouteTier::Sonnet), u"claude-sonnet-4-6"_s);
    QCOMPARE(rules.model(RouteTier::Opus), u"claude-opus-4-8"_s);
    QCOMPARE(rules.wordThreshold, 50);
    QCOMPARE(rules.costGuardUsd, 0.10);
    QCOMPARE(rules.defaultMaxTokens, 1024);
    QCOMPARE(rules.codeKeywords.size(), 10);
    QVERIFY(rules.highStakesPhrases.contains(u"analyse in depth"_s));
    for (RouteTier tier : allRouteTiers)
        QVERIFY(!PriceBook::builtIn().lookup(rules.model(tier))->retired);
}

void tst_ModelRouter::routesTheSampleQueries_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("tier");
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("wordCount");
    QTest::addColumn<QStringList>("keywords");
    QTest::addColumn<qint64>("inputTokens");
    QTest::addColumn<double>("cost");
    QTest::addColumn<QString>("reason");

    const QString cheapest = u" (< 50) and no code keyword: the cheapest model is enough"_s;
    // 12 characters -> ceil(12/4) = 3 tokens; 3*1 + 5120 = 5123 -> $0.005123
    QTest::newRow("arithmetic") << u"What is 2+2?"_s << u"haiku"_s << u"claude-haiku-4-5-20251001"_s
                                << 3 << QStringList() << 3LL << 0.005123 << u"3 words"_s + cheapest;
    // 49 characters -> 13 tokens; 13*1 + 5120 = 5133 -> $0.005133
    QTest::newRow("seven-word summary")
        << u"Summarize the French Revolution in one paragraph."_s << u"haiku"_s
        << u"claude-haiku-4-5-20251001"_s << 7 << QStringList() << 13LL << 0.005133
        << u"7 words"_s + cheapest;
    // 50 characters -> ceil(50/4) = 13 tokens; 13*3 + 15360 = 15399 -> $0.015399
    QTest::newRow("debugging request")
        << u"Debug this Python function: def foo(x): return x/0"_s << u"sonnet"_s
        << u"claude-sonnet-4-6"_s << 8 << QStringList{u"debug"_s, u"function"_s} << 13LL << 0.015399
        << u"matched code keywords: debug, function"_s;
    // 71 characters -> ceil(71/4) = 18 tokens; 18*3 + 15360 = 15414 -> $0.015414
    QTest::newRow("algorithm question")
        << u"Write a recursive algorithm for binary search with O(log n) complexity."_s
        << u"sonnet"_s << u"claude-sonnet-4-6"_s << 11
        << QStringList{u"algorithm"_s, u"complexity"_s} << 18LL << 0.015414
        << u"matched code keywords: algorithm, complexity"_s;
    // Sentences of 14, 29 and 17 words (60) and 82, 188 and 104 characters plus two spaces
    // (376) -> 94 tokens; 94*3 + 15360 = 282 + 15360 = 15642 -> $0.015642
    QTest::newRow("essay question")
        << u"Discuss how the printing press changed the spread of ideas in early modern Europe. "
           "Consider its effects on religion, science, literacy and political power, compare the "
           "speed of change in different regions, and explain whether historians are right to "
           "call it a revolution. Support each point with specific examples from at least three "
           "countries and conclude with your own view."_s
        << u"sonnet"_s << u"claude-sonnet-4-6"_s << 60 << QStringList() << 94LL << 0.015642
        << u"60 words (>= 50)"_s;
    // 59 characters -> ceil(59/4) = 15 tokens; 15*1 + 5120 = 5135 -> $0.005135
    QTest::newRow("short classification task")
        << u"Classify this review as positive or negative: great product"_s << u"haiku"_s
        << u"claude-haiku-4-5-20251001"_s << 9 << QStringList() << 15LL << 0.005135
        << u"9 words"_s + cheapest;
}

void tst_ModelRouter::routesTheSampleQueries()
{
    QFETCH(QString, query);
    QFETCH(QString, tier);
    QFETCH(QString, model);
    QFETCH(int, wordCount);
    QFETCH(QStringList, keywords);
    QFETCH(qint64, inputTokens);
    QFETCH(double, cost);
    QFETCH(QString, reason);

    const RouteDecision decision = builtInRouter().route(query);

    QCOMPARE(routeTierName(decision.tier), tier);
    QCOMPARE(decision.model, model);
    QVERIFY(!decision.refused);
    QCOMPARE(decision.wordCount, wordCount);
    QCOMPARE(decision.matchedKeywords, keywords);
    QVERIFY(decision.matchedPhrases.isEmpty());
    QCOMPARE(decision.estimatedInputTokens, inputTokens);
    QCOMPARE(decision.maxTokens, 1024);
    QCOMPARE(decision.estimatedCostUsd, cost);
    QCOMPARE(decision.reason, reason);
}

void tst_ModelRouter::wordThresholdIsInclusive_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("wordCount");
    QTest::addColumn<QString>("tier");
    QTest::addColumn<QString>("reason");

    QTest::newRow("49 words") << proseOfWords(49) << 49 << u"haiku"_s
                              << u"49 words (< 50) and no code keyword: the cheapest model is "
                                 "enough"_s;
    QTest::newRow("50 words") << proseOfWords(50) << 50 << u"sonnet"_s << u"50 words (>= 50)"_s;
    QTest::newRow("52 words with a keyword")
        << proseOfWords(51) + u" refactor"_s << 52 << u"sonnet"_s
        << u"52 words (>= 50) and matched code keyword: refactor"_s;
    QTest::newRow("one word") << u"hello"_s << 1 << u"haiku"_s
                              << u"1 word (< 50) and no code keyword: the cheapest model is "
                                 "enough"_s;
    QTest::newRow("whitespace runs separate once")
        << u"  one\n\ntwo \t three  "_s << 3 << u"haiku"_s
        << u"3 words (< 50) and no code keyword: the cheapest model is enough"_s;
}

void tst_ModelRouter::wordThresholdIsInclusive()
{
    QFETCH(QString, query);
    QFETCH(int, wordCount);
    QFETCH(QString, tier);
    QFETCH(QString, reason);

    const RouteDecision decision = builtInRouter().route(query);

    QCOMPARE(decision.wordCount, wordCount);
    QCOMPARE(routeTierName(decision.tier), tier);
    QCOMPARE(decision.reason, reason);
}

void tst_ModelRouter::codeKeywordsMatchWholeWordsAndInflections_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("keywords");

    const QStringList none;
    QTest::newRow("code") << u"Read my code"_s << QStringList{u"code"_s};
    QTest::newRow("codes") << u"Two codes here"_s << QStringList{u"code"_s};
    QTest::newRow("coded") << u"Who coded this?"_s << QStringList{u"code"_s};
    QTest::newRow("coding") << u"Tips for coding"_s << QStringList{u"code"_s};
    QTest::newRow("debugs") << u"She debugs daily"_s << QStringList{u"debug"_s};
    QTest::newRow("debugged") << u"I debugged it"_s << QStringList{u"debug"_s};
    QTest::newRow("debugging") << u"Debugging tips"_s << QStringList{u"debug"_s};
    QTest::newRow("functions") << u"List the functions"_s << QStringList{u"function"_s};
    QTest::newRow("classes") << u"Name two classes"_s << QStringList{u"class"_s};
    QTest::newRow("errored") << u"The job errored"_s << QStringList{u"error"_s};
    QTest::newRow("errors") << u"Why so many errors"_s << QStringList{u"error"_s};
    QTest::newRow("implemented") << u"Is it implemented?"_s << QStringList{u"implement"_s};
    QTest::newRow("implementing") << u"Implementing now"_s << QStringList{u"implement"_s};
    QTest::newRow("refactoring") << u"Worth refactoring?"_s << QStringList{u"refactor"_s};
    QTest::newRow("refactored") << u"I refactored it"_s << QStringList{u"refactor"_s};
    QTest::newRow("algorithms") << u"Sorting algorithms"_s << QStringList{u"algorithm"_s};
    QTest::newRow("complexities") << u"Compare complexities"_s << QStringList{u"complexity"_s};
    QTest::newRow("upper case") << u"WHY THIS ERROR"_s << QStringList{u"error"_s};
    QTest::newRow("punctuation separates") << u"see:code,now"_s << QStringList{u"code"_s};
    QTest::newRow("reported once, in rule order") << u"Errors, an error, and a class with code"_s
                                                  << QStringList{u"code"_s, u"class"_s, u"error"_s};
    QTest::newRow("stack trace") << u"Here is a stack trace"_s << QStringList{u"stack trace"_s};
    QTest::newRow("stack traces") << u"Two stack traces"_s << QStringList{u"stack trace"_s};
    QTest::newRow("stack-trace") << u"A stack-trace"_s << QStringList{u"stack trace"_s};
    QTest::newRow("stack across a line") << u"A stack\ntrace"_s << QStringList{u"stack trace"_s};
    QTest::newRow("stack of traces") << u"A stack of traces"_s << none;
    QTest::newRow("classification") << u"Do the classification"_s << none;
    QTest::newRow("classify") << u"Classify these"_s << none;
    QTest::newRow("encode") << u"Encode it in base64"_s << none;
    QTest::newRow("debugger") << u"Open the debugger"_s << none;
    QTest::newRow("functional") << u"Is it functional?"_s << none;
    QTest::newRow("classic") << u"A classic novel"_s << none;
    QTest::newRow("codec") << u"Which codec?"_s << none;
}

void tst_ModelRouter::codeKeywordsMatchWholeWordsAndInflections()
{
    QFETCH(QString, query);
    QFETCH(QStringList, keywords);

    const RouteDecision decision = builtInRouter().route(query);

    QCOMPARE(decision.matchedKeywords, keywords);
    QCOMPARE(decision.tier, keywords.isEmpty() ? RouteTier::Haiku : RouteTier::Sonnet);
    if (!keywords.isEmpty()) {
        QCOMPARE(decision.reason,
                 (keywords.size() == 1 ? u"matched code keyword: "_s : u"matched code keywords: "_s)
                     + keywords.join(", "_L1));
    }
}

void tst_ModelRouter::highStakesPhrasesGoToOpus_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("phrases");

    const QStringList none;
    QTest::newRow("lower case") << u"please analyze in depth"_s
                                << QStringList{u"analyze in depth"_s};
    QTest::newRow("upper case") << u"ANALYSE IN DEPTH, thanks"_s
                                << QStringList{u"analyse in depth"_s};
    QTest::newRow("split by a newline")
        << u"a comprehensive\nreport"_s << QStringList{u"comprehensive report"_s};
    QTest::newRow("split by blank lines and tabs")
        << u"In-depth \n\n\tanalysis please"_s << QStringList{u"in-depth analysis"_s};
    QTest::newRow("two phrases, in rule order")
        << u"An in-depth analysis and a comprehensive report"_s
        << QStringList{u"comprehensive report"_s, u"in-depth analysis"_s};
    QTest::newRow("words apart") << u"analyze our logs in depth"_s << none;
    QTest::newRow("hyphen missing") << u"an in depth analysis"_s << none;
}

void tst_ModelRouter::highStakesPhrasesGoToOpus()
{
    QFETCH(QString, query);
    QFETCH(QStringList, phrases);

    const RouteDecision decision = builtInRouter().route(query);

    QCOMPARE(decision.matchedPhrases, phrases);
    QCOMPARE(decision.tier == RouteTier::Opus, !phrases.isEmpty());
    if (!phrases.isEmpty()) {
        QCOMPARE(decision.model, u"claude-opus-4-8"_s);
        QVERIFY2(decision.reason.contains(phrases.first()), qPrintable(decision.reason));
    }
}

void tst_ModelRouter::phraseOutranksLengthAndKeywords()
{
    const QString query = proseOfWords(60) + u" then a comprehensive report on the error"_s;

    const RouteDecision decision = builtInRouter().route(query);

    QCOMPARE(decision.tier, RouteTier::Opus);
    QCOMPARE(decision.wordCount, 67);
    QCOMPARE(decision.matchedKeywords, QStringList{u"error"_s});
    QCOMPARE(decision.matchedPhrases, QStringList{u"comprehensive report"_s});
}

void tst_ModelRouter::costGuardAllowsOrRefusesOpus_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("systemPromptChars");
    QTest::addColumn<int>("maxTokens");
    QTest::addColumn<qint64>("inputTokens");
    QTest::addColumn<double>("cost");
    QTest::addColumn<bool>("refused");
    QTest::addColumn<QString>("reason");

    // 42 characters -> ceil(42/4) = 11 tokens; 11*5 + 1024*25 = 55 + 25600 = 25655 -> $0.025655
    QTest::newRow("short report") << shortReportQuery << 0 << 0 << 11LL << 0.025655 << false
                                  << u"matched high-stakes phrase \"comprehensive report\"; the "
                                     "estimated $0.025655 is within the $0.10 guard"_s;
    // 42 + 60000 = 60042 characters -> ceil(15010.5) = 15011 tokens;
    // 15011*5 + 25600 = 75055 + 25600 = 100655 -> $0.100655 > $0.10
    QTest::newRow("long system prompt")
        << shortReportQuery << 60000 << 0 << 15011LL << 0.100655 << true
        << u"refused: matched high-stakes phrase \"comprehensive report\", but the estimated "
           "$0.100655 exceeds the $0.10 guard"_s;
    // 42 + 38 = 80 characters -> 20 tokens; 20*5 + 3996*25 = 100 + 99900 = 100000 -> $0.10,
    // which is not above the guard
    QTest::newRow("exactly at the guard")
        << shortReportQuery << 38 << 3996 << 20LL << 0.10 << false
        << u"matched high-stakes phrase \"comprehensive report\"; the estimated $0.10 is within "
           "the $0.10 guard"_s;
    // One more output token: 100000 + 25 = 100025 -> $0.100025
    QTest::newRow("one token above the guard")
        << shortReportQuery << 38 << 3997 << 20LL << 0.100025 << true
        << u"refused: matched high-stakes phrase \"comprehensive report\", but the estimated "
           "$0.100025 exceeds the $0.10 guard"_s;
}

void tst_ModelRouter::costGuardAllowsOrRefusesOpus()
{
    QFETCH(QString, query);
    QFETCH(int, systemPromptChars);
    QFETCH(int, maxTokens);
    QFETCH(qint64, inputTokens);
    QFETCH(double, cost);
    QFETCH(bool, refused);
    QFETCH(QString, reason);

    const QString systemPrompt(systemPromptChars, u'x');
    const RouteDecision decision = builtInRouter().route(query, systemPrompt, maxTokens);

    QCOMPARE(decision.tier, RouteTier::Opus);
    QCOMPARE(decision.refused, refused);
    QCOMPARE(decision.model, refused ? QString() : u"claude-opus-4-8"_s);
    QCOMPARE(decision.estimatedInputTokens, inputTokens);
    QCOMPARE(decision.estimatedCostUsd, cost);
    QCOMPARE(decision.reason, reason);
}

void tst_ModelRouter::guardCanBeRaised()
{
    RouterRules rules = RouterRules::builtIn();
    rules.costGuardUsd = 0.5;
    const Expected<ModelRouter> router = ModelRouter::create(rules, PriceBook::builtIn());
    QVERIFY(router.hasValue());

    // The refused "long system prompt" row above: $0.100655, now under a $0.50 guard.
    const RouteDecision decision = router->route(shortReportQuery, QString(60000, u'x'));

    QVERIFY(!decision.refused);
    QCOMPARE(decision.model, u"claude-opus-4-8"_s);
    QCOMPARE(decision.estimatedCostUsd, 0.100655);
    QVERIFY2(decision.reason.endsWith(u"within the $0.50 guard"_s), qPrintable(decision.reason));
}

void tst_ModelRouter::userRulesFileReplacesTheBuiltIn()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"my-router.json"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({
        "models": {"haiku": "claude-3-haiku-20240307", "sonnet": "claude-sonnet-4-6",
                   "opus": "claude-opus-4-8"},
        "word_threshold": 5,
        "code_keywords": ["sql"],
        "high_stakes_phrases": ["board meeting"],
        "cost_guard_usd": 0.01,
        "default_max_tokens": 200
    })");
    file.close();

    const Expected<RouterRules> rules = RouterRules::load(path);
    QVERIFY2(rules.hasValue(), qPrintable(rules ? QString() : rules.error()));
    const Expected<ModelRouter> router = ModelRouter::create(*rules, PriceBook::builtIn());
    QVERIFY(router.hasValue());

    // 16 characters -> 4 tokens; Haiku 3 at 0.25 / 1.25: 4*0.25 + 200*1.25 = 1 + 250 = 251
    // -> $0.000251
    const RouteDecision small = router->route(u"Hello there you!"_s);
    QCOMPARE(small.model, u"claude-3-haiku-20240307"_s);
    QCOMPARE(small.estimatedCostUsd, 0.000251);
    QCOMPARE(router->route(u"Fix my SQLs"_s).matchedKeywords, QStringList{u"sql"_s});
    QCOMPARE(router->route(u"one two three four five"_s).tier, RouteTier::Sonnet);
    QVERIFY(router->route(u"debug this"_s).matchedKeywords.isEmpty());

    // 18 characters -> 5 tokens; 5*5 + 200*25 = 25 + 5000 = 5025 -> $0.005025 <= $0.01
    QVERIFY(!router->route(u"For board meeting."_s).refused);
    // The same 5 tokens with 400 output tokens: 5*5 + 400*25 = 25 + 10000 = 10025
    // -> $0.010025 > $0.01
    const RouteDecision big = router->route(u"For board meeting."_s, {}, 400);
    QVERIFY(big.refused);
    QVERIFY2(big.reason.endsWith(u"$0.010025 exceeds the $0.01 guard"_s), qPrintable(big.reason));
}

void tst_ModelRouter::rulesSurviveARoundTrip()
{
    RouterRules edited = RouterRules::builtIn();
    edited.costGuardUsd = 0.25;
    edited.wordThreshold = 80;
    edited.codeKeywords.append(u"unit test"_s);
    edited.highStakesPhrases.removeFirst();
    edited.setModel(RouteTier::Sonnet, u"claude-sonnet-4-5-20250929"_s);

    for (const RouterRules &rules : {RouterRules::builtIn(), edited}) {
        const Expected<RouterRules> reread = RouterRules::fromJson(rules.toJson(), u"saved"_s);
        QVERIFY2(reread.hasValue(), qPrintable(reread ? QString() : reread.error()));
        QVERIFY(*reread == rules);
        QCOMPARE(reread->origin, u"saved"_s);
    }
    QVERIFY(!(edited == RouterRules::builtIn()));
}

void tst_ModelRouter::badRulesNameTheFileAndField_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expectedFragment");

    QTest::newRow("not json") << QByteArray("{\"models\": ") << u"not valid JSON"_s;
    QTest::newRow("not an object") << QByteArray("[]") << u"expected a JSON object"_s;
    QTest::newRow("models not an object")
        << builtInRulesWith("models"_L1, QJsonArray{u"claude-opus-4-8"_s}) << u"\"models\""_s;
    QTest::newRow("tier model missing")
        << builtInRulesWithOpusModel(QJsonValue()) << u"\"models.opus\" must be a model id"_s;
    QTest::newRow("tier model empty")
        << builtInRulesWithOpusModel(u""_s) << u"\"models.opus\" must not be empty"_s;
    QTest::newRow("tier model has no price")
        << builtInRulesWithOpusModel(u"claude-opus-9"_s)
        << u"\"models.opus\": unknown model \"claude-opus-9\""_s;
    QTest::newRow("keywords not an array") << builtInRulesWith("code_keywords"_L1, u"code"_s)
                                           << u"\"code_keywords\" must be an array of strings"_s;
    QTest::newRow("phrases not an array")
        << builtInRulesWith("high_stakes_phrases"_L1, QJsonObject{{u"a"_s, u"b"_s}})
        << u"\"high_stakes_phrases\" must be an array of strings"_s;
    QTest::newRow("keyword not a string")
        << builtInRulesWith("code_keywords"_L1, QJsonArray{u"code"_s, 7})
        << u"\"code_keywords\"[1] must be a string"_s;
    QTest::newRow("empty keyword")
        << builtInRulesWith("code_keywords"_L1, QJsonArray{u"code"_s, u" "_s})
        << u"\"code_keywords\"[1] must not be empty"_s;
    QTest::newRow("keyword of punctuation")
        << builtInRulesWith("code_keywords"_L1, QJsonArray{u"++"_s})
        << u"\"code_keywords\"[0] must contain a letter or a digit"_s;
    QTest::newRow("empty phrase") << builtInRulesWith("high_stakes_phrases"_L1, QJsonArray{u""_s})
                                  << u"\"high_stakes_phrases\"[0] must not be empty"_s;
    QTest::newRow("negative guard") << builtInRulesWith("cost_guard_usd"_L1, -0.01)
                                    << u"\"cost_guard_usd\" must not be negative"_s;
    QTest::newRow("guard as text") << builtInRulesWith("cost_guard_usd"_L1, u"0.10"_s)
                                   << u"\"cost_guard_usd\" must be a number"_s;
    QTest::newRow("threshold zero") << builtInRulesWith("word_threshold"_L1, 0)
                                    << u"\"word_threshold\" must be at least 1, not 0"_s;
    QTest::newRow("threshold fractional") << builtInRulesWith("word_threshold"_L1, 2.5)
                                          << u"\"word_threshold\" must be a whole number"_s;
    QTest::newRow("max tokens zero") << builtInRulesWith("default_max_tokens"_L1, 0)
                                     << u"\"default_max_tokens\" must be at least 1"_s;
    QTest::newRow("guard missing")
        << builtInRulesWithout("cost_guard_usd"_L1) << u"\"cost_guard_usd\""_s;
}

void tst_ModelRouter::badRulesNameTheFileAndField()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expectedFragment);

    // A file fails either while it is read or when a router is made from it (prices).
    const Expected<RouterRules> rules = RouterRules::fromJson(json, u"custom-router.json"_s);
    QString error = rules ? QString() : rules.error();
    if (rules) {
        const Expected<ModelRouter> router = ModelRouter::create(*rules, PriceBook::builtIn());
        QVERIFY2(!router.hasValue(), "the rules were accepted");
        error = router.error();
    }

    QVERIFY2(error.startsWith(u"custom-router.json: "_s), qPrintable(error));
    QVERIFY2(error.contains(expectedFragment), qPrintable(error));
}

void tst_ModelRouter::missingRulesFileIsAnError()
{
    const Expected<RouterRules> rules = RouterRules::load(u"/nonexistent/router.json"_s);

    QVERIFY(!rules.hasValue());
    QVERIFY(rules.error().startsWith(u"/nonexistent/router.json: cannot read"_s));
    QVERIFY(RouterRules::load(QString()).hasValue());
}

QTEST_GUILESS_MAIN(tst_ModelRouter)
#include "tst_modelrouter.moc"
