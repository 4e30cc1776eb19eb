#include "client/clientconfig.h"
#include "client/messagesclient.h"
#include "common/jsonfile.h"
#include "economics/ratelimittable.h"
#include "pricing/pricebook.h"
#include "rag/retriever.h"
#include "router/routerrules.h"
#include "sim/simulator.h"

#include <QDir>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkInterface>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

const QString key = u"sk-ant-api03-boundary-test-key-Zx81"_s;

// A file of `size` bytes that takes no room: resize() extends it with a hole.
bool makeSparseFile(const QString &path, qint64 size)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.resize(size);
}

} // namespace

// Where Opsbench stops trusting: the key goes over plain http only to this machine, the
// simulator cannot be reached from another one, a request body over the API's limit is never
// sent, and no file a user names is read into memory when it is larger than its limit.
class tst_TrustBoundaries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keyTransport_data();
    void keyTransport();
    void simulatorListensOnLoopbackOnly();
    void requestBodyLimit_data();
    void requestBodyLimit();
    void anOversizedBodyIsNeverSent();
    void aKeyQuotedBackByTheServerIsMasked();
    void filesOverTheirLimitAreRefusedUnread_data();
    void filesOverTheirLimitAreRefusedUnread();
    void aCorpusOverItsLimitIsRefusedUnread();
    void aFileThatNeverEndsIsCutAtTheLimit();
};

void tst_TrustBoundaries::keyTransport_data()
{
    QTest::addColumn<QString>("baseUrl");
    QTest::addColumn<bool>("withKey");
    QTest::addColumn<QString>("error"); // empty: allowed

    const QString refused = u"refusing to send the API key over plain http to %1; use https, or "
                            "a loopback address for a local simulator"_s;
    QTest::newRow("http to a domain")
        << u"http://example.com"_s << true << refused.arg(u"example.com"_s);
    QTest::newRow("http to a private address")
        << u"http://10.0.0.1:8080"_s << true << refused.arg(u"10.0.0.1"_s);
    QTest::newRow("https to a domain") << u"https://example.com"_s << true << QString();
    QTest::newRow("http to localhost") << u"http://localhost:8080"_s << true << QString();
    QTest::newRow("http to 127.0.0.1") << u"http://127.0.0.1:8080"_s << true << QString();
    QTest::newRow("http to [::1]") << u"http://[::1]:8080"_s << true << QString();
    QTest::newRow("http without a key") << u"http://example.com"_s << false << QString();
    QTest::newRow("not http at all")
        << u"ftp://example.com"_s << true
        << u"the base URL \"ftp://example.com\" is not an http or https address"_s;
}

void tst_TrustBoundaries::keyTransport()
{
    QFETCH(QString, baseUrl);
    QFETCH(bool, withKey);
    QFETCH(QString, error);
    ClientConfig config;
    config.baseUrl = QUrl(baseUrl);
    config.apiKey = withKey ? key : QString();

    const Expected<void> checked = config.checkTransport();

    QCOMPARE(checked.hasValue(), error.isEmpty());
    if (!checked)
        QCOMPARE(checked.error(), error);
}

void tst_TrustBoundaries::simulatorListensOnLoopbackOnly()
{
    Simulator simulator;
    QVERIFY(simulator.start().hasValue());
    QTcpSocket loopback;
    loopback.connectToHost(QHostAddress::LocalHost, simulator.port());
    QVERIFY(loopback.waitForConnected(5000)); // the control: it is listening

    QList<QHostAddress> outward;
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        if (!address.isLoopback() && !address.isLinkLocal()
            && address.protocol() == QAbstractSocket::IPv4Protocol)
            outward.append(address);
    }
    if (outward.isEmpty())
        QSKIP("this machine has no address but loopback to try from");
    for (const QHostAddress &address : std::as_const(outward)) {
        QTcpSocket socket;
        socket.connectToHost(address, simulator.port());
        QVERIFY2(!socket.waitForConnected(5000), qPrintable(address.toString()));
        QCOMPARE(socket.error(), QAbstractSocket::ConnectionRefusedError);
    }
}

void tst_TrustBoundaries::requestBodyLimit_data()
{
    QTest::addColumn<qint64>("overLimit"); // bytes the body has beyond the limit

    QTest::newRow("at the limit") << qint64(0);
    QTest::newRow("one byte over") << qint64(1);
}

void tst_TrustBoundaries::requestBodyLimit()
{
    QFETCH(qint64, overLimit);
    MessageRequest request;
    request.model = u"claude-haiku-4-5"_s;
    request.userMessage = u"x"_s;
    // The body is a fixed frame around the message, so its size is the frame plus the message.
    const qint64 frame = request.toJson(ApiVersion::Version2023)->size() - 1;
    request.userMessage = QString(MessageRequest::maxBodyBytes - frame + overLimit, u'x');

    const Expected<QByteArray> body = request.toJson(ApiVersion::Version2023);

    if (overLimit == 0) {
        QVERIFY(body.hasValue());
        QCOMPARE(body->size(), MessageRequest::maxBodyBytes);
        return;
    }
    QVERIFY(!body);
    QCOMPARE(body.error(),
             u"the request body is 32000001 bytes, over the Messages API's limit of 32000000 "
             "bytes; shorten the prompt, the history or the retrieved passages"_s);
}

