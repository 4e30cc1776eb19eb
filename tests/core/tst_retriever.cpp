#include "rag/retriever.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace Qt::Literals::StringLiterals;

namespace {

bool writeFile(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size();
}

// Ten words, ending with a full stop.
QString sentence(int number)
{
    return u"Sentence %1 keeps the shop open and the bikes moving."_s.arg(number);
}

QString joined(int first, int last, const std::function<QString(int)> &piece, QStringView glue)
{
    QStringList pieces;
    for (int i = first; i <= last; ++i)
        pieces.append(piece(i));
    return pieces.join(glue);
}

QString readResource(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

const QString kOpenParagraph =
    u"The workshop is open from Tuesday to Saturday and closes half an hour early for drop-offs."_s;
const QString kStorageParagraph =
    u"Bikes that are not collected within fourteen days are charged a small daily fee for "
    "storage."_s;

} // namespace

class tst_Retriever : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tokenizes_data();
    void tokenizes();
    void splitsPassages_data();
    void splitsPassages();
    void scoresMatchHandComputedBm25();
    void equalScoresAreOrderedByDocumentThenPassage();
    void searchEdgeCases();
    void formatsPassagesForAPrompt();
    void badFoldersAreErrorsNamingThePath_data();
    void badFoldersAreErrorsNamingThePath();
    void bundledCorpusAnswersTheTestQuestions_data();
    void bundledCorpusAnswersTheTestQuestions();
    void bundledCorpusHasTitledShortArticles();
    void systemPromptIsLongEnoughToCache();
};

void tst_Retriever::tokenizes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("tokens");

    QTest::newRow("lowercases, splits on punctuation")
        << u"Brake-Pads, CHAIN!"_s << QStringList{u"brake"_s, u"pad"_s, u"chain"_s};
    QTest::newRow("drops stop words") << u"What is the pressure of a tyre on your bike?"_s
                                      << QStringList{u"pressure"_s, u"tyre"_s, u"bike"_s};
    QTest::newRow("strips a plural s only from longer words")
        << u"tyres chains bus gas"_s << QStringList{u"tyre"_s, u"chain"_s, u"bus"_s, u"gas"_s};
    QTest::newRow("keeps a double s")
        << u"glass class process"_s << QStringList{u"glass"_s, u"class"_s, u"process"_s};
    QTest::newRow("possessive s is a stop word")
        << u"the rider's bikes"_s << QStringList{u"rider"_s, u"bike"_s};
    QTest::newRow("keeps numbers, drops currency signs")
        << u"£4.95 for 2 tubes"_s << QStringList{u"4"_s, u"95"_s, u"2"_s, u"tube"_s};
    QTest::newRow("accented letters stay in the word")
        << u"Café ZÜRICH École"_s << QStringList{u"café"_s, u"zürich"_s, u"école"_s};
    QTest::newRow("letters outside the BMP stay in the word")
        << u"ab\U00010428cd x"_s << QStringList{u"ab\U00010428cd"_s, u"x"_s};
    QTest::newRow("only stop words") << u"how do I do it?"_s << QStringList{};
    QTest::newRow("empty") << QString() << QStringList{};
}

void tst_Retriever::tokenizes()
{
    QFETCH(QString, text);
    QFETCH(QStringList, tokens);

    QCOMPARE(Retriever::tokenize(text), tokens);
}

