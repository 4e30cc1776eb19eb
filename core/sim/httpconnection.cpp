#include "httpconnection.h"

#include "common/logging.h"

#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace {

// A request head larger than this is refused; real clients send a few hundred bytes.
constexpr qsizetype maxHeadBytes = 64 * 1024;

} // namespace

QByteArray HttpRequest::header(QByteArrayView lowerCaseName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerCaseName)
            return value;
    }
    return {};
}

bool HttpRequest::hasHeader(QByteArrayView lowerCaseName) const
{
    for (const auto &header : headers) {
        if (header.first == lowerCaseName)
            return true;
    }
    return false;
}

QByteArray HttpRequest::path() const
{
    const qsizetype query = target.indexOf('?');
    return query < 0 ? target : target.left(query);
}

HttpConnection::HttpConnection(QTcpSocket *socket, qint64 maxBodyBytes, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_maxBodyBytes(maxBodyBytes)
{
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::readIncoming);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        Q_EMIT closed();
        deleteLater();
    });
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::write(const QByteArray &bytes)
{
    if (m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->write(bytes);
}

void HttpConnection::finishResponse(bool keepAlive)
{
    m_busy = false;
    if (!keepAlive) {
        closeGracefully();
        return;
    }
    // Queued, so that an answer written from inside requestReady does not recurse into the
    // next pipelined request.
    QMetaObject::invokeMethod(this, &HttpConnection::parseNext, Qt::QueuedConnection);
}

void HttpConnection::closeGracefully()
{
    m_closing = true;
    m_socket->disconnectFromHost();
}

void HttpConnection::reset()
{
    m_closing = true;
#ifdef Q_OS_UNIX
    // A zero linger time makes close() send RST instead of FIN: the client sees a reset.
    const qintptr fd = m_socket->socketDescriptor();
    if (fd >= 0) {
        const linger hard{1, 0};
        ::setsockopt(int(fd), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
#endif
    m_socket->abort();
}

void HttpConnection::readIncoming()
{
    // Once closing, whatever else the peer sends (the rest of a refused body) is dropped.
    if (m_closing) {
        m_socket->readAll();
        return;
    }
    m_buffer.append(m_socket->readAll());
    parseNext();
}

void HttpConnection::emitError(int status, QByteArray message, HttpRequest request)
{
    request.errorStatus = status;
    request.errorMessage = std::move(message);
    request.keepAlive = false;
    m_buffer.clear();
    m_busy = true;
    Q_EMIT requestReady(this, request);
}

void HttpConnection::parseNext()
{
    if (m_busy || m_closing || m_buffer.isEmpty())
        return;

    const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) {
        if (m_buffer.size() > maxHeadBytes)
            emitError(431, "The request headers are larger than 64 KiB.");
        return;
    }
    if (headEnd > maxHeadBytes) {
        emitError(431, "The request headers are larger than 64 KiB.");
        return;
    }

    const QList<QByteArray> lines = m_buffer.left(headEnd).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || requestLine.at(0).isEmpty() || !requestLine.at(1).startsWith('/')
        || (requestLine.at(2) != "HTTP/1.1" && requestLine.at(2) != "HTTP/1.0")) {
        emitError(400, "The request line is not a valid HTTP/1.1 request line.");
        return;
    }

    HttpRequest request;
    request.method = requestLine.at(0);
    request.target = requestLine.at(1);
    request.version = requestLine.at(2);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            emitError(400, "A request header line has no name.", request);
            return;
        }
        request.headers.append(
            {line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }

    if (request.hasHeader("transfer-encoding")) {
        emitError(411,
                  "Send the request body with a Content-Length header; chunked request "
                  "bodies are not accepted.",
                  request);
        return;
    }
    qint64 contentLength = 0;
    if (request.hasHeader("content-length")) {
        bool ok = false;
        contentLength = request.header("content-length").toLongLong(&ok);
        if (!ok || contentLength < 0) {
            emitError(400, "The Content-Length header is not a valid number.", request);
            return;
        }
    }
    if (contentLength > m_maxBodyBytes) {
        emitError(413,
                  "Request exceeds the maximum allowed number of bytes ("
                      + QByteArray::number(m_maxBodyBytes) + ").",
                  request);
        return;
    }

    const qsizetype bodyStart = headEnd + 4;
    if (m_buffer.size() - bodyStart < contentLength) {
        // curl waits for this before sending a large body.
        if (!m_continueSent && request.header("expect").toLower() == "100-continue") {
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            m_continueSent = true;
        }
        return;
    }
    m_continueSent = false;
    request.body = m_buffer.mid(bodyStart, contentLength);
    m_buffer.remove(0, bodyStart + contentLength);

    const QByteArray connection = request.header("connection").toLower();
    request.keepAlive = request.version == "HTTP/1.1" ? !connection.contains("close")
                                                      : connection.contains("keep-alive");
    m_busy = true;
    qCDebug(lcSim) << "request" << request.method << request.path() << contentLength << "bytes";
    Q_EMIT requestReady(this, request);
}
