#include "promptpanel.h"

#include "queryrunview.h"
#include "router/modelrouter.h"
#include "session/callsession.h"
#include "session/queryrun.h"
#include "sim/simmodelcatalogue.h"
#include "sim/tokenestimate.h"
#include "theme.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QtConcurrent/QtConcurrentRun>
#include <QVBoxLayout>

#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace {

const QString defaultModel = u"claude-haiku-4-5-20251001"_s;

// "Claude Haiku 4.5" -> "Haiku 4.5": the family is what a learner compares.
QString shortName(const QString &displayName)
{
    return displayName.startsWith("Claude "_L1) ? displayName.mid(7) : displayName;
}

QString displayNameOf(const QString &modelId)
{
    const SimModel *model = SimModelCatalogue::builtIn().find(modelId);
    return model ? model->displayName : modelId;
}

QLabel *hintLabel(const QString &name)
{
    auto *label = new QLabel;
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

QString errorTextFor(const ApiError &error)
{
    return error.httpStatus != 0 ? u"%1 %2"_s.arg(error.httpStatus).arg(error.type)
                                 : ApiError::kindName(error.kind);
}

} // namespace

PromptPanel::PromptPanel(CallSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    Expected<ModelRouter> router = ModelRouter::create(RouterRules::builtIn(), session->prices());
    if (router)
        m_router = std::make_unique<ModelRouter>(std::move(router).value());
    else
        m_routerProblem = router.error();

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(createInputs());
    splitter->addWidget(createOutputs());
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
    createActions();

    connect(session, &CallSession::logWriteFailed, this, &PromptPanel::noteLogWriteFailed);
    connect(&m_indexing, &QFutureWatcher<Index>::finished, this, &PromptPanel::takeIndex);
    connect(&m_searching, &QFutureWatcher<QList<RetrievedPassage>>::finished, this,
            &PromptPanel::takePassages);
    updatePromptEstimate();
    updateRoutePreview();
    updateRagControls();
    startIndexing();
}

PromptPanel::~PromptPanel()
{
    // A worker may still be indexing or searching; its result is no longer wanted, but the
    // watchers must not outlive their futures' users.
    m_indexing.waitForFinished();
    m_searching.waitForFinished();
    if (MessageCall *call = m_call) {
        call->disconnect(this);
        call->cancel();
        call->deleteLater();
    }
    if (m_run)
        m_run->disconnect(this);
}

void PromptPanel::setModel(const QString &modelId)
{
    const int index = m_model->findData(modelId);
    if (index > 0)
        m_model->setCurrentIndex(index);
}

