#include "httpserver.h"

#include "httpconnection.h"

#include <QTcpServer>
#include <QTcpSocket>

using namespace Qt::Literals::StringLiterals;

HttpServer::HttpServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &HttpServer::acceptConnections);
}

HttpServer::~HttpServer() = default;

Expected<void> HttpServer::listen(quint16 port)
{
    if (m_server->isListening())
        return fail(u"the simulator is already listening on port %1"_s.arg(m_server->serverPort()));
    // Loopback only: the simulator accepts any key and must never be reachable from outside.
    if (!m_server->listen(QHostAddress::LocalHost, port))
        return fail(u"cannot listen on 127.0.0.1:%1: %2"_s.arg(port).arg(m_server->errorString()));
    return {};
}

void HttpServer::close()
{
    m_server->close();
    const QList<HttpConnection *> connections = findChildren<HttpConnection *>();
    for (HttpConnection *connection : connections)
        connection->deleteLater();
}

bool HttpServer::isListening() const
{
    return m_server->isListening();
}

quint16 HttpServer::port() const
{
    return m_server->serverPort();
}

void HttpServer::acceptConnections()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto *connection = new HttpConnection(socket, m_maxBodyBytes, this);
        connect(connection, &HttpConnection::requestReady, this, &HttpServer::requestReady);
    }
}
