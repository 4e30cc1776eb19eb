#include "retriever.h"

#include "common/jsonfile.h"
#include "common/logging.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <QStringDecoder>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

// Words too common to say anything about a passage. Kept short on purpose: words such as "not",
// "more" or "after" change what a customer is asking and stay searchable.
const QSet<QString> &stopWords()
{
    static const QSet<QString> words{
        u"a"_s,     u"about"_s, u"am"_s,    u"an"_s,   u"and"_s,   u"are"_s,   u"as"_s,
        u"at"_s,    u"be"_s,    u"been"_s,  u"but"_s,  u"by"_s,    u"can"_s,   u"could"_s,
        u"did"_s,   u"do"_s,    u"does"_s,  u"for"_s,  u"from"_s,  u"had"_s,   u"has"_s,
        u"have"_s,  u"he"_s,    u"her"_s,   u"his"_s,  u"how"_s,   u"i"_s,     u"if"_s,
        u"in"_s,    u"into"_s,  u"is"_s,    u"it"_s,   u"its"_s,   u"me"_s,    u"my"_s,
        u"of"_s,    u"on"_s,    u"or"_s,    u"our"_s,  u"s"_s,     u"she"_s,   u"should"_s,
        u"so"_s,    u"t"_s,     u"than"_s,  u"that"_s, u"the"_s,   u"their"_s, u"them"_s,
        u"then"_s,  u"there"_s, u"these"_s, u"they"_s, u"this"_s,  u"those"_s, u"to"_s,
        u"us"_s,    u"was"_s,   u"we"_s,    u"were"_s, u"what"_s,  u"when"_s,  u"where"_s,
        u"which"_s, u"who"_s,   u"will"_s,  u"with"_s, u"would"_s, u"you"_s,   u"your"_s,
    };
    return words;
}

// Only a plural "s" is removed. A real stemmer (Porter and its kin) merges words that a reader
// would not merge ("general" and "generous" both become "gener") and makes it hard to see why
// a passage matched; for a demonstration index, exact words plus plurals keep every match
// explainable, at the cost of "charging" not matching "charge".
QString withoutPlural(QString word)
{
    if (word.size() > 3 && word.endsWith(u's') && !word.endsWith("ss"_L1))
        word.chop(1);
    return word;
}

int wordCount(QStringView text)
{
    int words = 0;
    bool inWord = false;
    for (const QChar c : text) {
        if (c.isSpace()) {
            inWord = false;
        } else if (!inWord) {
            inWord = true;
            ++words;
        }
    }
    return words;
}

bool startsListItem(QStringView line)
{
    line = line.trimmed();
    if (line.startsWith("- "_L1) || line.startsWith("* "_L1) || line.startsWith("+ "_L1)
        || line.startsWith(u'|'))
        return true;
    qsizetype digits = 0;
    while (digits < line.size() && line.at(digits).isDigit())
        ++digits;
    return digits > 0 && line.mid(digits).startsWith(". "_L1);
}

// Where sentences end in `text`: after ".", "!" or "?" followed by white space, and before a
// line that starts a list item or a table row, which end without punctuation.
QList<qsizetype> sentenceEnds(QStringView text)
{
    QList<qsizetype> ends;
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        const QChar c = text.at(i);
        if ((c == u'.' || c == u'!' || c == u'?') && text.at(i + 1).isSpace())
            ends.append(i + 1);
        else if (c == u'\n' && startsListItem(text.mid(i + 1)))
            ends.append(i);
    }
    ends.append(text.size());
    return ends;
}

// Cuts one sentence that alone is longer than the cap into runs of maxPassageWords words.
QStringList splitAtWords(QStringView sentence)
{
    QStringList chunks;
    QStringList words;
    static const QRegularExpression whiteSpace(u"\\s+"_s);
    for (const QString &word : sentence.toString().split(whiteSpace, Qt::SkipEmptyParts)) {
        words.append(word);
        if (words.size() == Retriever::maxPassageWords) {
            chunks.append(words.join(u' '));
            words.clear();
        }
    }
    if (!words.isEmpty())
        chunks.append(words.join(u' '));
    return chunks;
}

QStringList capLength(QStringView paragraph)
{
    if (wordCount(paragraph) <= Retriever::maxPassageWords)
        return {paragraph.toString()};

    QStringList chunks;
    qsizetype chunkStart = 0;
    qsizetype sentenceStart = 0;
    int chunkWords = 0;
    for (const qsizetype end : sentenceEnds(paragraph)) {
        const QStringView sentence = paragraph.mid(sentenceStart, end - sentenceStart);
        const int words = wordCount(sentence);
        if (chunkWords > 0 && chunkWords + words > Retriever::maxPassageWords) {
            chunks.append(
                paragraph.mid(chunkStart, sentenceStart - chunkStart).trimmed().toString());
            chunkStart = sentenceStart;
            chunkWords = 0;
        }
        if (words > Retriever::maxPassageWords) {
            chunks.append(splitAtWords(sentence.trimmed()));
            chunkStart = end;
        } else {
            chunkWords += words;
        }
        sentenceStart = end;
    }
    if (chunkWords > 0)
        chunks.append(paragraph.mid(chunkStart).trimmed().toString());
    return chunks;
}

