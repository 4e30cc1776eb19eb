#pragma once

#include <QString>

// Writes the simulated answer from the prompt alone, deterministically, so that demos read
// sensibly: it names the question's key terms and quotes the two sentences from the system
// prompt or the user's passages that share the most key terms with the question. The question
// is the last sentence of the final user turn that ends in '?', or else its last line.
class AnswerWriter
{
public:
    static QString write(const QString &systemText, const QString &lastUserText,
                         const QString &modelName);
};
