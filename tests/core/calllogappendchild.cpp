// A writer in a process of its own, for tst_calllogwriter: appends numbered records to a log
// until it has written its count, or until it is killed when the count is "forever".
//
//     calllog-append-child <path> <tag> <count|forever> <padding-bytes>
//
// Each record carries the tag as its feature and its number as extra "seq", and is padded
// with a run of the tag's letters so that two writers' lines interleaving would show.

#include "calllog/calllogwriter.h"
#include "calllog/callrecord.h"

#include <QCoreApplication>
#include <QTextStream>

using namespace Qt::Literals::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    QTextStream errors(stderr);
    if (arguments.size() != 5) {
        errors << "usage: calllog-append-child <path> <tag> <count|forever> <padding-bytes>\n";
        return 2;
    }
    const QString &tag = arguments.at(2);
    const bool forever = arguments.at(3) == "forever"_L1;
    const qint64 count = forever ? 0 : arguments.at(3).toLongLong();
    const QString padding(arguments.at(4).toInt(), tag.isEmpty() ? u'x' : tag.at(0));

    CallLogWriter writer;
    if (const Expected<void> opened = writer.open(arguments.at(1)); !opened) {
        errors << opened.error() << '\n';
        return 1;
    }

    CallRecord record;
    record.model = u"claude-haiku-4-5"_s;
    record.feature = tag;
    record.inputTokens = 100;
    record.outputTokens = 20;
    record.latencyMs = 5;
    record.finishReason = u"end_turn"_s;
    record.extra.insert(u"padding"_s, padding);
    for (qint64 seq = 0; forever || seq < count; ++seq) {
        record.requestId = CallRecord::newRequestId();
        record.timestamp = QDateTime::currentDateTimeUtc();
        record.extra.insert(u"seq"_s, seq);
        if (const Expected<void> appended = writer.append(record); !appended) {
            errors << appended.error() << '\n';
            return 1;
        }
    }
    return 0;
}