QStringList paragraphsOf(const QList<QStringView> &lines)
{
    QStringList paragraphs;
    QString current;
    for (const QStringView line : lines) {
        if (line.trimmed().isEmpty()) {
            if (!current.isEmpty())
                paragraphs.append(current);
            current.clear();
            continue;
        }
        if (!current.isEmpty())
            current += u'\n';
        current += line.trimmed();
    }
    if (!current.isEmpty())
        paragraphs.append(current);
    return paragraphs;
}

// Very short paragraphs (a "## Charging" heading, a one-line introduction) say too little to be
// found on their own, so each joins the paragraph after it; a short last one joins the one
// before it.
QStringList mergeShort(const QStringList &paragraphs)
{
    QStringList merged;
    QString pending;
    for (const QString &paragraph : paragraphs) {
        const QString joined = pending.isEmpty() ? paragraph : pending + "\n\n"_L1 + paragraph;
        if (wordCount(joined) < Retriever::minPassageWords) {
            pending = joined;
            continue;
        }
        merged.append(joined);
        pending.clear();
    }
    if (!pending.isEmpty()) {
        if (merged.isEmpty())
            merged.append(pending);
        else
            merged.last() += "\n\n"_L1 + pending;
    }
    return merged;
}

QString escapeMarkup(QString text)
{
    return text.replace(u'&', "&amp;"_L1).replace(u'<', "&lt;"_L1).replace(u'>', "&gt;"_L1);
}

QString escapeAttribute(const QString &text)
{
    return escapeMarkup(text).replace(u'"', "&quot;"_L1);
}

} // namespace

QStringList Retriever::tokenize(QStringView text)
{
    const QString lower = text.toString().toLower();
    QStringList tokens;
    QString word;
    const auto endWord = [&] {
        if (!word.isEmpty() && !stopWords().contains(word))
            tokens.append(withoutPlural(word));
        word.clear();
    };
    for (qsizetype i = 0; i < lower.size(); ++i) {
        // Letters outside the Basic Multilingual Plane arrive as surrogate pairs.
        char32_t codePoint = lower.at(i).unicode();
        qsizetype units = 1;
        if (QChar::isHighSurrogate(codePoint) && i + 1 < lower.size()
            && lower.at(i + 1).isLowSurrogate()) {
            codePoint = QChar::surrogateToUcs4(lower.at(i), lower.at(i + 1));
            units = 2;
        }
        if (QChar::isLetterOrNumber(codePoint))
            word += QStringView(lower).mid(i, units);
        else
            endWord();
        i += units - 1;
    }
    endWord();
    return tokens;
}

Retriever::SplitDocument Retriever::splitDocument(QStringView text, const QString &fallbackTitle)
{
    const QString normalised = text.toString().remove(u'\r');
    QList<QStringView> lines = QStringView(normalised).split(u'\n');

    SplitDocument split{fallbackTitle, {}};
    const auto firstLine = std::find_if(lines.begin(), lines.end(),
                                        [](QStringView line) { return !line.trimmed().isEmpty(); });
    if (firstLine != lines.end() && firstLine->trimmed().startsWith("# "_L1)) {
        split.title = firstLine->trimmed().mid(2).trimmed().toString();
        lines.erase(lines.begin(), firstLine + 1);
    }

    for (const QString &paragraph : mergeShort(paragraphsOf(lines)))
        split.passages.append(capLength(paragraph));
    return split;
}

void Retriever::addDocument(const QString &name, QStringView text)
{
    const SplitDocument split = splitDocument(text, QFileInfo(name).completeBaseName());
    const int document = int(m_documents.size());
    m_documents.append({name, split.title});

    const QStringList titleTerms = tokenize(split.title);
    for (int index = 0; index < split.passages.size(); ++index) {
        const QStringList terms = titleTerms + tokenize(split.passages.at(index));
        const int passage = int(m_passages.size());
        m_passages.append({document, index, split.passages.at(index), int(terms.size())});

        QHash<QString, int> frequencies;
        for (const QString &term : terms)
            ++frequencies[term];
        for (auto it = frequencies.cbegin(); it != frequencies.cend(); ++it)
            m_postings[it.key()].append({passage, it.value()});
    }
}

