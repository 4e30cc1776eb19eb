#include "pricing/pricebook.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

class tst_Pricing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtInResolvesIds_data();
    void builtInResolvesIds();
    void unknownModelIsAnErrorNamingIt_data();
    void unknownModelIsAnErrorNamingIt();
    void costMatchesHandComputation_data();
    void costMatchesHandComputation();
    void retiredModelsStillPrice();
    void overrideFileReplacesAndAdds();
    void badPriceFilesNameTheProblem_data();
    void badPriceFilesNameTheProblem();
    void missingOverrideFileIsAnError();
};

void tst_Pricing::builtInResolvesIds_data()
{
    QTest::addColumn<QString>("modelId");
    QTest::addColumn<QString>("family");

    QTest::newRow("sonnet 4.5 alias") << u"claude-sonnet-4-5"_s << u"claude-sonnet-4-5"_s;
    QTest::newRow("sonnet 4.5 snapshot")
        << u"claude-sonnet-4-5-20250929"_s << u"claude-sonnet-4-5"_s;
    QTest::newRow("sonnet 4.5 with haiku's date")
        << u"claude-sonnet-4-5-20251001"_s << u"claude-sonnet-4-5"_s;
    QTest::newRow("sonnet 4.6") << u"claude-sonnet-4-6"_s << u"claude-sonnet-4-6"_s;
    QTest::newRow("sonnet 4 alias") << u"claude-sonnet-4-0"_s << u"claude-sonnet-4"_s;
    QTest::newRow("sonnet 4 snapshot") << u"claude-sonnet-4-20250514"_s << u"claude-sonnet-4"_s;
    QTest::newRow("haiku 4.5 snapshot") << u"claude-haiku-4-5-20251001"_s << u"claude-haiku-4-5"_s;
    QTest::newRow("haiku 3.5 latest") << u"claude-3-5-haiku-latest"_s << u"claude-3-5-haiku"_s;
    QTest::newRow("haiku 3") << u"claude-3-haiku-20240307"_s << u"claude-3-haiku"_s;
    QTest::newRow("opus 4.5 snapshot") << u"claude-opus-4-5-20251101"_s << u"claude-opus-4-5"_s;
    QTest::newRow("opus 4.1 vertex form") << u"claude-opus-4-1@20250805"_s << u"claude-opus-4-1"_s;
    QTest::newRow("opus 4 snapshot") << u"claude-opus-4-20250514"_s << u"claude-opus-4"_s;
    QTest::newRow("opus 4.8") << u"claude-opus-4-8"_s << u"claude-opus-4-8"_s;
    QTest::newRow("opus 5") << u"claude-opus-5"_s << u"claude-opus-5"_s;
}

void tst_Pricing::builtInResolvesIds()
{
    QFETCH(QString, modelId);
    QFETCH(QString, family);

    const Expected<ModelPrice> price = PriceBook::builtIn().lookup(modelId);

    QVERIFY2(price.hasValue(), qPrintable(price ? QString() : price.error()));
    QCOMPARE(price->family, family);
}

void tst_Pricing::unknownModelIsAnErrorNamingIt_data()
{
    QTest::addColumn<QString>("modelId");

    QTest::newRow("made up") << u"gpt-4o"_s;
    QTest::newRow("empty") << QString();
    QTest::newRow("no boundary after a family") << u"claude-opus-4-10"_s;
    QTest::newRow("family name without version") << u"claude-opus"_s;
    QTest::newRow("an unpriced 5.x model") << u"claude-sonnet-5"_s;
    QTest::newRow("sonnet 4 family id is not a prefix") << u"claude-sonnet-4-7"_s;
}

void tst_Pricing::unknownModelIsAnErrorNamingIt()
{
    QFETCH(QString, modelId);

    const Expected<double> cost = PriceBook::builtIn().cost(modelId, TokenUsage{1000, 100});

    QVERIFY(!cost.hasValue());
    QVERIFY2(cost.error().contains(u'"' + modelId + u'"'), qPrintable(cost.error()));
}

void tst_Pricing::costMatchesHandComputation_data()
{
    QTest::addColumn<QString>("modelId");
    QTest::addColumn<qint64>("input");
    QTest::addColumn<qint64>("output");
    QTest::addColumn<qint64>("cacheRead");
    QTest::addColumn<qint64>("cacheWrite");
    QTest::addColumn<qint64>("cacheWrite1h");
    QTest::addColumn<double>("expected");

    // 1240*1 + 183*5 + 800*0.10 = 1240 + 915 + 80 = 2235 -> $0.002235
    QTest::newRow("haiku 4.5 with a cache read")
        << u"claude-haiku-4-5-20251001"_s << 1240LL << 183LL << 800LL << 0LL << 0LL << 0.002235;
    // 2000*3 + 500*15 + 4000*3.75 = 6000 + 7500 + 15000 = 28500 -> $0.0285
    QTest::newRow("sonnet 4.5 writing the cache")
        << u"claude-sonnet-4-5-20250929"_s << 2000LL << 500LL << 0LL << 4000LL << 0LL << 0.0285;
    // 100*5 + 50*25 + 1000*6.25 + 3000*10 = 500 + 1250 + 6250 + 30000 = 38000 -> $0.038
    QTest::newRow("opus 4.5 with a one-hour write")
        << u"claude-opus-4-5"_s << 100LL << 50LL << 0LL << 4000LL << 3000LL << 0.038;
    // 1000*0.25 + 1000*1.25 + 1000*0.03 + 1000*0.30 = 250 + 1250 + 30 + 300 -> $0.00183
    QTest::newRow("haiku 3 all parts")
        << u"claude-3-haiku-20240307"_s << 1000LL << 1000LL << 1000LL << 1000LL << 0LL << 0.00183;
    QTest::newRow("nothing used") << u"claude-opus-4-1"_s << 0LL << 0LL << 0LL << 0LL << 0LL << 0.0;
}