void tst_Retriever::splitsPassages_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("title");
    QTest::addColumn<QStringList>("passages");

    QTest::newRow("title heading and two paragraphs")
        << u"# Workshop\n\n"_s + kOpenParagraph + u"\n\n"_s + kStorageParagraph << u"Workshop"_s
        << QStringList{kOpenParagraph, kStorageParagraph};
    QTest::newRow("no heading uses the file name")
        << kOpenParagraph << u"fallback"_s << QStringList{kOpenParagraph};
    QTest::newRow("a second-level heading is not the title")
        << u"## Hours\n\n"_s + kOpenParagraph << u"fallback"_s
        << QStringList{u"## Hours\n\n"_s + kOpenParagraph};
    QTest::newRow("short paragraph joins the next")
        << u"# Workshop\n\n## Drop-offs\n\n"_s + kOpenParagraph << u"Workshop"_s
        << QStringList{u"## Drop-offs\n\n"_s + kOpenParagraph};
    QTest::newRow("short last paragraph joins the one before")
        << u"# Workshop\n\n"_s + kOpenParagraph + u"\n\nThank you."_s << u"Workshop"_s
        << QStringList{kOpenParagraph + u"\n\nThank you."_s};
    QTest::newRow("blank line holding spaces separates paragraphs")
        << kOpenParagraph + u"\n  \t\n"_s + kStorageParagraph << u"fallback"_s
        << QStringList{kOpenParagraph, kStorageParagraph};
    QTest::newRow("lines of a paragraph stay together, trimmed")
        << u"# T\r\n\r\n  The workshop is open from Tuesday\r\n  to Saturday and closes "
           "half an hour early.\r\n"_s
        << u"T"_s
        << QStringList{u"The workshop is open from Tuesday\nto Saturday and closes half an hour "
                       "early."_s};
    QTest::newRow("only a title") << u"# Empty\n"_s << u"Empty"_s << QStringList{};

    // 30 sentences of 10 words: the first 20 make 200 words, the cap; the other 10 follow.
    QTest::newRow("long paragraph splits at sentence ends")
        << u"# Long\n\n"_s + joined(1, 30, sentence, u" ") << u"Long"_s
        << QStringList{joined(1, 20, sentence, u" "), joined(21, 30, sentence, u" ")};

    // 30 list lines of 10 words each ("-" counts as a word), no full stops.
    const auto listLine = [](int n) { return u"- Item %1 is a line of a list here"_s.arg(n); };
    QTest::newRow("list items end sentences")
        << joined(1, 30, listLine, u"\n") << u"fallback"_s
        << QStringList{joined(1, 20, listLine, u"\n"), joined(21, 30, listLine, u"\n")};

    // 450 words with no sentence end: cut at 200 and 400 words.
    const auto word = [](int n) { return u"w%1"_s.arg(n); };
    QTest::newRow("sentence longer than the cap is cut at words")
        << joined(1, 450, word, u" ") << u"fallback"_s
        << QStringList{joined(1, 200, word, u" "), joined(201, 400, word, u" "),
                       joined(401, 450, word, u" ")};
}

void tst_Retriever::splitsPassages()
{
    QFETCH(QString, text);
    QFETCH(QString, title);
    QFETCH(QStringList, passages);

    const Retriever::SplitDocument split = Retriever::splitDocument(text, u"fallback"_s);

    QCOMPARE(split.title, title);
    QCOMPARE(split.passages, passages);
}

void tst_Retriever::scoresMatchHandComputedBm25()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(
        writeFile(dir.filePath(u"brakes.md"_s), "# Brakes\n\nBrake pads wear quickly in rain.\n"));
    QVERIFY(writeFile(dir.filePath(u"chains.md"_s),
                      "# Chains\n\nClean the chain and check its wear.\n"));
    QVERIFY(writeFile(dir.filePath(u"tyres.txt"_s),
                      "# Tyres\n\nPads of rubber protect the tyre bead from the rim.\n"));
    QVERIFY(
        writeFile(dir.filePath(u"hours.md"_s), "# Hours\n\nThe shop opens at nine on Tuesday.\n"));
    QVERIFY(writeFile(dir.filePath(u"notes.json"_s), "{\"brake pads\": true}")); // not indexed

    const Expected<Retriever> retriever = Retriever::fromFolder(dir.path());
    QVERIFY2(retriever.hasValue(), qPrintable(retriever ? QString() : retriever.error()));
    QCOMPARE(retriever->documentCount(), 4);
    QCOMPARE(retriever->passageCount(), 4);

    // One passage per document; the title's terms count with the passage's:
    //   brakes: brake brake pad wear quickly rain       length 6, tf(brake) 2, tf(pad) 1
    //   chains: chain clean chain check wear            length 5
    //   hours:  hour shop open nine tuesday             length 5
    //   tyres:  tyre pad rubber protect tyre bead rim   length 7, tf(pad) 1
    // N = 4, avgdl = 23 / 4 = 5.75, df(brake) = 1, df(pad) = 2.
    //   idf(brake) = ln(1 + (4 - 1 + 0.5) / (1 + 0.5)) = ln(1 + 3.5 / 1.5) = ln(10 / 3)
    //   idf(pad)   = ln(1 + (4 - 2 + 0.5) / (2 + 0.5)) = ln(2)
    // brakes: K = 1.2 * (0.25 + 0.75 * 6 / 5.75) = 1.2 * 95 / 92 = 57 / 46
    //   brake: 2 * 2.2 / (2 + 57 / 46) = 4.4 * 46 / 149 = 202.4 / 149
    //   pad:   1 * 2.2 / (1 + 57 / 46) = 2.2 * 46 / 103 = 101.2 / 103
    //   score = ln(10 / 3) * 202.4 / 149 + ln(2) * 101.2 / 103 = 2.316501...
    // tyres: K = 1.2 * (0.25 + 0.75 * 7 / 5.75) = 1.2 * 107 / 92 = 128.4 / 92
    //   pad:   2.2 / (1 + 128.4 / 92) = 2.2 * 92 / 220.4 = 202.4 / 220.4
    //   score = ln(2) * 202.4 / 220.4 = 0.636538...
    const double brakesScore = std::log(10.0 / 3.0) * 202.4 / 149.0 + std::log(2.0) * 101.2 / 103.0;
    const double tyresScore = std::log(2.0) * 202.4 / 220.4;

    const QList<RetrievedPassage> results = retriever->search(u"Which brake pads?", 10);

    QCOMPARE(results.size(), 2); // chains and hours share no term with the query
    QCOMPARE(results.at(0).documentName, u"brakes.md"_s);
    QCOMPARE(results.at(0).documentTitle, u"Brakes"_s);
    QCOMPARE(results.at(0).text, u"Brake pads wear quickly in rain."_s);
    QCOMPARE(results.at(0).passageIndex, 0);
    QVERIFY2(qFuzzyCompare(results.at(0).score, brakesScore),
             qPrintable(
                 u"%1 != %2"_s.arg(results.at(0).score, 0, 'g', 17).arg(brakesScore, 0, 'g', 17)));
    QCOMPARE(results.at(1).documentName, u"tyres.txt"_s);
    QVERIFY2(
        qFuzzyCompare(results.at(1).score, tyresScore),
        qPrintable(u"%1 != %2"_s.arg(results.at(1).score, 0, 'g', 17).arg(tyresScore, 0, 'g', 17)));
}

