#pragma once

#include <QSet>
#include <QString>
#include <QStringList>
#include <QStringView>

// Finds one keyword of one or more words in a text, as whole words and ignoring case. The
// keyword's last word also matches its plain English inflections (-s, -es, -ed, -ing, a doubled
// final consonant, a dropped silent e, y -> ies/ied), so "debug" finds "debugging" and "stack
// trace" finds "stack traces", while derived words ("debugger", "classify") do not match.
class KeywordMatcher
{
public:
    explicit KeywordMatcher(const QString &keyword);

    // The keyword as it was given, for reporting.
    const QString &keyword() const { return m_keyword; }

    // True if the keyword occurs in `words`, a text already split by wordsOf().
    bool occursIn(const QStringList &words) const;

    // The runs of letters and digits in `text`, lowercased: everything else separates words.
    static QStringList wordsOf(QStringView text);

    // `word` and its inflections, lowercased; the set occursIn() accepts for a last word.
    static QSet<QString> inflectionsOf(const QString &word);

private:
    QString m_keyword;
    QStringList m_leadingWords; // every word of the keyword but the last, which must match exactly
    QSet<QString> m_lastWordForms;
};
