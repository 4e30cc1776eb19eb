#pragma once

#include "common/expected.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

// One passage found by Retriever::search(), with the BM25 score that ranked it.
struct RetrievedPassage
{
    QString documentName;  // the file name, e.g. "rentals.md"
    QString documentTitle; // the document's "# Title" heading, or its base name without one
    QString text;          // the passage as written in the document, without the title
    int passageIndex = 0;  // 0-based position of the passage within its document
    double score = 0;
};

// A small Okapi BM25 index over a folder of markdown and text documents, for demonstrating
// retrieval-augmented prompts. Each document is split into passages of roughly paragraph size,
// and each passage is indexed together with its document's title, so a passage about "prices"
// under "# Bike rentals" still matches a question about rentals.
//
// The index owns copies of all the text it was built from and is immutable after fromFolder(),
// so a Retriever can be copied and searched from any thread. Building fails, with a message
// naming the folder or the file, when the folder is missing or holds no documents, or when a
// document is unreadable, not UTF-8, or over the size limits.
class Retriever
{
public:
    // Limits that keep a stray video or database in the folder from being read into memory.
    static constexpr qint64 maxDocumentBytes = 2 * 1024 * 1024;
    static constexpr qint64 maxCorpusBytes = 50 * 1024 * 1024;

    // Passages shorter than this many words are merged into the next one (headings, one-line
    // introductions); longer than maxPassageWords, they are split at sentence ends.
    static constexpr int minPassageWords = 12;
    static constexpr int maxPassageWords = 200;

    // The BM25 parameters: k1 saturates term frequency, b sets how much length is normalised.
    static constexpr double k1 = 1.2;
    static constexpr double b = 0.75;

    // Indexes every *.md and *.txt file directly in `path`; resource paths (":/...") work too.
    static Expected<Retriever> fromFolder(const QString &path);

    // The sample help-centre corpus bundled at ":/opsbench/corpus".
    static Expected<Retriever> builtInCorpus();

    // Up to `topK` passages that share at least one term with `query`, best first. Equal scores
    // are ordered by document name and then passage index, so results never depend on hashing
    // or on the order the files were listed in.
    QList<RetrievedPassage> search(QStringView query, int topK) const;

    // The passages as one block for a prompt, each in a <passage> element whose source and title
    // attributes name its document. Markup characters in the text are escaped, so a document
    // cannot close the element early. The same passages always give the same block.
    static QString formatForPrompt(const QList<RetrievedPassage> &passages);

    // The index terms of `text`: lowercased runs of letters and digits, without stop words, with
    // a plural "s" removed. Queries and documents go through the same function.
    static QStringList tokenize(QStringView text);

    struct SplitDocument
    {
        QString title;
        QStringList passages;
    };

    // A document's title (its first line, if that is a "# " heading, else `fallbackTitle`) and
    // its passages: blank-line separated paragraphs, short ones merged, long ones split.
    static SplitDocument splitDocument(QStringView text, const QString &fallbackTitle);

    qsizetype documentCount() const { return m_documents.size(); }
    qsizetype passageCount() const { return m_passages.size(); }

private:
    struct Document
    {
        QString name;
        QString title;
    };

    struct Passage
    {
        int document = 0;
        int index = 0;
        QString text;
        int length = 0; // in index terms, title included
    };

    struct Posting
    {
        int passage = 0;
        int termFrequency = 0;
    };

    void addDocument(const QString &name, QStringView text);

    QList<Document> m_documents;
    QList<Passage> m_passages;
    QHash<QString, QList<Posting>> m_postings;
    double m_averageLength = 0;
};
