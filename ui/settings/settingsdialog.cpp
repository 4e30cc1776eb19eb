#include "settingsdialog.h"

#include "credentials/apikeystore.h"
#include "sim/simmodelcatalogue.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

SettingsDialog::SettingsDialog(const AppSettings &settings, ApiKeyStore *keys, QWidget *parent)
    : QDialog(parent)
    , m_keys(keys)
    , m_keyStatus(new QLabel)
    , m_newKey(new QLineEdit)
    , m_storeKey(new QPushButton(u"Save in keychain"_s))
    , m_sessionKey(new QPushButton(u"Use for this session only"_s))
    , m_removeKey(new QPushButton(u"Remove"_s))
    , m_baseUrl(new QLineEdit(settings.baseUrl))
    , m_version(new QComboBox)
    , m_model(new QComboBox)
    , m_logPrompts(new QCheckBox)
    , m_logPromptsNote(new QLabel)
    , m_maxAttempts(new QSpinBox)
    , m_baseDelay(new QDoubleSpinBox)
    , m_maxDelay(new QDoubleSpinBox)
    , m_timeout(new QSpinBox)
{
    setWindowTitle(u"Settings"_s);

    auto *keyBox = new QGroupBox(u"API key"_s);
    auto *keyLayout = new QVBoxLayout(keyBox);
    m_keyStatus->setWordWrap(true);
    m_keyStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_newKey->setEchoMode(QLineEdit::Password);
    m_newKey->setPlaceholderText(u"Paste a new key (sk-ant-…)"_s);
    m_newKey->setAccessibleName(u"New API key"_s);
    auto *keyButtons = new QHBoxLayout;
    keyButtons->addWidget(m_storeKey);
    keyButtons->addWidget(m_sessionKey);
    keyButtons->addStretch();
    keyButtons->addWidget(m_removeKey);
    keyLayout->addWidget(m_keyStatus);
    keyLayout->addWidget(m_newKey);
    keyLayout->addLayout(keyButtons);
    connect(m_storeKey, &QPushButton::clicked, this, &SettingsDialog::storeKey);
    connect(m_sessionKey, &QPushButton::clicked, this, &SettingsDialog::useKeyForSession);
    connect(m_removeKey, &QPushButton::clicked, this, &SettingsDialog::removeKey);
    connect(m_keys, &ApiKeyStore::finished, this, &SettingsDialog::updateKeyStatus);
    connect(m_newKey, &QLineEdit::textChanged, this, &SettingsDialog::updateKeyStatus);

    auto *backendBox = new QGroupBox(u"Where calls go"_s);
    auto *backendForm = new QFormLayout(backendBox);
    m_baseUrl->setPlaceholderText(u"Automatic: the API with a key, else the built-in simulator"_s);
    m_baseUrl->setClearButtonEnabled(true);
    m_version->addItem(u"2023-06-01 (x-api-key; accepts temperature)"_s,
                       int(ApiVersion::Version2023));
    m_version->addItem(u"2026-10-21 (Authorization: Bearer)"_s, int(ApiVersion::Version2026));
    m_version->setCurrentIndex(settings.version == ApiVersion::Version2026 ? 1 : 0);
    backendForm->addRow(u"Base URL"_s, m_baseUrl);
    backendForm->addRow(u"API version"_s, m_version);

    auto *callsBox = new QGroupBox(u"Calls"_s);
    auto *callsForm = new QFormLayout(callsBox);
    m_model->setEditable(true);
    for (const SimModel &model : SimModelCatalogue::builtIn().models())
        m_model->addItem(model.id);
    m_model->setCurrentText(settings.defaultModel);
    callsForm->addRow(u"Default model"_s, m_model);
    QLineEdit *log = fileField(u"Call log"_s, u"Call logs (*.jsonl);;All files (*)"_s, true);
    log->setText(settings.logPath);
    log->setPlaceholderText(AppSettings::defaultLogPath());
    callsForm->addRow(u"Log file"_s, log->parentWidget());
    QLineEdit *prices = fileField(u"Price file"_s, u"Price files (*.json)"_s, false);
    prices->setText(settings.pricesPath);
    prices->setPlaceholderText(u"Built-in prices"_s);
    callsForm->addRow(u"Prices override"_s, prices->parentWidget());
    m_logPath = log;
    m_pricesPath = prices;
    m_logPrompts->setText(u"Also write each prompt and answer into the log"_s);
    m_logPrompts->setChecked(settings.logPrompts);
    m_logPromptsNote->setWordWrap(true);
    auto *logPrompts = new QWidget;
    auto *logPromptsLayout = new QVBoxLayout(logPrompts);
    logPromptsLayout->setContentsMargins(0, 0, 0, 0);
    logPromptsLayout->addWidget(m_logPrompts);
    logPromptsLayout->addWidget(m_logPromptsNote);
    callsForm->addRow(u"Prompts"_s, logPrompts);
    connect(log, &QLineEdit::textChanged, this, &SettingsDialog::updateLogPromptsNote);
    updateLogPromptsNote();

    auto *retryBox = new QGroupBox(u"Retries"_s);
    auto *retryForm = new QFormLayout(retryBox);
    m_maxAttempts->setRange(1, 20);
    m_maxAttempts->setValue(settings.maxAttempts);
    m_baseDelay->setRange(0.01, 60);
    m_baseDelay->setSuffix(u" s"_s);
    m_baseDelay->setValue(settings.baseDelaySeconds);
    m_maxDelay->setRange(0.1, 600);
    m_maxDelay->setSuffix(u" s"_s);
    m_maxDelay->setValue(settings.maxDelaySeconds);
    m_timeout->setRange(1, 3600);
    m_timeout->setSuffix(u" s"_s);
    m_timeout->setValue(settings.timeoutSeconds);
    retryForm->addRow(u"Attempts in all"_s, m_maxAttempts);
    retryForm->addRow(u"First wait"_s, m_baseDelay);
    retryForm->addRow(u"Longest wait"_s, m_maxDelay);
    retryForm->addRow(u"Give up after silence of"_s, m_timeout);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(keyBox);
    layout->addWidget(backendBox);
    layout->addWidget(callsBox);
    layout->addWidget(retryBox);
    layout->addStretch();
    layout->addWidget(buttons);
    setMinimumWidth(560);
    updateKeyStatus();
}