QWidget *PromptPanel::createInputs()
{
    m_systemPrompt = new QPlainTextEdit(QueryRun::builtInSystemPrompt());
    m_systemPrompt->setObjectName(u"systemPrompt"_s);
    m_systemPrompt->setTabChangesFocus(true);
    m_systemPrompt->setMinimumHeight(140);
    // System prompts are usually kept as text files with their own line breaks; wrapping those
    // lines again at the editor's edge leaves every other line a stub.
    m_systemPrompt->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_promptEstimate = hintLabel(u"promptEstimate"_s);

    m_userMessage = new QPlainTextEdit(QueryRun::builtInQueries().value(0));
    m_userMessage->setObjectName(u"userMessage"_s);
    m_userMessage->setTabChangesFocus(true);
    m_userMessage->setMinimumHeight(70);
    m_userMessage->setMaximumHeight(120);
    m_userMessage->setPlaceholderText(u"Your message (Ctrl+Return sends)"_s);

    m_model = new QComboBox;
    m_model->setObjectName(u"model"_s);
    m_model->addItem(u"Auto (router)"_s, QString());
    if (!m_router) {
        m_model->setItemData(0, m_routerProblem, Qt::ToolTipRole);
        m_model->setItemData(0, 0, Qt::UserRole - 1); // not selectable
    }
    for (const SimModel &model : SimModelCatalogue::builtIn().models())
        m_model->addItem(model.displayName + u"  ("_s + model.id + u')', model.id);
    m_model->setCurrentIndex(std::max(1, m_model->findData(defaultModel)));
    m_routePreview = hintLabel(u"routeDecision"_s);

    m_ragEnabled = new QCheckBox(u"Put retrieved passages before the question"_s);
    m_ragEnabled->setObjectName(u"ragEnabled"_s);
    m_ragEnabled->setChecked(true);
    m_topK = new QSpinBox;
    m_topK->setObjectName(u"topK"_s);
    m_topK->setRange(1, 10);
    m_topK->setValue(3);
    m_topK->setPrefix(u"top "_s);
    m_topK->setSuffix(u" passages"_s);
    m_corpusFolder = new QLineEdit;
    m_corpusFolder->setObjectName(u"corpusFolder"_s);
    m_corpusFolder->setReadOnly(true);
    m_chooseCorpus = new QPushButton(u"Choose…"_s);
    m_bundledCorpus = new QPushButton(u"Bundled"_s);
    m_bundledCorpus->setToolTip(u"Use the help-centre corpus that ships with Opsbench"_s);
    m_corpusStatus = hintLabel(u"corpusStatus"_s);
    auto *corpusRow = new QHBoxLayout;
    corpusRow->addWidget(m_corpusFolder, 1);
    corpusRow->addWidget(m_chooseCorpus);
    corpusRow->addWidget(m_bundledCorpus);
    auto *rag = new QGroupBox(u"Retrieval (RAG)"_s);
    auto *ragLayout = new QFormLayout(rag);
    ragLayout->addRow(m_ragEnabled);
    ragLayout->addRow(u"Passages"_s, m_topK);
    ragLayout->addRow(u"Corpus"_s, corpusRow);
    ragLayout->addRow(m_corpusStatus);

    m_caching = new QComboBox;
    m_caching->setObjectName(u"caching"_s);
    m_caching->addItem(u"Off"_s, int(CacheTtl::None));
    m_caching->addItem(u"5 minutes"_s, int(CacheTtl::FiveMinutes));
    m_caching->addItem(u"1 hour"_s, int(CacheTtl::OneHour));
    m_caching->setToolTip(u"A cache breakpoint on the system prompt"_s);
    m_streaming = new QCheckBox(u"Stream the answer"_s);
    m_streaming->setObjectName(u"streaming"_s);
    m_streaming->setChecked(true);
    m_feature = new QLineEdit(u"prompt"_s);
    m_feature->setObjectName(u"feature"_s);
    m_userId = new QLineEdit(u"anonymous"_s);
    m_userId->setObjectName(u"userId"_s);
    m_maxTokens = new QSpinBox;
    m_maxTokens->setObjectName(u"maxTokens"_s);
    m_maxTokens->setRange(1, 64000);
    m_maxTokens->setValue(400);
    m_maxTokens->setGroupSeparatorShown(true);

    auto *call = new QFormLayout;
    call->addRow(u"&Model"_s, m_model);
    call->addRow(m_routePreview);
    call->addRow(u"Prompt &caching"_s, m_caching);
    call->addRow(QString(), m_streaming);
    call->addRow(u"Max &tokens"_s, m_maxTokens);
    call->addRow(u"&Feature"_s, m_feature);
    call->addRow(u"&User id"_s, m_userId);

    m_sendButton = new QPushButton(u"Send"_s);
    m_sendButton->setObjectName(u"send"_s);
    m_sendButton->setDefault(true);
    m_sendButton->setToolTip(u"Send the message (Ctrl+Return)"_s);
    m_cancelButton = new QPushButton(u"Cancel"_s);
    m_cancelButton->setObjectName(u"cancel"_s);
    m_cancelButton->setToolTip(u"Stop the call or run in flight (Escape)"_s);
    m_runButton = new QPushButton(u"Run the five test queries"_s);
    m_runButton->setObjectName(u"runTestQueries"_s);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_sendButton);
    buttons->addWidget(m_cancelButton);
    buttons->addStretch();
    buttons->addWidget(m_runButton);

    auto *systemLabel = new QLabel(u"&System prompt"_s);
    systemLabel->setBuddy(m_systemPrompt);
    auto *userLabel = new QLabel(u"M&essage"_s);
    userLabel->setBuddy(m_userMessage);

    auto *inputs = new QWidget;
    auto *layout = new QVBoxLayout(inputs);
    layout->addWidget(systemLabel);
    layout->addWidget(m_systemPrompt, 1);
    layout->addWidget(m_promptEstimate);
    layout->addWidget(userLabel);
    layout->addWidget(m_userMessage);
    layout->addLayout(call);
    layout->addWidget(rag);
    layout->addLayout(buttons);

    connect(m_systemPrompt, &QPlainTextEdit::textChanged, this, &PromptPanel::updatePromptEstimate);
    connect(m_userMessage, &QPlainTextEdit::textChanged, this, &PromptPanel::updateRoutePreview);
    connect(m_model, &QComboBox::currentIndexChanged, this, &PromptPanel::updateRoutePreview);
    connect(m_caching, &QComboBox::currentIndexChanged, this, &PromptPanel::updatePromptEstimate);
    connect(m_maxTokens, &QSpinBox::valueChanged, this, &PromptPanel::updateRoutePreview);
    connect(m_ragEnabled, &QCheckBox::toggled, this, &PromptPanel::updateRagControls);
    connect(m_chooseCorpus, &QPushButton::clicked, this, &PromptPanel::chooseCorpusFolder);
    connect(m_bundledCorpus, &QPushButton::clicked, this, &PromptPanel::useBundledCorpus);

    auto *scroll = new QScrollArea;
    scroll->setWidget(inputs);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(inputs->minimumSizeHint().width() + 20);
    return scroll;
}

