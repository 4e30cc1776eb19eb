#pragma once

#include "calllog/callrecord.h"
#include "errorexplanation.h"
#include "pricing/pricebook.h"
#include "rag/retriever.h"
#include "retrytimeline.h"
#include "router/routedecision.h"

#include <QFrame>

#include <optional>

class QVBoxLayout;

// Everything the Prompt panel knows about one finished call.
struct FinishedCall
{
    int number = 0;                  // 1-based, in the order the panel sent them
    QString question;                // the user message
    QString modelName;               // the display name of the model that answered
    CallRecord record;               // what the client logged, or tried to
    QString logFailure;              // why the record is not in the log; empty when it is
    std::optional<ModelPrice> price; // absent when the model has no price
    std::optional<qint64> timeToFirstTokenMs;
    QList<AttemptSpan> attempts;
    std::optional<RouteDecision> route;
    QList<RetrievedPassage> passages;
    std::optional<ErrorExplanation> error;
};

// A card that explains one call: what each kind of token cost at the model's prices and how
// that adds up to the logged cost, how long it took, how it ended, its attempts (with a
// timeline when there were retries), the router's reason and the documents retrieved.
// Read-only; it copies what it shows.
class CallCard : public QFrame
{
    Q_OBJECT

public:
    explicit CallCard(const FinishedCall &call, QWidget *parent = nullptr);

    const FinishedCall &call() const { return m_call; }

private:
    void addCostTable(QVBoxLayout *layout);
    void addAttempts(QVBoxLayout *layout);
    void addRetrieval(QVBoxLayout *layout);

    FinishedCall m_call;
};
