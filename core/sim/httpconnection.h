#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>

class QTcpSocket;

// One parsed HTTP/1.1 request. Header names are stored lower-cased, so look-ups are
// case-insensitive. When the bytes could not be parsed, errorStatus is set (400, 411, 413 or
// 431) with a reason, and the connection is closed after the answer.
struct HttpRequest
{
    QByteArray method;
    QByteArray target; // the path as sent, query included
    QByteArray version;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool keepAlive = true;
    int errorStatus = 0;
    QByteArray errorMessage;

    QByteArray header(QByteArrayView lowerCaseName) const;
    bool hasHeader(QByteArrayView lowerCaseName) const;
    QByteArray path() const; // target without its query string
};

// One accepted loopback connection: reads requests one at a time, in the order they arrived
// (pipelined requests wait in the buffer until the current answer is finished), and lets its
// owner write the answer in pieces, at any pace, or break the connection on purpose.
//
// The connection deletes itself when the peer goes away; hold it in a QPointer.
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    HttpConnection(QTcpSocket *socket, qint64 maxBodyBytes, QObject *parent = nullptr);
    ~HttpConnection() override;

    void write(const QByteArray &bytes);
    // Ends the current answer: with keepAlive the next buffered request is read, otherwise the
    // connection is closed once everything written has been sent.
    void finishResponse(bool keepAlive);
    // Closes with a normal FIN after sending what was written (a truncated answer).
    void closeGracefully();
    // Drops the connection with a TCP reset, discarding anything not yet sent.
    void reset();

Q_SIGNALS:
    void requestReady(HttpConnection *connection, const HttpRequest &request);
    void closed();

private:
    void readIncoming();
    void parseNext();
    // `request` holds whatever was parsed before the problem, so the refusal names its path.
    void emitError(int status, QByteArray message, HttpRequest request = {});

    QTcpSocket *m_socket = nullptr;
    QByteArray m_buffer;
    qint64 m_maxBodyBytes = 0;
    bool m_busy = false;
    bool m_closing = false;
    bool m_continueSent = false;
};
