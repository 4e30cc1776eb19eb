#pragma once

#include "callcard.h"
#include "client/messagerequest.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QPointer>
#include <QWidget>

#include <memory>
#include <optional>

class CallSession;
class MessageCall;
class ModelRouter;
class QAction;
class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QueryRun;
class QueryRunView;
class Retriever;

// The Prompt panel: a learner writes a system prompt and a message, picks a model (or lets the
// router pick), turns retrieval, prompt caching and streaming on or off, and sends. The answer
// streams in; a card then shows what the call cost, token kind by token kind, and why: timing,
// finish reason, retries, the router's reason and the documents retrieved. Earlier cards stay,
// newest first, for comparison. "Run the five test queries" sends the bundled questions with
// the same settings and charts the cache tokens of each call.
//
// Everything goes through the session's client, so every call is logged there; the session
// must outlive the panel. A failed call is explained in the panel (never in a dialog), and so
// is a call that could not be logged: its answer and cost are shown all the same. Corpus
// indexing and retrieval run on worker threads; the GUI thread only sends and shows.
class PromptPanel : public QWidget
{
    Q_OBJECT

public:
    explicit PromptPanel(CallSession *session, QWidget *parent = nullptr);
    ~PromptPanel() override;

    // Ctrl+Return and Escape; the window may put them in a menu.
    QAction *sendAction() const { return m_sendAction; }
    // Picks `modelId` in the model list, if the list has it (Settings' default model).
    void setModel(const QString &modelId);
    QAction *cancelAction() const { return m_cancelAction; }
    QAction *runTestQueriesAction() const { return m_runAction; }

    bool isBusy() const { return m_busy; }
    // The cards shown, newest first.
    QList<CallCard *> cards() const;
    QueryRunView *testRunView() const { return m_runView; }

public Q_SLOTS:
    void send();
    void cancel();
    void runTestQueries();

Q_SIGNALS:
    void busyChanged(bool busy);
    // A call sent from the panel (not from a test run) has finished and been logged.
    void callFinished(const CallRecord &record);

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Index
    {
        std::shared_ptr<const Retriever> retriever;
        QString error;
    };

    QWidget *createInputs();
    QWidget *createOutputs();
    void createActions();

    QString selectedModel() const; // empty in Auto mode
    std::optional<RouteDecision> routeFor(const QString &message) const;
    void updatePromptEstimate();
    void updateRoutePreview();
    void updateRagControls();

    void startIndexing();
    void takeIndex();
    void chooseCorpusFolder();
    void useBundledCorpus();

    MessageRequest requestFromInputs() const;
    void sendWithPassages(MessageRequest request, const QList<RetrievedPassage> &passages);
    void takePassages();
    void appendText(const QString &text);
    void noteAttemptStarted(int attempt);
    void noteRetryScheduled(int attempt, qint64 waitMs, const ApiError &error);
    void takeCall();
    void noteLogWriteFailed(const QString &message);
    void showLogFailure(const QString &message);
    void addCard(const FinishedCall &call);
    void showError(const QString &what, const QString &tryThis);
    void applyBannerColours();
    void clearError();
    void takeRun();
    void setBusy(bool busy);

    CallSession *m_session;
    std::unique_ptr<ModelRouter> m_router;
    QString m_routerProblem;

    QPlainTextEdit *m_systemPrompt = nullptr;
    QLabel *m_promptEstimate = nullptr;
    QPlainTextEdit *m_userMessage = nullptr;
    QComboBox *m_model = nullptr;
    QLabel *m_routePreview = nullptr;
    QCheckBox *m_ragEnabled = nullptr;
    QSpinBox *m_topK = nullptr;
    QLineEdit *m_corpusFolder = nullptr;
    QPushButton *m_chooseCorpus = nullptr;
    QPushButton *m_bundledCorpus = nullptr;
    QLabel *m_corpusStatus = nullptr;
    QComboBox *m_caching = nullptr;
    QCheckBox *m_streaming = nullptr;
    QLineEdit *m_feature = nullptr;
    QLineEdit *m_userId = nullptr;
    QSpinBox *m_maxTokens = nullptr;
    QPushButton *m_sendButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QPushButton *m_runButton = nullptr;

    QTabWidget *m_tabs = nullptr;
    QLabel *m_callStatus = nullptr;
    QLabel *m_errorBanner = nullptr;
    QPlainTextEdit *m_answer = nullptr;
    QWidget *m_history = nullptr;
    QHBoxLayout *m_historyLayout = nullptr;
    QueryRunView *m_runView = nullptr;

    QAction *m_sendAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_runAction = nullptr;

    // The corpus: empty folder means the bundled one.
    QString m_corpusPath;
    std::shared_ptr<const Retriever> m_retriever;
    QFutureWatcher<Index> m_indexing;
    // From the start of indexing until its result is taken: the watcher alone cannot tell, as
    // it reports "not running" before its finished() has been delivered.
    bool m_indexPending = false;
    enum class AfterIndexing { Nothing, Send, Run };
    AfterIndexing m_afterIndexing = AfterIndexing::Nothing;

    // The call being prepared or in flight.
    QFutureWatcher<QList<RetrievedPassage>> m_searching;
    MessageRequest m_searchRequest;
    QPointer<MessageCall> m_call;
    FinishedCall m_current;
    QString m_logFailure; // the session's latest, until the call it belongs to is taken
    QElapsedTimer m_callClock;
    int m_callNumber = 0;

    QPointer<QueryRun> m_run;
    bool m_busy = false;
};