QWidget *PromptPanel::createOutputs()
{
    m_callStatus = new QLabel(u"Ready. Calls go to %1."_s.arg(m_session->backendDescription()));
    m_callStatus->setObjectName(u"callStatus"_s);
    m_callStatus->setWordWrap(true);
    m_errorBanner = new QLabel;
    m_errorBanner->setObjectName(u"errorBanner"_s);
    m_errorBanner->setWordWrap(true);
    m_errorBanner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorBanner->setFrameShape(QFrame::StyledPanel);
    m_errorBanner->setMargin(6);
    m_errorBanner->setAutoFillBackground(true);
    m_errorBanner->hide();
    m_answer = new QPlainTextEdit;
    m_answer->setObjectName(u"answer"_s);
    m_answer->setReadOnly(true);
    m_answer->setPlaceholderText(u"The answer appears here as it arrives."_s);
    m_answer->setMinimumHeight(120);

    m_history = new QWidget;
    m_historyLayout = new QHBoxLayout(m_history);
    m_historyLayout->setContentsMargins(0, 0, 0, 0);
    m_historyLayout->addStretch();
    auto *historyScroll = new QScrollArea;
    historyScroll->setObjectName(u"history"_s);
    historyScroll->setWidget(m_history);
    historyScroll->setWidgetResizable(true);
    historyScroll->setFrameShape(QFrame::NoFrame);
    historyScroll->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    // Tall enough for a whole card with retries and three documents; the answer takes the rest.
    historyScroll->setMinimumHeight(380);

    auto *answerSplit = new QSplitter(Qt::Vertical);
    answerSplit->setChildrenCollapsible(false);
    answerSplit->addWidget(m_answer);
    auto *historyBox = new QWidget;
    auto *historyBoxLayout = new QVBoxLayout(historyBox);
    historyBoxLayout->setContentsMargins(0, 0, 0, 0);
    historyBoxLayout->addWidget(new QLabel(u"<b>Calls</b> (newest first; scroll sideways to "
                                           "compare with earlier ones)"_s));
    historyBoxLayout->addWidget(historyScroll, 1);
    answerSplit->addWidget(historyBox);
    answerSplit->setStretchFactor(0, 1);
    answerSplit->setStretchFactor(1, 2);

    auto *answerTab = new QWidget;
    auto *answerLayout = new QVBoxLayout(answerTab);
    answerLayout->addWidget(m_callStatus);
    answerLayout->addWidget(m_errorBanner);
    answerLayout->addWidget(answerSplit, 1);

    m_runView = new QueryRunView;
    m_runView->setObjectName(u"testRun"_s);
    m_tabs = new QTabWidget;
    m_tabs->addTab(answerTab, u"Answer and calls"_s);
    m_tabs->addTab(m_runView, u"Five test queries"_s);
    return m_tabs;
}