AppSettings SettingsDialog::settings() const
{
    AppSettings chosen;
    chosen.baseUrl = m_baseUrl->text().trimmed();
    chosen.version = ApiVersion(m_version->currentData().toInt());
    chosen.defaultModel = m_model->currentText().trimmed();
    chosen.logPath = m_logPath->text().trimmed();
    chosen.pricesPath = m_pricesPath->text().trimmed();
    chosen.logPrompts = m_logPrompts->isChecked();
    chosen.maxAttempts = m_maxAttempts->value();
    chosen.baseDelaySeconds = m_baseDelay->value();
    chosen.maxDelaySeconds = m_maxDelay->value();
    chosen.timeoutSeconds = m_timeout->value();
    return chosen;
}

void SettingsDialog::updateKeyStatus()
{
    QString status;
    switch (m_keys->source()) {
    case ApiKeyStore::Source::Keychain:
        status = u"Stored in the system keychain: %1"_s.arg(ApiKeyStore::masked(m_keys->key()));
        break;
    case ApiKeyStore::Source::Session:
        status =
            u"Set for this session only (not stored): %1"_s.arg(ApiKeyStore::masked(m_keys->key()));
        break;
    case ApiKeyStore::Source::Environment:
        status = u"From ANTHROPIC_API_KEY: %1"_s.arg(ApiKeyStore::masked(m_keys->key()));
        break;
    case ApiKeyStore::Source::None:
        status = u"No key: calls go to the built-in simulator."_s;
        break;
    }
    if (!m_keys->errorString().isEmpty())
        status += u"\n"_s + m_keys->errorString();
    m_keyStatus->setText(status);

    const bool idle = !m_keys->isBusy();
    const bool typed = !m_newKey->text().trimmed().isEmpty();
    m_storeKey->setEnabled(idle && typed && m_keys->keychainAvailable());
    m_sessionKey->setEnabled(idle && typed);
    m_removeKey->setEnabled(idle
                            && (m_keys->source() == ApiKeyStore::Source::Keychain
                                || m_keys->source() == ApiKeyStore::Source::Session));
}

void SettingsDialog::storeKey()
{
    const QString key = m_newKey->text();
    m_newKey->clear();
    connect(m_keys, &ApiKeyStore::finished, this, &SettingsDialog::keyChanged,
            Qt::SingleShotConnection);
    m_keys->store(key);
}

void SettingsDialog::useKeyForSession()
{
    m_keys->setSessionKey(m_newKey->text());
    m_newKey->clear();
    updateKeyStatus();
    Q_EMIT keyChanged();
}

void SettingsDialog::removeKey()
{
    m_keys->setSessionKey(QString());
    connect(m_keys, &ApiKeyStore::finished, this, &SettingsDialog::keyChanged,
            Qt::SingleShotConnection);
    m_keys->erase();
}

void SettingsDialog::updateLogPromptsNote()
{
    const QString path = m_logPath->text().trimmed();
    const QString shown = path.isEmpty() ? AppSettings::defaultLogPath() : path;
    m_logPromptsNote->setText(u"Off, the log holds token counts and a hash of the system prompt "
                              "only. On, prompts and answers go into %1, and anyone who can read "
                              "that file can read them."_s.arg(shown));
}

QLineEdit *SettingsDialog::fileField(const QString &caption, const QString &filter, bool forSaving)
{
    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *field = new QLineEdit;
    field->setClearButtonEnabled(true);
    auto *browse = new QToolButton;
    browse->setText(u"Browse…"_s);
    layout->addWidget(field, 1);
    layout->addWidget(browse);
    connect(browse, &QToolButton::clicked, this, [this, field, caption, filter, forSaving] {
        const QString chosen =
            forSaving ? QFileDialog::getSaveFileName(this, caption, field->text(), filter, nullptr,
                                                     QFileDialog::DontConfirmOverwrite)
                      : QFileDialog::getOpenFileName(this, caption, field->text(), filter);
        if (!chosen.isEmpty())
            field->setText(chosen);
    });
    return field;
}
