#include "queryrun.h"

#include "calllog/calllogreader.h"
#include "session/callsession.h"

#include <QFile>
#include <QFileInfo>
#include <QTimer>

using namespace Qt::Literals::StringLiterals;

namespace {

QString readResource(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// Where this run's first record will start: the end of the log, past the newline the writer
// adds when the log ends in a torn line.
qint64 appendOffset(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() == 0)
        return 0;
    const qint64 size = file.size();
    file.seek(size - 1);
    char last = '\n';
    file.getChar(&last);
    return last == '\n' ? size : size + 1;
}

} // namespace

QueryRun::QueryRun(CallSession *session, QObject *parent)
    : QObject(parent)
    , m_session(session)
{}

QueryRun::~QueryRun() = default;

QStringList QueryRun::builtInQueries()
{
    QStringList queries;
    const QStringList lines = readResource(u":/opsbench/queries/test-questions.txt"_s).split(u'\n');
    for (const QString &line : lines) {
        if (!line.trimmed().isEmpty())
            queries.append(line.trimmed());
    }
    return queries;
}

QString QueryRun::builtInSystemPrompt()
{
    return readResource(u":/opsbench/prompts/support-agent.md"_s);
}

void QueryRun::start()
{
    m_logStart = appendOffset(m_session->logPath());
    m_outcomes.clear();
    QTimer::singleShot(0, this, &QueryRun::sendNext);
}

void QueryRun::cancel()
{
    m_cancelled = true;
    if (m_call)
        m_call->cancel();
    else if (!m_finished)
        QTimer::singleShot(0, this, &QueryRun::finish);
}

int QueryRun::failures() const
{
    return int(std::count_if(m_outcomes.begin(), m_outcomes.end(), [](const QueryOutcome &outcome) {
        return outcome.error.has_value();
    }));
}

void QueryRun::sendNext()
{
    const int index = int(m_outcomes.size());
    if (m_cancelled || index >= m_queries.size())
        return finish();

    QueryOutcome outcome;
    outcome.query = m_queries.at(index);
    MessageRequest request;
    request.model = m_options.model;
    request.systemPrompt = m_options.systemPrompt;
    request.userMessage = outcome.query;
    request.cache = m_options.cache;
    request.stream = m_options.stream;
    request.maxTokens = m_options.maxTokens;
    request.feature = m_options.feature;
    request.userId = m_options.userId;

    if (m_retriever) {
        outcome.passages = m_retriever->search(outcome.query, m_options.topK);
        request.retrievedContext = Retriever::formatForPrompt(outcome.passages);
        request.numRetrievedDocs = int(outcome.passages.size());
    }
    if (m_router) {
        const RouteDecision decision =
            m_router->route(outcome.query, request.systemPrompt, request.maxTokens);
        outcome.route = decision;
        request.logExtra.insert("route_reason"_L1, decision.reason);
        if (decision.refused) {
            outcome.error = ApiError::local(ApiError::Kind::Configuration, decision.reason);
            m_outcomes.append(outcome);
            Q_EMIT queryStarted(index);
            Q_EMIT queryFinished(index);
            QTimer::singleShot(0, this, &QueryRun::sendNext);
            return;
        }
        request.model = decision.model;
    }

    m_outcomes.append(outcome);
    Q_EMIT queryStarted(index);
    m_call = m_session->client()->send(request);
    connect(m_call, &MessageCall::textReceived, this,
            [this, index](const QString &text) { Q_EMIT textReceived(index, text); });
    connect(m_call, &MessageCall::retryScheduled, this,
            [this, index](int attempt, qint64 waitMs, const ApiError &error) {
                Q_EMIT retryScheduled(index, attempt, waitMs, error);
            });
    connect(m_call, &MessageCall::finished, this, &QueryRun::takeResult);
}

void QueryRun::takeResult()
{
    MessageCall *call = m_call;
    m_call = nullptr;
    QueryOutcome &outcome = m_outcomes.last();
    outcome.answer = call->response().text();
    outcome.error = call->error();
    outcome.record = call->record();
    outcome.attempts = call->attempts();
    call->deleteLater();
    Q_EMIT queryFinished(int(m_outcomes.size()) - 1);
    sendNext();
}

void QueryRun::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    Q_EMIT finished();
}

Expected<LogStats> QueryRun::summary() const
{
    const QString path = m_session->logPath();
    const qint64 end = QFileInfo(path).size();
    CallLogReader reader(m_session->prices());
    return reader.summarizeRange(path, std::min(m_logStart, end), end);
}