void PromptPanel::createActions()
{
    m_sendAction = new QAction(u"Send"_s, this);
    m_sendAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_sendAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_cancelAction = new QAction(u"Cancel"_s, this);
    m_cancelAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancelAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_cancelAction->setEnabled(false);
    m_runAction = new QAction(u"Run the five test queries"_s, this);
    addActions({m_sendAction, m_cancelAction, m_runAction});

    connect(m_sendAction, &QAction::triggered, this, &PromptPanel::send);
    connect(m_cancelAction, &QAction::triggered, this, &PromptPanel::cancel);
    connect(m_runAction, &QAction::triggered, this, &PromptPanel::runTestQueries);
    connect(m_sendButton, &QPushButton::clicked, m_sendAction, &QAction::trigger);
    connect(m_cancelButton, &QPushButton::clicked, m_cancelAction, &QAction::trigger);
    connect(m_runButton, &QPushButton::clicked, m_runAction, &QAction::trigger);
    m_cancelButton->setEnabled(false);
}

QList<CallCard *> PromptPanel::cards() const
{
    QList<CallCard *> cards;
    for (int i = 0; i < m_historyLayout->count(); ++i) {
        if (auto *card = qobject_cast<CallCard *>(m_historyLayout->itemAt(i)->widget()))
            cards.append(card);
    }
    return cards;
}

QString PromptPanel::selectedModel() const
{
    return m_model->currentData().toString();
}

std::optional<RouteDecision> PromptPanel::routeFor(const QString &message) const
{
    if (!m_router || !selectedModel().isEmpty())
        return std::nullopt;
    return m_router->route(message, m_systemPrompt->toPlainText(), m_maxTokens->value());
}

void PromptPanel::updatePromptEstimate()
{
    const QLocale locale;
    const qint64 tokens = TokenEstimate::ofText(m_systemPrompt->toPlainText());
    QString modelId = selectedModel();
    if (const std::optional<RouteDecision> route = routeFor(m_userMessage->toPlainText()))
        modelId = route->model;
    const SimModel *model = SimModelCatalogue::builtIn().find(modelId);

    QString text = u"About %1 tokens (UTF-8 bytes ÷ 4, rounded up)."_s.arg(locale.toString(tokens));
    if (!model) {
        text += u" The caching minimum of %1 is not known."_s.arg(modelId);
    } else if (tokens >= model->minCacheableTokens) {
        text += u" Long enough to be cached on %1, which caches from %2."_s.arg(
            shortName(model->displayName), locale.toString(model->minCacheableTokens));
    } else {
        text += u" Too short to be cached: %1 caches from %2 tokens, so a cached call is billed "
                "in full."_s.arg(shortName(model->displayName),
                                 locale.toString(model->minCacheableTokens));
    }
    if (m_caching->currentData().toInt() == int(CacheTtl::None))
        text += u" Caching is off."_s;
    m_promptEstimate->setText(text);
}

void PromptPanel::updateRoutePreview()
{
    const std::optional<RouteDecision> route = routeFor(m_userMessage->toPlainText());
    m_routePreview->setVisible(route.has_value());
    if (route) {
        m_routePreview->setText(route->refused
                                    ? u"The router would refuse: "_s + route->reason
                                    : u"The router picks %1: %2"_s.arg(
                                        shortName(displayNameOf(route->model)), route->reason));
    }
    updatePromptEstimate();
}

void PromptPanel::updateRagControls()
{
    const bool on = m_ragEnabled->isChecked();
    const QList<QWidget *> controls{m_topK, m_corpusFolder, m_chooseCorpus, m_bundledCorpus};
    for (QWidget *widget : controls)
        widget->setEnabled(on);
    m_corpusFolder->setText(m_corpusPath.isEmpty() ? u"Bundled help-centre corpus"_s
                                                   : m_corpusPath);
}

void PromptPanel::startIndexing()
{
    m_retriever.reset();
    m_indexPending = true;
    m_corpusStatus->setText(u"Indexing the corpus…"_s);
    const QString path = m_corpusPath;
    m_indexing.setFuture(QtConcurrent::run([path] {
        Expected<Retriever> built =
            path.isEmpty() ? Retriever::builtInCorpus() : Retriever::fromFolder(path);
        if (!built)
            return Index{nullptr, built.error()};
        return Index{std::make_shared<const Retriever>(std::move(built).value()), QString()};
    }));
}

