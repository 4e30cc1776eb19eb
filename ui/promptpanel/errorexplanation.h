#pragma once

#include "client/apierror.h"
#include "session/callsession.h"

#include <QString>

// A failed call in plain words for the Prompt panel: what happened and what to try next. Built
// from the error the call ended with, how many attempts it made, and who answered, because
// "no key" means something else for the simulator than for the real API.
struct ErrorExplanation
{
    QString what;    // "Rate limited: the API answered 429 to all 5 attempts."
    QString tryThis; // "Wait a minute and send again, or ..."
    QString details; // ApiError::describe(), for the curious and for support requests

    static ErrorExplanation of(const ApiError &error, int attempts, Backend backend);
};
