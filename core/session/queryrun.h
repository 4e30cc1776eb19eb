#pragma once

#include "calllog/callrecord.h"
#include "calllog/logstats.h"
#include "client/apierror.h"
#include "client/messagerequest.h"
#include "rag/retriever.h"
#include "router/modelrouter.h"

#include <QObject>
#include <QPointer>
#include <QStringList>

#include <memory>
#include <optional>

class CallSession;
class MessageCall;

// How each query of a run is sent.
struct QueryRunOptions
{
    // The model for every query; ignored when a router is set.
    QString model = QStringLiteral("claude-haiku-4-5-20251001");
    QString systemPrompt;
    CacheTtl cache = CacheTtl::None; // a breakpoint on the system prompt
    int topK = 3;                    // passages per query when a retriever is set
    bool stream = false;
    int maxTokens = 400;
    QString feature = QStringLiteral("rag_answer");
    QString userId = QStringLiteral("anonymous");
};

// What became of one query.
struct QueryOutcome
{
    QString query;
    std::optional<RouteDecision> route; // when a router chose the model
    QList<RetrievedPassage> passages;   // when a retriever supplied context
    QString answer;
    std::optional<ApiError> error;    // the call failed (or was refused by the router's guard)
    std::optional<CallRecord> record; // absent when no call was made (refused)
    int attempts = 0;
};

// Sends a list of queries one after another through a session, optionally choosing each model
// with a router and putting retrieved passages before each question: the workbench's "run the
// test queries", from the command line and from the window alike. One at a time on purpose, so
// that a prompt cache written by the first call is there for the next.
//
// The job shape: configure, start(), one finished(); then outcomes() and summary(). The summary
// is read back from the part of the call log this run appended (another writer appending at the
// same moment would be counted too). The session must outlive the run.
class QueryRun : public QObject
{
    Q_OBJECT

public:
    explicit QueryRun(CallSession *session, QObject *parent = nullptr);
    ~QueryRun() override;

    void setQueries(const QStringList &queries) { m_queries = queries; }
    void setOptions(const QueryRunOptions &options) { m_options = options; }
    void setRetriever(std::shared_ptr<const Retriever> retriever) { m_retriever = retriever; }
    void setRouter(std::shared_ptr<const ModelRouter> router) { m_router = router; }

    void start();
    // Cancels the call in flight and skips the rest; finished() follows once.
    void cancel();

    bool isFinished() const { return m_finished; }
    const QList<QueryOutcome> &outcomes() const { return m_outcomes; }
    int failures() const;
    Expected<LogStats> summary() const;

    // The five questions and the support-agent prompt that ship with Opsbench.
    static QStringList builtInQueries();
    static QString builtInSystemPrompt();

Q_SIGNALS:
    void queryStarted(int index);
    void textReceived(int index, const QString &text);
    void retryScheduled(int index, int attempt, qint64 waitMs, const ApiError &error);
    void queryFinished(int index);
    void finished();

private:
    void sendNext();
    void takeResult();
    void finish();

    CallSession *m_session;
    QStringList m_queries;
    QueryRunOptions m_options;
    std::shared_ptr<const Retriever> m_retriever;
    std::shared_ptr<const ModelRouter> m_router;
    QList<QueryOutcome> m_outcomes;
    QPointer<MessageCall> m_call;
    qint64 m_logStart = 0;
    bool m_cancelled = false;
    bool m_finished = false;
};