void PromptPanel::takeIndex()
{
    const Index index = m_indexing.result();
    m_indexPending = false;
    m_retriever = index.retriever;
    if (!m_retriever) {
        m_corpusStatus->setText(u"Retrieval is unavailable: "_s + index.error);
        if (m_afterIndexing != AfterIndexing::Nothing) {
            showError(u"The corpus could not be indexed: "_s + index.error,
                      u"Choose another folder, use the bundled corpus, or turn retrieval off."_s);
            setBusy(false);
        }
        m_afterIndexing = AfterIndexing::Nothing;
        return;
    }
    m_corpusStatus->setText(
        u"%1 documents in %2 passages, ranked by BM25."_s.arg(m_retriever->documentCount())
            .arg(m_retriever->passageCount()));
    const AfterIndexing next = std::exchange(m_afterIndexing, AfterIndexing::Nothing);
    if (next == AfterIndexing::Nothing)
        return;
    setBusy(false);
    if (next == AfterIndexing::Send)
        send();
    else
        runTestQueries();
}

void PromptPanel::chooseCorpusFolder()
{
    const QString folder =
        QFileDialog::getExistingDirectory(this, u"Corpus folder"_s, m_corpusPath);
    if (folder.isEmpty() || folder == m_corpusPath)
        return;
    m_corpusPath = folder;
    updateRagControls();
    startIndexing();
}

void PromptPanel::useBundledCorpus()
{
    if (m_corpusPath.isEmpty())
        return;
    m_corpusPath.clear();
    updateRagControls();
    startIndexing();
}

MessageRequest PromptPanel::requestFromInputs() const
{
    MessageRequest request;
    request.model = selectedModel();
    request.systemPrompt = m_systemPrompt->toPlainText();
    request.userMessage = m_userMessage->toPlainText().trimmed();
    request.maxTokens = m_maxTokens->value();
    request.stream = m_streaming->isChecked();
    request.cache = CacheTtl(m_caching->currentData().toInt());
    const QString feature = m_feature->text().trimmed();
    request.feature = feature.isEmpty() ? u"prompt"_s : feature;
    const QString user = m_userId->text().trimmed();
    request.userId = user.isEmpty() ? u"anonymous"_s : user;
    return request;
}

void PromptPanel::send()
{
    if (m_busy)
        return;
    MessageRequest request = requestFromInputs();
    if (request.userMessage.isEmpty()) {
        showError(u"There is no message to send."_s, u"Type a question in Message."_s);
        m_userMessage->setFocus();
        return;
    }
    clearError();
    m_current = FinishedCall();
    m_current.question = request.userMessage;
    m_current.route = routeFor(request.userMessage);
    if (m_current.route) {
        if (m_current.route->refused) {
            showError(u"The router refused to send this: "_s + m_current.route->reason,
                      u"Pick a model yourself, or shorten the request."_s);
            return;
        }
        request.model = m_current.route->model;
        request.logExtra.insert("route_reason"_L1, m_current.route->reason);
    }
    if (!m_ragEnabled->isChecked())
        return sendWithPassages(request, {});

    setBusy(true);
    if (!m_retriever) {
        if (m_indexPending) {
            m_afterIndexing = AfterIndexing::Send;
            m_callStatus->setText(u"Waiting for the corpus index…"_s);
            return;
        }
        setBusy(false);
        showError(u"Retrieval is on, but the corpus could not be indexed."_s,
                  u"Choose another folder, use the bundled corpus, or turn retrieval off."_s);
        return;
    }
    m_callStatus->setText(u"Retrieving passages…"_s);
    m_searchRequest = request;
    const std::shared_ptr<const Retriever> retriever = m_retriever;
    const int topK = m_topK->value();
    m_searching.setFuture(QtConcurrent::run(
        [retriever, topK, query = request.userMessage] { return retriever->search(query, topK); }));
}

void PromptPanel::takePassages()
{
    if (!m_busy || m_call)
        return; // cancelled while searching
    sendWithPassages(m_searchRequest, m_searching.result());
}

void PromptPanel::sendWithPassages(MessageRequest request, const QList<RetrievedPassage> &passages)
{
    m_current.passages = passages;
    if (!passages.isEmpty()) {
        request.retrievedContext = Retriever::formatForPrompt(passages);
        request.numRetrievedDocs = int(passages.size());
    }
    m_current.number = ++m_callNumber;
    m_current.modelName = displayNameOf(request.model);
    m_answer->clear();
    m_callStatus->setText(u"Sending to %1…"_s.arg(m_current.modelName));
    m_tabs->setCurrentIndex(0);
    setBusy(true);

    m_callClock.start();
    m_call = m_session->client()->send(request);
    connect(m_call, &MessageCall::textReceived, this, &PromptPanel::appendText);
    connect(m_call, &MessageCall::attemptStarted, this, &PromptPanel::noteAttemptStarted);
    connect(m_call, &MessageCall::retryScheduled, this, &PromptPanel::noteRetryScheduled);
    connect(m_call, &MessageCall::finished, this, &PromptPanel::takeCall);
}

