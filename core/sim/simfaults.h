#pragma once

#include <QMetaType>

// Faults the simulator injects into /v1/messages (never into count_tokens or /v1/models), to
// show retries and broken streams on demand. Rates are probabilities drawn from the seeded
// per-request random source, so a seed replays the same faults.
struct SimFaults
{
    enum class StallPoint { BeforeHeaders, AfterHeaders };

    // The next failFirst requests fail with failStatus (counted from setFaults()).
    int failFirst = 0;
    int failStatus = 429;
    // Any other request fails with errorStatus at this rate.
    double errorRate = 0;
    int errorStatus = 529;
    // On injected errors: a retry-after header in seconds (0 = none), and optionally the
    // retry-after-ms header with the same wait.
    double retryAfterSeconds = 0;
    bool retryAfterMs = false;
    // Send retry-after as an HTTP date (now + the wait, rounded up to whole seconds) instead.
    bool retryAfterAsDate = false;

    // A 200 stream that ends with `event: error` (overloaded_error) after some deltas.
    double midStreamErrorRate = 0;
    int midStreamErrorAfterDeltas = 2;
    // Nothing is sent for stallMs, either before anything or after the headers; then the
    // answer continues normally (if the client is still there).
    double stallRate = 0;
    StallPoint stallAt = StallPoint::BeforeHeaders;
    int stallMs = 30'000;
    // The connection is reset (TCP RST) halfway through the body.
    double resetRate = 0;
    // The connection is closed cleanly before the end: a stream loses message_delta and
    // message_stop, a JSON body its second half.
    double truncateRate = 0;
    // The body is not JSON although its content type says it is, as when a proxy answers
    // with a page of its own: sent with notJsonStatus, 200 in place of the answer or an error
    // status in place of the API's error envelope.
    double notJsonRate = 0;
    int notJsonStatus = 200;
};

Q_DECLARE_METATYPE(SimFaults)
