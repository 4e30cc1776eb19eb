#pragma once

#include "common/expected.h"
#include "router/routedecision.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

// The rules ModelRouter applies, as data: which model serves each tier, when a query counts as
// long, which words mark code, which phrases mark a high-stakes request, and the most an Opus
// call may be estimated to cost. They ship as resources/router.json; a user file of the same
// shape replaces them whole. Parsing fails with a message naming the file and the field.
struct RouterRules
{
    QString haikuModel;
    QString sonnetModel;
    QString opusModel;
    int wordThreshold = 1;         // a query of at least this many words goes to Sonnet
    QStringList codeKeywords;      // one or more words each; matched as whole words
    QStringList highStakesPhrases; // matched anywhere, ignoring case and runs of whitespace
    double costGuardUsd = 0;       // an Opus estimate above this is refused
    int defaultMaxTokens = 1;      // output tokens assumed when the caller gives none
    QString origin;                // where the rules were read from, for error messages

    // The rules that ship with Opsbench (resources/router.json).
    static RouterRules builtIn();

    // Parses a rules file; every field is required. `origin` names the input in errors.
    static Expected<RouterRules> fromJson(const QByteArray &json, const QString &origin);
    static Expected<RouterRules> fromFile(const QString &path);

    // The built-in rules, or those in `overridePath` when it is not empty.
    static Expected<RouterRules> load(const QString &overridePath);

    // The rules in the shape fromJson reads, so that edited rules can be saved.
    QByteArray toJson() const;

    // Checks the values a file or an editor may get wrong: an empty model id or keyword, a
    // threshold or max_tokens below 1, a negative guard.
    Expected<void> validate() const;

    QString model(RouteTier tier) const;
    void setModel(RouteTier tier, const QString &model);

    // Two rules are equal when they route alike; where they came from does not matter.
    friend bool operator==(const RouterRules &a, const RouterRules &b);
};
