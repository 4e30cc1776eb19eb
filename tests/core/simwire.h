#pragma once

// Test-side wire tools for the simulator suites: a non-blocking raw HTTP/1.1 client on
// QTcpSocket (for byte-level checks) and a parser for responses and SSE streams.

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

struct WireResponse
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;                      // de-chunked
    bool complete = false;                // the whole body (or the final chunk) arrived

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

struct WireEvent
{
    QByteArray name;
    QJsonObject data;
    QByteArray rawData;
};

// Splits `bytes` into the responses it holds, in order; the last may be incomplete.
inline QList<WireResponse> parseResponses(QByteArray bytes)
{
    QList<WireResponse> responses;
    while (!bytes.isEmpty()) {
        const qsizetype headEnd = bytes.indexOf("\r\n\r\n");
        if (headEnd < 0)
            break;
        WireResponse response;
        const QList<QByteArray> lines = bytes.left(headEnd).split('\n');
        response.status = lines.first().split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            response.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                    lines.at(i).mid(colon + 1).trimmed());
        }
        bytes.remove(0, headEnd + 4);
        if (response.headers.value("transfer-encoding") == "chunked") {
            while (true) {
                const qsizetype lineEnd = bytes.indexOf("\r\n");
                if (lineEnd < 0)
                    break;
                bool ok = false;
                const qsizetype size = bytes.left(lineEnd).toLongLong(&ok, 16);
                if (!ok || bytes.size() < lineEnd + 2 + size + 2)
                    break;
                response.body += bytes.mid(lineEnd + 2, size);
                bytes.remove(0, lineEnd + 2 + size + 2);
                if (size == 0) {
                    response.complete = true;
                    break;
                }
            }
        } else {
            const qsizetype length = response.headers.value("content-length").toLongLong();
            response.body = bytes.left(length);
            response.complete = bytes.size() >= length;
            bytes.remove(0, length);
        }
        responses.append(response);
        if (!response.complete)
            break;
    }
    return responses;
}

// Parses an SSE body strictly: every event must be `event: <name>\ndata: <json>\n\n`.
// Returns the events, or an empty list and a reason in `problem`.
inline QList<WireEvent> parseSse(const QByteArray &body, QString *problem)
{
    QList<WireEvent> events;
    if (!body.endsWith("\n\n")) {
        *problem = QStringLiteral("the stream does not end with a blank line");
        return {};
    }
    const QList<QByteArray> frames =
        body.left(body.size() - 2).replace("\n\n", "\x1e").split('\x1e');
    for (const QByteArray &frame : frames) {
        const QList<QByteArray> lines = frame.split('\n');
        if (lines.size() != 2 || !lines.at(0).startsWith("event: ")
            || !lines.at(1).startsWith("data: ")) {
            *problem = QStringLiteral("malformed frame: ") + QString::fromUtf8(frame);
            return {};
        }
        WireEvent event;
        event.name = lines.at(0).mid(7);
        event.rawData = lines.at(1).mid(6);
        QJsonParseError error;
        event.data = QJsonDocument::fromJson(event.rawData, &error).object();
        if (error.error != QJsonParseError::NoError) {
            *problem = QStringLiteral("data is not JSON: ") + QString::fromUtf8(event.rawData);
            return {};
        }
        events.append(event);
    }
    return events;
}

// Writes raw request bytes and collects everything that comes back until `enough` holds for
// the responses so far, or the server closes the connection.
class WireClient
{
public:
    explicit WireClient(quint16 port) { m_socket.connectToHost(QHostAddress::LocalHost, port); }

    bool send(const QByteArray &bytes)
    {
        if (m_socket.state() != QAbstractSocket::ConnectedState
            && !m_socket.waitForConnected(5000)) {
            return false;
        }
        m_socket.write(bytes);
        return m_socket.flush() || m_socket.bytesToWrite() == 0;
    }

    // Waits until `count` complete responses arrived, or the peer closed.
    QList<WireResponse> read(int count, int timeoutMs = 10000)
    {
        (void)QTest::qWaitFor(
            [&] {
                m_received += m_socket.readAll();
                const QList<WireResponse> responses = parseResponses(m_received);
                const bool enough = responses.size() >= count && responses.at(count - 1).complete;
                return enough || m_socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
        m_received += m_socket.readAll();
        return parseResponses(m_received);
    }

    // Waits until the bytes received so far contain `needle`.
    bool waitFor(QByteArrayView needle, int timeoutMs = 10000)
    {
        return QTest::qWaitFor(
            [&] {
                m_received += m_socket.readAll();
                return m_received.contains(needle);
            },
            timeoutMs);
    }

    bool waitForClose(int timeoutMs = 10000)
    {
        const bool closed = QTest::qWaitFor(
            [&] {
                m_received += m_socket.readAll();
                return m_socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
        m_received += m_socket.readAll();
        return closed;
    }

    QAbstractSocket::SocketError error() const { return m_socket.error(); }
    bool isOpen() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    const QByteArray &received() const { return m_received; }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
};

inline QByteArray httpPost(const QByteArray &path, const QByteArray &body,
                           const QByteArray &extraHeaders = {})
{
    return "POST " + path
           + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: test-key\r\n"
             "anthropic-version: 2023-06-01\r\ncontent-type: application/json\r\n"
             "content-length: "
           + QByteArray::number(body.size()) + "\r\n" + extraHeaders + "\r\n" + body;
}