Expected<Retriever> Retriever::fromFolder(const QString &path)
{
    const QDir dir(path);
    if (!dir.exists())
        return fail(u"%1: no such folder of documents"_s.arg(path));

    const QFileInfoList files = dir.entryInfoList({u"*.md"_s, u"*.txt"_s}, QDir::Files, QDir::Name);
    if (files.isEmpty())
        return fail(u"%1: the folder holds no .md or .txt documents"_s.arg(path));

    // Sizes first, from the folder's listing: nothing is read from a corpus that is too large.
    qint64 totalBytes = 0;
    for (const QFileInfo &info : files) {
        const Expected<void> fits =
            checkFileSize(info.filePath(), u"the document"_s, maxDocumentBytes);
        if (!fits)
            return Failure{fits.error()};
        totalBytes += info.size();
    }
    if (totalBytes > maxCorpusBytes) {
        return fail(u"%1: the documents add up to %2 bytes, over the limit of %3 bytes for a "
                    "corpus; nothing was read"_s.arg(path)
                        .arg(totalBytes)
                        .arg(maxCorpusBytes));
    }

    Retriever retriever;
    for (const QFileInfo &info : files) {
        const QString filePath = info.filePath();
        const Expected<QByteArray> bytes =
            readDataFile(filePath, u"the document"_s, maxDocumentBytes);
        if (!bytes)
            return Failure{bytes.error()};
        QStringDecoder decoder(QStringDecoder::Utf8);
        const QString text = decoder(*bytes);
        if (decoder.hasError())
            return fail(u"%1: the document is not UTF-8 text"_s.arg(filePath));

        retriever.addDocument(info.fileName(), text);
    }

    qint64 totalLength = 0;
    for (const Passage &passage : std::as_const(retriever.m_passages))
        totalLength += passage.length;
    if (totalLength == 0)
        return fail(u"%1: the documents hold no text to search"_s.arg(path));
    retriever.m_averageLength = double(totalLength) / double(retriever.m_passages.size());

    qCDebug(lcRag) << "indexed" << retriever.m_documents.size() << "documents," << totalBytes
                   << "bytes, as" << retriever.m_passages.size() << "passages from" << path;
    return retriever;
}

Expected<Retriever> Retriever::builtInCorpus()
{
    return fromFolder(u":/opsbench/corpus"_s);
}

QList<RetrievedPassage> Retriever::search(QStringView query, int topK) const
{
    if (topK <= 0)
        return {};

    QStringList terms = tokenize(query);
    terms.removeDuplicates(); // a word typed twice is not twice as important

    const double n = double(m_passages.size());
    QList<double> scores(m_passages.size(), 0.0);
    for (const QString &term : std::as_const(terms)) {
        const auto postings = m_postings.constFind(term);
        if (postings == m_postings.cend())
            continue;
        const double df = double(postings->size());
        const double idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
        for (const Posting &posting : *postings) {
            const double tf = posting.termFrequency;
            const double relativeLength = m_passages.at(posting.passage).length / m_averageLength;
            const double damping = k1 * (1.0 - b + b * relativeLength);
            scores[posting.passage] += idf * tf * (k1 + 1.0) / (tf + damping);
        }
    }

    QList<int> ranked;
    for (int passage = 0; passage < scores.size(); ++passage) {
        if (scores.at(passage) > 0)
            ranked.append(passage);
    }
    const auto better = [&](int left, int right) {
        if (scores.at(left) != scores.at(right))
            return scores.at(left) > scores.at(right);
        const Passage &l = m_passages.at(left);
        const Passage &r = m_passages.at(right);
        const QString &leftName = m_documents.at(l.document).name;
        const QString &rightName = m_documents.at(r.document).name;
        if (leftName != rightName)
            return leftName < rightName;
        return l.index < r.index;
    };
    const qsizetype kept = std::min<qsizetype>(topK, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + kept, ranked.end(), better);

    QList<RetrievedPassage> results;
    for (qsizetype i = 0; i < kept; ++i) {
        const Passage &passage = m_passages.at(ranked.at(i));
        const Document &document = m_documents.at(passage.document);
        results.append(
            {document.name, document.title, passage.text, passage.index, scores.at(ranked.at(i))});
    }
    return results;
}

QString Retriever::formatForPrompt(const QList<RetrievedPassage> &passages)
{
    QStringList blocks;
    for (const RetrievedPassage &passage : passages) {
        blocks.append(u"<passage source=\"%1\" title=\"%2\">\n%3\n</passage>\n"_s.arg(
            escapeAttribute(passage.documentName), escapeAttribute(passage.documentTitle),
            escapeMarkup(passage.text)));
    }
    return blocks.join(u'\n');
}