void PromptPanel::appendText(const QString &text)
{
    if (m_answer->document()->isEmpty())
        m_callStatus->setText(u"Streaming from %1…"_s.arg(m_current.modelName));
    m_answer->moveCursor(QTextCursor::End);
    m_answer->insertPlainText(text);
}

void PromptPanel::noteAttemptStarted(int attempt)
{
    AttemptSpan span;
    span.attempt = attempt;
    span.startMs = m_callClock.elapsed();
    span.endMs = span.startMs;
    m_current.attempts.append(span);
    if (attempt > 1)
        m_callStatus->setText(u"Attempt %1…"_s.arg(attempt));
}

void PromptPanel::noteRetryScheduled(int attempt, qint64 waitMs, const ApiError &error)
{
    if (!m_current.attempts.isEmpty()) {
        AttemptSpan &span = m_current.attempts.last();
        span.endMs = m_callClock.elapsed();
        span.outcome = AttemptSpan::Outcome::Failed;
        span.label = errorTextFor(error);
    }
    m_callStatus->setText(u"Attempt %1 failed (%2); retrying in %3 ms…"_s.arg(attempt)
                              .arg(errorTextFor(error))
                              .arg(waitMs));
}

void PromptPanel::takeCall()
{
    MessageCall *call = m_call;
    m_call = nullptr;
    const qint64 endMs = m_callClock.elapsed();
    m_current.record = call->record();
    m_current.timeToFirstTokenMs = call->timeToFirstTokenMs();
    if (Expected<ModelPrice> price = m_session->prices().lookup(m_current.record.model))
        m_current.price = *price;
    if (!m_current.attempts.isEmpty()
        && m_current.attempts.last().outcome == AttemptSpan::Outcome::Running) {
        AttemptSpan &last = m_current.attempts.last();
        last.endMs = endMs;
        if (!call->error()) {
            last.outcome = AttemptSpan::Outcome::Succeeded;
            last.label = m_current.record.finishReason;
        } else {
            const bool cancelled = call->error()->kind == ApiError::Kind::Cancelled;
            last.outcome =
                cancelled ? AttemptSpan::Outcome::Cancelled : AttemptSpan::Outcome::Failed;
            last.label = errorTextFor(*call->error());
        }
    }
    if (m_answer->document()->isEmpty())
        m_answer->setPlainText(call->response().text());

    const QString cost = m_current.price
                             ? u"$"_s + QString::number(m_current.record.costUsd, 'f', 6)
                             : u"not priced"_s;
    if (const std::optional<ApiError> &error = call->error()) {
        m_current.error = ErrorExplanation::of(*error, call->attempts(), m_session->backend());
        if (error->kind == ApiError::Kind::Cancelled) {
            m_callStatus->setText(
                u"Cancelled after %1 ms (%2 billed)."_s.arg(m_current.record.latencyMs).arg(cost));
        } else {
            m_callStatus->setText(u"Failed after %1 attempt(s)."_s.arg(call->attempts()));
            showError(m_current.error->what, m_current.error->tryThis);
        }
    } else {
        m_callStatus->setText(u"Answered by %1 in %2 ms for %3."_s.arg(m_current.modelName)
                                  .arg(m_current.record.latencyMs)
                                  .arg(cost));
    }
    // The client reports a record it could not log just before the call finishes.
    m_current.logFailure = std::exchange(m_logFailure, QString());
    const bool errorShown = call->error() && call->error()->kind != ApiError::Kind::Cancelled;
    if (!m_current.logFailure.isEmpty() && !errorShown)
        showLogFailure(m_current.logFailure);
    call->deleteLater();
    addCard(m_current);
    setBusy(false);
    Q_EMIT callFinished(m_current.record);
}

void PromptPanel::noteLogWriteFailed(const QString &message)
{
    // A call of the panel's own shows it with its card; a test run's calls show it at once.
    if (m_call)
        m_logFailure = message;
    else
        showLogFailure(message);
}

