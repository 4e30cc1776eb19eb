// A streamed answer from the network: the bytes go through SseParser whole and cut in two at a
// position the input picks, which must give the same events, and the events then go through
// MessageStreamAssembler, which must survive any stream.

#include "client/messagestreamassembler.h"
#include "client/sseparser.h"
#include "fuzzinput.h"

namespace {

bool sameEvents(const QList<SseEvent> &a, const QList<SseEvent> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a.at(i).name != b.at(i).name || a.at(i).data != b.at(i).data)
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView stream = fuzzBytes(data, size);

    SseParser whole;
    const QList<SseEvent> events = whole.feed(stream);

    SseParser cut;
    const qsizetype at = cutPosition(stream);
    QList<SseEvent> cutEvents = cut.feed(stream.first(at));
    cutEvents += cut.feed(stream.sliced(at));
    require(sameEvents(events, cutEvents), "SseParser gives the same events however it is fed");
    require(whole.hasIncompleteEvent() == cut.hasIncompleteEvent(),
            "SseParser sees the same truncation however it is fed");

    // The assembler promises nothing about a hostile stream but that it survives it, and that
    // whatever state it ends in can be read.
    MessageStreamAssembler assembler;
    for (const SseEvent &event : events)
        assembler.take(event);
    static_cast<void>(assembler.message().text());
    return 0;
}