void tst_Retriever::equalScoresAreOrderedByDocumentThenPassage()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Both paragraphs have 11 terms plus the title's, and "bell" once: every score is equal.
    const QByteArray ferry = "# Ferry\n\n"
                             "The ferry bell rings once at nine every morning before the boat "
                             "leaves the quay.\n\n"
                             "The ferry bell rings twice at noon every day before the boat "
                             "leaves the harbour.\n";
    for (const QString &name : {u"b-ferry.md"_s, u"a-ferry.md"_s, u"c-unrelated.md"_s})
        QVERIFY(
            writeFile(dir.filePath(name), name.startsWith(u'c') ? "# Tides\n\nLow tide." : ferry));

    const Expected<Retriever> retriever = Retriever::fromFolder(dir.path());
    QVERIFY(retriever.hasValue());

    const QList<RetrievedPassage> results = retriever->search(u"bell", 10);

    QCOMPARE(results.size(), 4);
    const QList<std::pair<QString, int>> expected{
        {u"a-ferry.md"_s, 0}, {u"a-ferry.md"_s, 1}, {u"b-ferry.md"_s, 0}, {u"b-ferry.md"_s, 1}};
    for (int i = 0; i < results.size(); ++i) {
        QCOMPARE(results.at(i).documentName, expected.at(i).first);
        QCOMPARE(results.at(i).passageIndex, expected.at(i).second);
        QCOMPARE(results.at(i).score, results.at(0).score);
    }
    QCOMPARE(retriever->search(u"bell", 3).size(), 3);
    QCOMPARE(retriever->search(u"bell", 3).last().documentName, u"b-ferry.md"_s);
}

void tst_Retriever::searchEdgeCases()
{
    const Expected<Retriever> retriever = Retriever::builtInCorpus();
    QVERIFY(retriever.hasValue());

    QVERIFY(retriever->search(u"tyre pressure", 0).isEmpty());
    QVERIFY(retriever->search(u"the of and to", 5).isEmpty());
    QVERIFY(retriever->search(u"xylophone", 5).isEmpty());
    QCOMPARE(retriever->search(u"tyre pressure", 2).size(), 2);

    const QList<RetrievedPassage> five = retriever->search(u"tyre pressure", 5);
    for (qsizetype i = 1; i < five.size(); ++i)
        QVERIFY(five.at(i - 1).score >= five.at(i).score);
}

void tst_Retriever::formatsPassagesForAPrompt()
{
    const QList<RetrievedPassage> passages{
        {u"rentals.md"_s, u"Bike rentals"_s, u"A day costs £22."_s, 2, 3.5},
        {u"odd \"name\".md"_s, u"Q&A"_s, u"Use <b> & </passage> freely."_s, 0, 1.0},
    };

    const QString expected = u"<passage source=\"rentals.md\" title=\"Bike rentals\">\n"
                             "A day costs £22.\n"
                             "</passage>\n"
                             "\n"
                             "<passage source=\"odd &quot;name&quot;.md\" title=\"Q&amp;A\">\n"
                             "Use &lt;b&gt; &amp; &lt;/passage&gt; freely.\n"
                             "</passage>\n"_s;

    QCOMPARE(Retriever::formatForPrompt(passages), expected);
    QCOMPARE(Retriever::formatForPrompt({}), QString());
}