void tst_TrustBoundaries::anOversizedBodyIsNeverSent()
{
    Simulator simulator;
    QVERIFY(simulator.start().hasValue());
    QSignalSpy received(&simulator, &Simulator::requestReceived);
    QNetworkAccessManager network;
    MessagesClient client(&network);
    ClientConfig config;
    config.baseUrl = simulator.baseUrl();
    config.apiKey = key;
    client.setConfig(config);
    MessageRequest request;
    request.model = u"claude-haiku-4-5"_s;
    request.userMessage = QString(MessageRequest::maxBodyBytes, u'x');

    MessageCall *call = client.send(request);
    QSignalSpy finished(call, &MessageCall::finished);

    QVERIFY(finished.wait(20'000));
    QVERIFY(call->error().has_value());
    QCOMPARE(call->error()->kind, ApiError::Kind::Configuration);
    QVERIFY2(call->error()->message.contains(u"over the Messages API's limit of 32000000 bytes"_s),
             qPrintable(call->error()->message));
    QCOMPARE(call->attempts(), 1);
    QCOMPARE(received.count(), 0);
}

void tst_TrustBoundaries::aKeyQuotedBackByTheServerIsMasked()
{
    // A server that refuses every request and quotes the key it was sent, as some proxies do.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, this, [&server] {
        QTcpSocket *socket = server.nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, socket, [socket] {
            const QByteArray head = socket->property("head").toByteArray() + socket->readAll();
            socket->setProperty("head", head);
            if (!head.contains("\r\n\r\n") || socket->property("answered").toBool())
                return;
            const qsizetype from = head.indexOf("x-api-key: ") + 11;
            const QByteArray sent = head.mid(from, head.indexOf("\r\n", from) - from);
            const QByteArray body = R"({"type":"error","error":{"type":"authentication_error",)"
                                    R"("message":"invalid x-api-key: )"
                                    + sent + R"("}})";
            socket->write("HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n"
                          "connection: close\r\ncontent-length: "
                          + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            socket->setProperty("answered", true);
            socket->disconnectFromHost();
        });
    });
    QNetworkAccessManager network;
    MessagesClient client(&network);
    ClientConfig config;
    config.baseUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(server.serverPort()));
    config.apiKey = key;
    client.setConfig(config);
    MessageRequest request;
    request.model = u"claude-haiku-4-5"_s;
    request.userMessage = u"Hello"_s;

    MessageCall *call = client.send(request);
    QSignalSpy finished(call, &MessageCall::finished);

    QVERIFY(finished.wait(20'000));
    QVERIFY(call->error().has_value());
    QCOMPARE(call->error()->httpStatus, 401);
    QCOMPARE(call->error()->message, u"invalid x-api-key: sk-ant-…Zx81"_s);
    QVERIFY(!call->error()->describe().contains(u"boundary-test-key"_s));
}

void tst_TrustBoundaries::filesOverTheirLimitAreRefusedUnread_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<QString>("what");

    QTest::newRow("price file") << u"prices"_s << maxDataFileBytes << u"the price file"_s;
    QTest::newRow("router rules") << u"rules"_s << maxDataFileBytes << u"the router rules"_s;
    QTest::newRow("rate-limit file") << u"limits"_s << maxDataFileBytes << u"the rate-limit file"_s;
    QTest::newRow("corpus document")
        << u"corpus"_s << Retriever::maxDocumentBytes << u"the document"_s;
}

void tst_TrustBoundaries::filesOverTheirLimitAreRefusedUnread()
{
    QFETCH(QString, kind);
    QFETCH(qint64, limit);
    QFETCH(QString, what);
    QTemporaryDir dir;
    const QString path = dir.filePath(kind == "corpus"_L1 ? u"big.md"_s : u"big.json"_s);
    QVERIFY(makeSparseFile(path, limit + 1));

    QString error;
    if (kind == "prices"_L1)
        error = PriceBook::fromFile(path).error();
    else if (kind == "rules"_L1)
        error = RouterRules::fromFile(path).error();
    else if (kind == "limits"_L1)
        error = RateLimitTable::fromFile(path).error();
    else
        error = Retriever::fromFolder(dir.path()).error();

    QCOMPARE(error,
             u"%1: %2 of %3 bytes is over the limit of %4 bytes; nothing was read"_s.arg(path, what)
                 .arg(limit + 1)
                 .arg(limit));

    // At the limit the size is fine; what fails then is the content (holes read as zeros).
    QVERIFY(makeSparseFile(path, limit));
    const Expected<QByteArray> atLimit = readDataFile(path, what, limit);
    QVERIFY(atLimit.hasValue());
    QCOMPARE(atLimit->size(), limit);
}

void tst_TrustBoundaries::aCorpusOverItsLimitIsRefusedUnread()
{
    // 26 documents at the 2 MiB limit each: 26 * 2,097,152 = 54,525,952 bytes, over the
    // 50 MiB = 52,428,800 a corpus may hold.
    QTemporaryDir dir;
    for (int i = 0; i < 26; ++i) {
        QVERIFY(makeSparseFile(dir.filePath(u"doc%1.md"_s.arg(i, 2, 10, QChar(u'0'))),
                               Retriever::maxDocumentBytes));
    }

    const Expected<Retriever> retriever = Retriever::fromFolder(dir.path());

    QVERIFY(!retriever);
    QCOMPARE(retriever.error(), u"%1: the documents add up to 54525952 bytes, over the limit of "
                                "52428800 bytes for a corpus; nothing was read"_s.arg(dir.path()));
}

void tst_TrustBoundaries::aFileThatNeverEndsIsCutAtTheLimit()
{
    if (!QFile::exists(u"/dev/zero"_s))
        QSKIP("no /dev/zero here");

    // A device reports no size, so only reading can find out, and reading stops past the limit.
    const Expected<QByteArray> bytes = readDataFile(u"/dev/zero"_s, u"the price file"_s, 4096);

    QVERIFY(!bytes);
    QCOMPARE(bytes.error(), u"/dev/zero: the price file of more than 4096 bytes is over the limit "
                            "of 4096 bytes; nothing was read"_s);
}

QTEST_GUILESS_MAIN(tst_TrustBoundaries)
#include "tst_trustboundaries.moc"
