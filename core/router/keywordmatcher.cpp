#include "keywordmatcher.h"

using namespace Qt::Literals::StringLiterals;

namespace {

bool isVowel(QChar c)
{
    return u"aeiou"_s.contains(c);
}

bool isConsonant(QChar c)
{
    return c.isLetter() && c.isLower() && c.unicode() < 0x80 && !isVowel(c);
}

// Words that end consonant-vowel-consonant double the consonant before -ed and -ing
// ("debug" -> "debugged"); w, x and y never double.
bool doublesFinalConsonant(const QString &word)
{
    if (word.size() < 3)
        return false;
    const QChar last = word.back();
    return isConsonant(last) && !u"wxy"_s.contains(last) && isVowel(word.at(word.size() - 2))
           && isConsonant(word.at(word.size() - 3));
}

// "class" -> "classes", "fix" -> "fixes": a hissing end takes -es rather than -s.
bool endsWithSibilant(const QString &word)
{
    return word.endsWith(u's') || word.endsWith(u'x') || word.endsWith(u'z')
           || word.endsWith("ch"_L1) || word.endsWith("sh"_L1);
}

} // namespace

KeywordMatcher::KeywordMatcher(const QString &keyword)
    : m_keyword(keyword)
{
    m_leadingWords = wordsOf(keyword);
    if (m_leadingWords.isEmpty())
        return;
    m_lastWordForms = inflectionsOf(m_leadingWords.takeLast());
}

bool KeywordMatcher::occursIn(const QStringList &words) const
{
    if (m_lastWordForms.isEmpty())
        return false;
    const qsizetype length = m_leadingWords.size() + 1;
    for (qsizetype start = 0; start + length <= words.size(); ++start) {
        bool leadingMatch = true;
        for (qsizetype i = 0; i < m_leadingWords.size() && leadingMatch; ++i)
            leadingMatch = words.at(start + i) == m_leadingWords.at(i);
        if (leadingMatch && m_lastWordForms.contains(words.at(start + length - 1)))
            return true;
    }
    return false;
}

QStringList KeywordMatcher::wordsOf(QStringView text)
{
    QStringList words;
    qsizetype start = -1;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        const bool inWord = i < text.size() && text.at(i).isLetterOrNumber();
        if (inWord && start < 0)
            start = i;
        if (!inWord && start >= 0) {
            words.append(text.sliced(start, i - start).toString().toLower());
            start = -1;
        }
    }
    return words;
}

QSet<QString> KeywordMatcher::inflectionsOf(const QString &word)
{
    const QString base = word.toLower();
    QSet<QString> forms{base};
    if (base.size() < 2)
        return forms;

    const QString stem = base.chopped(1);
    if (base.endsWith(u'y') && isConsonant(stem.back())) {
        forms << stem + "ies"_L1 << stem + "ied"_L1 << base + "ing"_L1;
    } else if (base.endsWith(u'e')) {
        forms << base + u's' << base + u'd' << stem + "ing"_L1;
    } else {
        forms << base + "ed"_L1 << base + "ing"_L1;
        if (!endsWithSibilant(base))
            forms << base + u's';
        // Words in -o go either way: "echoes", "demos".
        if (endsWithSibilant(base) || base.endsWith(u'o'))
            forms << base + "es"_L1;
        if (doublesFinalConsonant(base))
            forms << base + base.back() + "ed"_L1 << base + base.back() + "ing"_L1;
    }
    return forms;
}
