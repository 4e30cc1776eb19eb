#pragma once

#include <QList>
#include <QRegularExpression>
#include <QStringList>
#include <QSyntaxHighlighter>

// Marks in a text the code keywords and high-stakes phrases the router found, matching them as
// the router does: keywords as whole words with their inflections, phrases ignoring case and
// runs of whitespace. A phrase broken across two lines is not marked.
class KeywordHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    explicit KeywordHighlighter(QTextDocument *document);

    // Rehighlights the document when the terms change.
    void setTerms(const QStringList &keywords, const QStringList &phrases);

protected:
    void highlightBlock(const QString &text) override;

private:
    QList<QRegularExpression> m_keywords;
    QList<QRegularExpression> m_phrases;
    QStringList m_keywordTexts;
    QStringList m_phraseTexts;
};
