#pragma once

#include "common/expected.h"

#include <QObject>

class HttpConnection;
class QTcpServer;
struct HttpRequest;

// A small HTTP/1.1 server bound to 127.0.0.1 only. It hands every parsed request, together with
// the connection to answer on, to whoever listens to requestReady; it writes nothing itself.
// Written on QTcpServer rather than Qt HTTP Server so that an answer can be cut, stalled or
// reset at any byte. Connections are children of the server and die with it.
class HttpServer : public QObject
{
    Q_OBJECT

public:
    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    // Port 0 picks a free port; fails with the reason when the port cannot be bound.
    Expected<void> listen(quint16 port);
    void close();
    bool isListening() const;
    quint16 port() const;

    // Larger bodies are refused with 413 as soon as their Content-Length is seen.
    void setMaxBodyBytes(qint64 bytes) { m_maxBodyBytes = bytes; }

Q_SIGNALS:
    void requestReady(HttpConnection *connection, const HttpRequest &request);

private:
    void acceptConnections();

    QTcpServer *m_server = nullptr;
    qint64 m_maxBodyBytes = 32 * 1024 * 1024;
};
