#pragma once

#include "client/messagerequest.h"
#include "common/expected.h"
#include "retry/retrypolicy.h"

#include <QString>
#include <QUrl>

// Where and how the client talks to the Messages API.
struct ClientConfig
{
    QUrl baseUrl = QUrl(QStringLiteral("https://api.anthropic.com"));
    QString apiKey; // never logged, never written anywhere
    ApiVersion version = ApiVersion::Version2023;
    // An attempt fails with a timeout when no bytes arrive for this long: before the headers
    // (a slow server) or between two pieces of a stream (a stalled one).
    int transferTimeoutMs = 600'000;
    RetryPolicy retry;

    // ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY, read as the official SDKs read them (trimmed;
    // empty counts as unset), over the defaults above.
    static ClientConfig fromEnvironment();

    // The URL of an endpoint under the base: a base with a path ("http://host/proxy") keeps it.
    QUrl endpoint(QStringView path) const;

    // Refuses a configuration that would leak the key: plain http to a host other than this
    // machine. Also refuses a base URL that is not http or https.
    Expected<void> checkTransport() const;

    // Whether the base URL names this machine (localhost or a loopback address).
    bool pointsToThisMachine() const;
};