void tst_Retriever::badFoldersAreErrorsNamingThePath_data()
{
    QTest::addColumn<QString>("subfolder");
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<bool>("namesFile");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("missing folder")
        << u"absent"_s << QString() << QByteArray() << false << u"no such folder"_s;
    QTest::newRow("empty folder") << QString() << QString() << QByteArray() << false
                                  << u"no .md or .txt documents"_s;
    QTest::newRow("only other kinds of file") << QString() << u"prices.json"_s << QByteArray("{}")
                                              << false << u"no .md or .txt documents"_s;
    QTest::newRow("document over 2 MiB")
        << QString() << u"huge.md"_s << QByteArray(2 * 1024 * 1024 + 1, 'a') << true
        << u"2097153 bytes is over the limit of 2097152 bytes"_s;
    QTest::newRow("document not UTF-8")
        << QString() << u"latin1.md"_s << QByteArray("# Caf\xe9 hours\n") << true << u"not UTF-8"_s;
    QTest::newRow("titles without text")
        << QString() << u"rules.md"_s << QByteArray("# Rules\n\n\n") << false
        << u"no text to search"_s;
}

void tst_Retriever::badFoldersAreErrorsNamingThePath()
{
    QFETCH(QString, subfolder);
    QFETCH(QString, fileName);
    QFETCH(QByteArray, contents);
    QFETCH(bool, namesFile);
    QFETCH(QString, fragment);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString folder = subfolder.isEmpty() ? dir.path() : dir.filePath(subfolder);
    if (!fileName.isEmpty())
        QVERIFY(writeFile(QDir(folder).filePath(fileName), contents));
    const QString named = namesFile ? QDir(folder).filePath(fileName) : folder;

    const Expected<Retriever> retriever = Retriever::fromFolder(folder);

    QVERIFY(!retriever.hasValue());
    QVERIFY2(retriever.error().startsWith(named + u": "_s), qPrintable(retriever.error()));
    QVERIFY2(retriever.error().contains(fragment), qPrintable(retriever.error()));
}

void tst_Retriever::bundledCorpusAnswersTheTestQuestions_data()
{
    QTest::addColumn<int>("line");
    QTest::addColumn<QStringList>("sources");

    QTest::newRow("silver service price and time")
        << 0 << QStringList{u"workshop-service-tiers.md"_s};
    QTest::newRow("unworn helmet refund") << 1 << QStringList{u"returns-and-refunds.md"_s};
    QTest::newRow("battery charging temperature") << 2 << QStringList{u"ebike-battery-care.md"_s};
    QTest::newRow("e-bike weekend deposit") << 3 << QStringList{u"rentals.md"_s};
    QTest::newRow("pick-up free for plus members")
        << 4 << QStringList{u"workshop-collection.md"_s, u"membership-plan.md"_s};
}

void tst_Retriever::bundledCorpusAnswersTheTestQuestions()
{
    QFETCH(int, line);
    QFETCH(QStringList, sources);

    const QStringList questions =
        readResource(u":/opsbench/queries/test-questions.txt"_s).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(questions.size(), 5);
    const Expected<Retriever> retriever = Retriever::builtInCorpus();
    QVERIFY2(retriever.hasValue(), qPrintable(retriever ? QString() : retriever.error()));

    const QList<RetrievedPassage> top3 = retriever->search(questions.at(line), 3);

    QStringList found;
    for (const RetrievedPassage &passage : top3)
        found.append(passage.documentName);
    const bool answered = std::any_of(found.cbegin(), found.cend(),
                                      [&](const QString &name) { return sources.contains(name); });
    QVERIFY2(answered, qPrintable(u"top 3: "_s + found.join(", "_L1)));
}

void tst_Retriever::bundledCorpusHasTitledShortArticles()
{
    const QDir corpus(u":/opsbench/corpus"_s);
    const QStringList names = corpus.entryList({u"*.md"_s}, QDir::Files);
    QVERIFY2(names.size() >= 25, qPrintable(QString::number(names.size())));

    for (const QString &name : names) {
        const QString text = readResource(corpus.filePath(name));
        const qsizetype words =
            text.split(QRegularExpression(u"\\s+"_s), Qt::SkipEmptyParts).size();
        QVERIFY2(text.startsWith("# "_L1), qPrintable(name));
        QVERIFY2(words >= 120 && words <= 350, qPrintable(u"%1: %2 words"_s.arg(name).arg(words)));
    }
}

void tst_Retriever::systemPromptIsLongEnoughToCache()
{
    // Haiku 4.5 caches prefixes of 4,096 tokens or more; at about 4 characters a token that is
    // 16,384 characters, and 19,000 leaves room for a tokenizer that packs text more densely.
    const QString prompt = readResource(u":/opsbench/prompts/support-agent.md"_s);

    QVERIFY2(prompt.size() >= 19000, qPrintable(QString::number(prompt.size())));
}

QTEST_GUILESS_MAIN(tst_Retriever)
#include "tst_retriever.moc"
