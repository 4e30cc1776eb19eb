#pragma once

#include "appsettings.h"

#include <QDialog>

class ApiKeyStore;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

// Where calls go and how: the API key (kept in the system keychain, shown masked), the base URL
// and API version, the default model, the log file and whether prompts go into it, a price
// file, and the retry parameters.
// Key changes take effect at once through the store; the rest when the dialog is accepted,
// after which settings() holds what the user chose.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(const AppSettings &settings, ApiKeyStore *keys, QWidget *parent = nullptr);

    AppSettings settings() const;

Q_SIGNALS:
    // The key changed (stored, removed, or set for the session): the backend may change.
    void keyChanged();

private:
    void updateKeyStatus();
    void storeKey();
    void useKeyForSession();
    void removeKey();
    void updateLogPromptsNote();
    QLineEdit *fileField(const QString &caption, const QString &filter, bool forSaving);

    ApiKeyStore *m_keys;
    QLabel *m_keyStatus;
    QLineEdit *m_newKey;
    QPushButton *m_storeKey;
    QPushButton *m_sessionKey;
    QPushButton *m_removeKey;
    QLineEdit *m_baseUrl;
    QComboBox *m_version;
    QComboBox *m_model;
    QLineEdit *m_logPath = nullptr;
    QLineEdit *m_pricesPath = nullptr;
    QCheckBox *m_logPrompts;
    QLabel *m_logPromptsNote;
    QSpinBox *m_maxAttempts;
    QDoubleSpinBox *m_baseDelay;
    QDoubleSpinBox *m_maxDelay;
    QSpinBox *m_timeout;
};