void PromptPanel::showLogFailure(const QString &message)
{
    showError(u"This call is not in the call log: "_s + message,
              u"Its answer, tokens and cost are shown here all the same. Free some space or make "
              u"the file writable, and the next call is logged as usual."_s);
}

void PromptPanel::addCard(const FinishedCall &call)
{
    auto *card = new CallCard(call);
    // Two cards side by side fit at 1440 pixels, so the latest call can be compared with one.
    card->setFixedWidth(std::max(340, card->minimumSizeHint().width()));
    m_historyLayout->insertWidget(0, card);
}

void PromptPanel::showError(const QString &what, const QString &tryThis)
{
    applyBannerColours();
    m_errorBanner->setText(u"<b>%1</b><br>%2"_s.arg(what.toHtmlEscaped(), tryThis.toHtmlEscaped()));
    m_errorBanner->show();
}

void PromptPanel::applyBannerColours()
{
    QPalette palette = this->palette();
    const bool dark = Theme::isDark();
    palette.setColor(QPalette::Window, dark ? QColor(0x4a, 0x24, 0x24) : QColor(0xfd, 0xe8, 0xe6));
    palette.setColor(QPalette::WindowText,
                     dark ? QColor(0xff, 0xd8, 0xd4) : QColor(0x6b, 0x12, 0x0c));
    m_errorBanner->setPalette(palette);
}

void PromptPanel::changeEvent(QEvent *event)
{
    // The banner's colours are set by hand, so they follow a theme switch by hand too.
    if (event->type() == QEvent::PaletteChange && m_errorBanner)
        applyBannerColours();
    QWidget::changeEvent(event);
}

void PromptPanel::clearError()
{
    m_errorBanner->hide();
    m_errorBanner->clear();
}

void PromptPanel::cancel()
{
    if (m_afterIndexing != AfterIndexing::Nothing) {
        m_afterIndexing = AfterIndexing::Nothing;
        m_callStatus->setText(u"Cancelled before sending."_s);
        setBusy(false);
    } else if (m_call) {
        m_call->cancel();
    } else if (m_run) {
        m_run->cancel();
    } else if (m_busy) {
        m_callStatus->setText(u"Cancelled before sending."_s);
        setBusy(false);
    }
}

void PromptPanel::runTestQueries()
{
    if (m_busy)
        return;
    clearError();
    QueryRunOptions options;
    options.model = selectedModel().isEmpty() ? defaultModel : selectedModel();
    options.systemPrompt = m_systemPrompt->toPlainText();
    options.cache = CacheTtl(m_caching->currentData().toInt());
    options.topK = m_topK->value();
    options.stream = m_streaming->isChecked();
    options.maxTokens = m_maxTokens->value();
    options.feature =
        m_feature->text().trimmed().isEmpty() ? u"rag_answer"_s : m_feature->text().trimmed();
    options.userId =
        m_userId->text().trimmed().isEmpty() ? u"anonymous"_s : m_userId->text().trimmed();

    if (m_ragEnabled->isChecked() && !m_retriever) {
        if (!m_indexPending) {
            showError(u"Retrieval is on, but the corpus could not be indexed."_s,
                      u"Choose another folder, use the bundled corpus, or turn retrieval off."_s);
            return;
        }
        m_afterIndexing = AfterIndexing::Run;
        setBusy(true);
        return;
    }

    if (m_run)
        m_run->deleteLater();
    const QStringList queries = QueryRun::builtInQueries();
    m_run = new QueryRun(m_session, this);
    m_run->setQueries(queries);
    m_run->setOptions(options);
    if (m_ragEnabled->isChecked())
        m_run->setRetriever(m_retriever);
    if (selectedModel().isEmpty() && m_router)
        m_run->setRouter(std::make_shared<const ModelRouter>(*m_router));
    m_runView->follow(m_run, int(queries.size()));
    connect(m_run, &QueryRun::finished, this, &PromptPanel::takeRun);
    m_tabs->setCurrentWidget(m_runView);
    setBusy(true);
    m_run->start();
}

void PromptPanel::takeRun()
{
    setBusy(false);
}

void PromptPanel::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    m_sendAction->setEnabled(!busy);
    m_runAction->setEnabled(!busy);
    m_cancelAction->setEnabled(busy);
    m_sendButton->setEnabled(!busy);
    m_runButton->setEnabled(!busy);
    m_cancelButton->setEnabled(busy);
    Q_EMIT busyChanged(busy);
}
