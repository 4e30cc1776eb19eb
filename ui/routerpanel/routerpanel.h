#pragma once

#include "router/modelrouter.h"
#include "router/routerreplay.h"
#include "session/queryrun.h"

#include <QPointer>
#include <QWidget>

#include <memory>
#include <optional>

class CallSession;
class KeywordHighlighter;
class QBarSeries;
class QChart;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;
class QThread;

// The Router panel: which model the router picks, and what picking costs. A live preview routes
// the query being typed (nothing is sent) and shows the tier, the word count against the
// threshold, the matched keywords highlighted in the text, the matched phrase, the guard's
// verdict and the estimate on every tier. The test set sends its queries through the session
// with the router's choice and compares the total with sending everything to Sonnet; the replay
// prices the session's log again under the current rules and on each single tier. The rules are
// editable, saved to QSettings ("router/rules", as RouterRules::toJson) and resettable.
//
// The session must outlive the panel. Invalid rules are not applied: the panel says why and
// keeps routing with the last valid ones.
class RouterPanel : public QWidget
{
    Q_OBJECT

public:
    explicit RouterPanel(CallSession *session, QWidget *parent = nullptr);
    ~RouterPanel() override;

    // The six queries the test set starts with.
    static QStringList classicQueries();

    const RouterRules &rules() const { return m_router->rules(); }
    // Applies and saves `rules`, and shows them in the editor; fails, saying why, when they
    // are invalid or a model has no price.
    Expected<void> setRules(const RouterRules &rules);
    void resetRules();

    // The decision for the query in the editor, as shown.
    const RouteDecision &preview() const { return m_preview; }

    QStringList testQueries() const;
    // Sends the test set; testSetFinished() follows. Totals are in USD.
    void runTestSet();
    double testSetTotalUsd() const { return m_testTotalUsd; }
    // Shows a test set sent elsewhere (a classroom scenario): each query with the model it got
    // and its cost, and the routed total against `allSonnetUsd`, as if the panel had sent it.
    void showTestSet(const QList<QueryOutcome> &outcomes, double routedUsd, double allSonnetUsd);
    double testSetAllSonnetUsd() const { return m_testAllSonnetUsd; }

    // Prices the session's log again, in a worker thread; replayFinished() follows.
    void replayLog();
    const std::optional<RouterReplay> &replay() const { return m_replay; }

Q_SIGNALS:
    void previewChanged();
    void testSetFinished();
    void replayFinished();

protected:
    void changeEvent(QEvent *event) override;

private:
    QWidget *buildPreview();
    QWidget *buildRules();
    QWidget *buildTestSet();
    QWidget *buildReplay();
    void updatePreview();
    void showRules();
    void applyEditedRules();
    void takeOutcome(int index);
    void showOutcome(int row, const QueryOutcome &outcome);
    void finishTestSet();
    void showTotals(int sent);
    void showBars(QChart *chart, const QStringList &names, const QList<double> &values);
    void applyChartThemes();

    CallSession *m_session;
    std::shared_ptr<const ModelRouter> m_router;
    RouteDecision m_preview;
    // The query m_preview is for; none after the rules change. Highlighting the text emits
    // textChanged too, and must not route it again.
    std::optional<QString> m_previewedQuery;

    QPlainTextEdit *m_query = nullptr;
    KeywordHighlighter *m_highlighter = nullptr;
    QLabel *m_decision = nullptr;
    QTableWidget *m_tierCosts = nullptr;

    QLineEdit *m_models[3] = {};
    QSpinBox *m_threshold = nullptr;
    QLineEdit *m_keywords = nullptr;
    QLineEdit *m_phrases = nullptr;
    QDoubleSpinBox *m_guard = nullptr;
    QSpinBox *m_maxTokens = nullptr;
    QLabel *m_rulesStatus = nullptr;

    QTableWidget *m_testSet = nullptr;
    QLabel *m_testTotalLabel = nullptr;
    QChart *m_testChart = nullptr;
    QPointer<QueryRun> m_run;
    double m_testTotalUsd = 0;
    double m_testAllSonnetUsd = 0;

    QLabel *m_replayStatus = nullptr;
    QChart *m_replayChart = nullptr;
    std::optional<RouterReplay> m_replay;
    QThread *m_thread = nullptr;
};
