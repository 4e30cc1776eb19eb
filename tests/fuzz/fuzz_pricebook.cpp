// A user's price file: the bytes are parsed by PriceBook::fromJson; when they load, every id the
// file lists and every id-like word of the input is looked up and priced, alone and over the
// built-in prices. A price that resolves is never negative or NaN.

#include "fuzzinput.h"
#include "pricing/pricebook.h"

#include <QStringList>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace {

// Runs of the characters model ids are made of, so that the fuzzer's own spellings of ids (and
// near misses) are looked up too.
QStringList idLikeWords(const QString &text)
{
    QStringList words;
    QString word;
    for (const QChar c : text) {
        if (c.isLetterOrNumber() || c == u'-' || c == u'@' || c == u'.' || c == u'_') {
            word += c;
            continue;
        }
        if (!word.isEmpty())
            words.append(std::exchange(word, QString()));
        if (words.size() == 32)
            return words;
    }
    if (!word.isEmpty())
        words.append(word);
    return words;
}

void priceEverything(const PriceBook &book, const QStringList &ids)
{
    // A call of every kind of token, with part of the cache write at the one-hour rate.
    const TokenUsage usages[] = {
        {},
        {1200, 350, 0, 0, 0},
        {40, 900, 18000, 2500, 1000},
    };
    for (const QString &id : ids) {
        const Expected<ModelPrice> price = book.lookup(id);
        if (!price)
            continue;
        for (const TokenUsage &usage : usages) {
            const Expected<double> cost = book.cost(id, usage);
            require(bool(cost), "an id that looks up also prices");
            require(!std::isnan(*cost) && *cost >= 0, "a cost is never negative or NaN");
            require(*cost == price->cost(usage), "PriceBook::cost is the family's cost");
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray json = fuzzBytes(data, size).toByteArray();
    const Expected<PriceBook> book = PriceBook::fromJson(json, u"fuzz.json"_s);
    if (!book) {
        require(book.error().contains("fuzz.json"_L1), "a failure names the file");
        return 0;
    }

    QStringList ids = idLikeWords(QString::fromUtf8(json));
    for (const ModelPrice &model : book->models()) {
        ids.append(model.family);
        ids.append(model.ids);
        require(!model.ids.isEmpty(), "every family resolves some id");
    }
    priceEverything(*book, ids);

    static const PriceBook builtIn = PriceBook::builtIn();
    PriceBook combined = builtIn;
    combined.overrideWith(*book);
    priceEverything(combined, ids);
    return 0;
}
