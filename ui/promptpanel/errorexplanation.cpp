#include "errorexplanation.h"

using namespace Qt::Literals::StringLiterals;

namespace {

QString retriedText(int attempts)
{
    if (attempts <= 1)
        return u"It was not retried."_s;
    const int retries = attempts - 1;
    return u"Opsbench retried %1 %2 with growing waits and gave up."_s.arg(retries).arg(
        retries == 1 ? u"time"_s : u"times"_s);
}

QString keyAdvice(Backend backend)
{
    return backend == Backend::Simulator
               ? u"The simulator accepts any key, so check the base URL in Settings."_s
               : u"Check the API key, or set a key in Settings."_s;
}

} // namespace

ErrorExplanation ErrorExplanation::of(const ApiError &error, int attempts, Backend backend)
{
    ErrorExplanation explanation;
    explanation.details = error.describe();
    const int status = error.httpStatus;
    const QString retried = retriedText(attempts);

    if (error.kind == ApiError::Kind::Cancelled) {
        explanation.what = u"Cancelled: the call was stopped before it finished."_s;
        explanation.tryThis = u"Any text that had arrived is kept above. Send again when ready."_s;
    } else if (error.kind == ApiError::Kind::Configuration) {
        explanation.what = u"Not sent: "_s + error.message;
        explanation.tryThis = u"Change the request or the settings it names, then send again."_s;
    } else if (status == 401 || status == 403) {
        explanation.what =
            u"The API refused the credentials (HTTP %1, %2)."_s.arg(status).arg(error.type);
        explanation.tryThis = keyAdvice(backend);
    } else if (status == 429) {
        explanation.what = u"Rate limited (HTTP 429). "_s + retried;
        explanation.tryThis = u"Wait a minute and send again, send fewer calls at once, or raise "
                              "the number of attempts in Settings."_s;
    } else if (status == 529 || status >= 500) {
        explanation.what =
            u"The service was overloaded or failing (HTTP %1). "_s.arg(status) + retried;
        explanation.tryThis = u"This clears by itself: wait a little and send again."_s;
    } else if (status == 404) {
        explanation.what = u"Unknown model or endpoint (HTTP 404): "_s + error.message;
        explanation.tryThis = u"Pick another model; retired models are no longer served."_s;
    } else if (status >= 400) {
        explanation.what = u"The API rejected the request (HTTP %1, %2): %3"_s.arg(status).arg(
            error.type, error.message);
        explanation.tryThis = u"Fix what the message names (the prompt, max tokens, the model) "
                              "and send again."_s;
    } else if (error.kind == ApiError::Kind::Timeout) {
        explanation.what = u"No answer arrived in time. "_s + retried;
        explanation.tryThis = u"Send again, or raise the timeout in Settings."_s;
    } else if (error.kind == ApiError::Kind::Connection) {
        explanation.what = u"Could not reach the API: "_s + error.message + u". "_s + retried;
        explanation.tryThis = u"Check the network and the base URL in Settings."_s;
    } else if (error.kind == ApiError::Kind::Stream) {
        explanation.what = u"The answer broke off with an error (%1) after it had begun; a "
                           "started answer is not retried."_s.arg(error.type);
        explanation.tryThis = u"The partial answer is kept above. Send again."_s;
    } else {
        explanation.what = u"The answer could not be read: "_s + error.message;
        explanation.tryThis = u"Send again; if it persists, check the base URL in Settings."_s;
    }
    return explanation;
}