void tst_Pricing::costMatchesHandComputation()
{
    QFETCH(QString, modelId);
    QFETCH(qint64, input);
    QFETCH(qint64, output);
    QFETCH(qint64, cacheRead);
    QFETCH(qint64, cacheWrite);
    QFETCH(qint64, cacheWrite1h);
    QFETCH(double, expected);

    const TokenUsage usage{input, output, cacheRead, cacheWrite, cacheWrite1h};
    const Expected<double> cost = PriceBook::builtIn().cost(modelId, usage);

    QVERIFY(cost.hasValue());
    QCOMPARE(*cost, expected);
}

void tst_Pricing::retiredModelsStillPrice()
{
    const Expected<ModelPrice> sonnet45 = PriceBook::builtIn().lookup(u"claude-sonnet-4-5"_s);

    QVERIFY(sonnet45.hasValue());
    QVERIFY(sonnet45->retired);
    QCOMPARE(sonnet45->retiredOn, QDate(2026, 11, 30));
    QVERIFY(!PriceBook::builtIn().lookup(u"claude-sonnet-4-6"_s)->retired);
}

void tst_Pricing::overrideFileReplacesAndAdds()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"my-prices.json"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"as_of": "2026-12-02", "source": "negotiated rates", "models": [
        {"family": "claude-haiku-4-5", "ids": ["claude-haiku-4-5"], "input": 0.9, "output": 4.5,
         "cache_read": 0.09},
        {"family": "acme-tiny", "ids": ["acme-tiny", "acme-tiny-v2"], "input": 0.1,
         "output": 0.2, "cache_read": 0.01, "cache_write_5m": 0.2, "cache_write_1h": 0.3}
    ]})");
    file.close();

    const Expected<PriceBook> book = PriceBook::load(path);

    QVERIFY2(book.hasValue(), qPrintable(book ? QString() : book.error()));
    const Expected<ModelPrice> haiku = book->lookup(u"claude-haiku-4-5-20251001"_s);
    QVERIFY(haiku.hasValue());
    QCOMPARE(haiku->input, 0.9);
    QCOMPARE(haiku->cacheWrite5m, 0.9 * 1.25); // left out, so the API's multiplier applies
    QCOMPARE(haiku->cacheWrite1h, 1.8);
    QCOMPARE(book->lookup(u"acme-tiny-v2-2026"_s)->family, u"acme-tiny"_s);
    QCOMPARE(book->lookup(u"claude-sonnet-4-6"_s)->input, 3.0); // untouched families stay
    QVERIFY(book->source().contains(u"negotiated rates"_s));
    QCOMPARE(book->asOf(), QDate(2026, 12, 2));
}

void tst_Pricing::badPriceFilesNameTheProblem_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expectedFragment");

    QTest::newRow("not json") << QByteArray("{models: [") << u"not valid JSON"_s;
    QTest::newRow("not an object") << QByteArray("[1, 2]") << u"expected a JSON object"_s;
    QTest::newRow("no models") << QByteArray(R"({"as_of": "2026-01-01"})") << u"\"models\""_s;
    QTest::newRow("price as string")
        << QByteArray(R"({"models": [{"family": "x", "input": "3", "output": 1,
                                      "cache_read": 0}]})")
        << u"models[0] (x): \"input\" must be a number"_s;
    QTest::newRow("negative price")
        << QByteArray(R"({"models": [{"family": "x", "input": 1, "output": -1, "cache_read": 0}]})")
        << u"\"output\" must not be negative"_s;
    // 1e308 is finite, but 1e308 * 2 for the default one-hour write price is not.
    QTest::newRow("input too large to derive the write prices")
        << QByteArray(R"({"models": [{"family": "x", "input": 1e308, "output": 1,
                                      "cache_read": 0}]})")
        << u"models[0] (x): \"input\" is too large"_s;
    QTest::newRow("no family") << QByteArray(
        R"({"models": [{"input": 1, "output": 1, "cache_read": 0}]})")
                               << u"models[0]: \"family\""_s;
    QTest::newRow("id listed twice") << QByteArray(R"({"models": [
               {"family": "a", "ids": ["shared"], "input": 1, "output": 1, "cache_read": 0},
               {"family": "b", "ids": ["shared"], "input": 1, "output": 1, "cache_read": 0}]})")
                                     << u"id \"shared\" is already listed for a"_s;
    QTest::newRow("bad date") << QByteArray(R"({"as_of": "yesterday", "models": []})")
                              << u"\"as_of\""_s;
    QTest::newRow("bad status") << QByteArray(
        R"({"models": [{"family": "x", "input": 1, "output": 1, "cache_read": 0,
                                      "status": "gone"}]})")
                                << u"\"status\""_s;
}

void tst_Pricing::badPriceFilesNameTheProblem()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expectedFragment);

    const Expected<PriceBook> book = PriceBook::fromJson(json, u"custom.json"_s);

    QVERIFY(!book.hasValue());
    QVERIFY2(book.error().startsWith(u"custom.json: "_s), qPrintable(book.error()));
    QVERIFY2(book.error().contains(expectedFragment), qPrintable(book.error()));
}

void tst_Pricing::missingOverrideFileIsAnError()
{
    const Expected<PriceBook> book = PriceBook::load(u"/nonexistent/prices.json"_s);

    QVERIFY(!book.hasValue());
    QVERIFY(book.error().startsWith(u"/nonexistent/prices.json: cannot read"_s));
}

QTEST_GUILESS_MAIN(tst_Pricing)
#include "tst_pricing.moc"
