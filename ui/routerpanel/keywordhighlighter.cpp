#include "keywordhighlighter.h"

#include "router/keywordmatcher.h"

#include <QTextCharFormat>

#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace {

// Letters and digits make words, as KeywordMatcher::wordsOf splits them.
const QString notWordBefore = u"(?<![\\p{L}\\p{N}])"_s;
const QString notWordAfter = u"(?![\\p{L}\\p{N}])"_s;

QRegularExpression keywordPattern(const QString &keyword)
{
    QStringList words = KeywordMatcher::wordsOf(keyword);
    if (words.isEmpty())
        return {};
    QStringList lastForms;
    for (const QString &form : KeywordMatcher::inflectionsOf(words.takeLast()))
        lastForms.append(QRegularExpression::escape(form));
    lastForms.sort(); // a fixed order, so the pattern is the same on every run
    QStringList parts;
    for (const QString &word : std::as_const(words))
        parts.append(QRegularExpression::escape(word));
    parts.append(QString(u"(?:"_s + lastForms.join(u'|') + u")"_s));
    return QRegularExpression(notWordBefore + parts.join(u"[^\\p{L}\\p{N}]+"_s) + notWordAfter,
                              QRegularExpression::CaseInsensitiveOption
                                  | QRegularExpression::UseUnicodePropertiesOption);
}

QRegularExpression phrasePattern(const QString &phrase)
{
    QStringList words = phrase.simplified().split(u' ', Qt::SkipEmptyParts);
    for (QString &word : words)
        word = QRegularExpression::escape(word);
    return QRegularExpression(words.join(u"\\s+"_s), QRegularExpression::CaseInsensitiveOption);
}

} // namespace

KeywordHighlighter::KeywordHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{}

void KeywordHighlighter::setTerms(const QStringList &keywords, const QStringList &phrases)
{
    if (keywords == m_keywordTexts && phrases == m_phraseTexts)
        return;
    m_keywordTexts = keywords;
    m_phraseTexts = phrases;
    m_keywords.clear();
    for (const QString &keyword : keywords)
        m_keywords.append(keywordPattern(keyword));
    m_phrases.clear();
    for (const QString &phrase : phrases)
        m_phrases.append(phrasePattern(phrase));
    rehighlight();
}

void KeywordHighlighter::highlightBlock(const QString &text)
{
    QTextCharFormat keyword;
    keyword.setBackground(QColor(255, 196, 0, 120));
    keyword.setFontWeight(QFont::Bold);
    QTextCharFormat phrase;
    phrase.setBackground(QColor(255, 70, 70, 120));
    phrase.setFontWeight(QFont::Bold);

    const auto mark = [&](const QList<QRegularExpression> &patterns,
                          const QTextCharFormat &format) {
        for (const QRegularExpression &pattern : patterns) {
            if (pattern.pattern().isEmpty())
                continue;
            QRegularExpressionMatchIterator matches = pattern.globalMatch(text);
            while (matches.hasNext()) {
                const QRegularExpressionMatch match = matches.next();
                setFormat(int(match.capturedStart()), int(match.capturedLength()), format);
            }
        }
    };
    mark(m_keywords, keyword);
    mark(m_phrases, phrase);
}
