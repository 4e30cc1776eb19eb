#include "answerwriter.h"

#include <QRegularExpression>
#include <QSet>
#include <QStringList>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int maxKeyTerms = 4;
constexpr int maxQuotes = 2;

QStringList sentencesOf(const QString &text)
{
    static const QRegularExpression boundary(u"(?<=[.!?])\\s+|\\n+"_s);
    QStringList sentences;
    const QStringList pieces = text.split(boundary, Qt::SkipEmptyParts);
    for (const QString &piece : pieces) {
        const QString sentence = piece.trimmed();
        if (!sentence.isEmpty())
            sentences.append(sentence);
    }
    return sentences;
}

QStringList wordsOf(const QString &text)
{
    static const QRegularExpression nonWord(u"[^\\p{L}\\p{N}]+"_s);
    return text.toLower().split(nonWord, Qt::SkipEmptyParts);
}

QStringList keyTerms(const QString &question)
{
    static const QSet<QString> stopWords = {
        u"what"_s,  u"which"_s,   u"when"_s,    u"where"_s, u"does"_s,  u"with"_s,  u"that"_s,
        u"this"_s,  u"have"_s,    u"from"_s,    u"about"_s, u"there"_s, u"their"_s, u"would"_s,
        u"could"_s, u"should"_s,  u"into"_s,    u"your"_s,  u"them"_s,  u"they"_s,  u"were"_s,
        u"will"_s,  u"been"_s,    u"than"_s,    u"then"_s,  u"these"_s, u"those"_s, u"please"_s,
        u"tell"_s,  u"explain"_s, u"question"_s};
    QStringList terms;
    const QStringList words = wordsOf(question);
    for (const QString &word : words) {
        if (word.size() >= 4 && !stopWords.contains(word) && !terms.contains(word))
            terms.append(word);
    }
    return terms.mid(0, maxKeyTerms);
}

QString joinTerms(const QStringList &terms)
{
    if (terms.size() <= 1)
        return terms.value(0);
    return terms.mid(0, terms.size() - 1).join(u", "_s) + u" and "_s + terms.last();
}

} // namespace

QString AnswerWriter::write(const QString &systemText, const QString &lastUserText,
                            const QString &modelName)
{
    QStringList userSentences = sentencesOf(lastUserText);
    qsizetype questionAt = userSentences.size() - 1;
    for (qsizetype i = userSentences.size() - 1; i >= 0; --i) {
        if (userSentences.at(i).endsWith(u'?')) {
            questionAt = i;
            break;
        }
    }
    const QString question = questionAt >= 0 ? userSentences.takeAt(questionAt) : QString();
    const QStringList terms = keyTerms(question);
    if (terms.isEmpty())
        return u"Hello! This is a simulated reply from %1."_s.arg(modelName);

    struct Candidate
    {
        qsizetype order;
        int score;
        QString sentence;
    };
    QList<Candidate> candidates;
    const QStringList sources = sentencesOf(systemText) + userSentences;
    for (qsizetype i = 0; i < sources.size(); ++i) {
        const QStringList words = wordsOf(sources.at(i));
        const int score = int(std::count_if(terms.cbegin(), terms.cend(),
                                            [&](const QString &t) { return words.contains(t); }));
        if (score > 0)
            candidates.append({i, score, sources.at(i)});
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate &a, const Candidate &b) { return a.score > b.score; });

    QString answer = u"On %1: "_s.arg(joinTerms(terms));
    if (candidates.isEmpty()) {
        return answer
               + u"nothing in the prompt speaks to this, so this simulated reply from %1 "
                 "can only restate the question."_s.arg(modelName);
    }
    candidates = candidates.mid(0, maxQuotes);
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate &a, const Candidate &b) { return a.order < b.order; });
    QStringList quotes;
    for (const Candidate &candidate : std::as_const(candidates))
        quotes.append(candidate.sentence);
    return answer + quotes.join(u' ') + u" (Simulated by %1 from the prompt.)"_s.arg(modelName);
}
