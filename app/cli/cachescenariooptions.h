#pragma once

#include "clicommand.h"

#include "economics/cacheeconomics.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <variant>

// The options that describe a prompt-caching scenario, shared by cache-calc and report cache so
// that both read the same command line into the same scenario. With none given they describe
// the classic support-desk case: 1,000 calls a day, one every 90 seconds, a 500-token prompt at
// $0.30 in and $0.03 read, a five-minute cache.
class CacheScenarioOptions
{
public:
    CacheScenarioOptions();

    // Adds the options, --prices among them.
    void addTo(QCommandLineParser &parser) const;

    // The scenario on the parsed command line, or the exit status after printing why there is
    // none (a bad number, an unknown model or arrival pattern).
    std::variant<CacheScenario, ExitStatus> read(const QCommandLineParser &parser) const;

    static QString defaultsDescription();

private:
    QCommandLineOption m_calls;
    QCommandLineOption m_tokens;
    QCommandLineOption m_model;
    QCommandLineOption m_inputPrice;
    QCommandLineOption m_readPrice;
    QCommandLineOption m_writePrice;
    QCommandLineOption m_ttl;
    QCommandLineOption m_interval;
    QCommandLineOption m_arrivals;
};
