#include "logpanel.h"

#include "logchartdata.h"
#include "logcharts.h"
#include "logtablemodel.h"
#include "logviewfigures.h"

#include "calllog/logindexloader.h"
#include "common/logging.h"
#include "common/processmemory.h"

#include <QAction>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMenu>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTabWidget>
#include <QTimeZone>
#include <QToolButton>
#include <QVBoxLayout>

#include <numeric>
#include <optional>
#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int maxRecentFiles = 8;
const auto recentFilesKey = "logPanel/recentFiles"_L1;
// A line longer than this is shown cut, not pretty-printed: no call is nearly that long.
constexpr qint64 maxDetailBytes = 4 * 1024 * 1024;

enum Tile { Calls, Cost, MeanLatency, Percentiles, CacheHits, Errors, TileCount };

QString money(double usd)
{
    return u"$"_s + QLocale().toString(usd, 'f', std::abs(usd) >= 100 ? 2 : 6);
}

QString milliseconds(double ms)
{
    return QLocale().toString(ms, 'f', 0);
}

QString percent(double share)
{
    return QLocale().toString(share * 100, 'f', 1) + u" %"_s;
}

// RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled.
QString csvField(const QString &text)
{
    if (!text.contains(u',') && !text.contains(u'"') && !text.contains(u'\n')
        && !text.contains(u'\r')) {
        return text;
    }
    return u'"' + QString(text).replace(u"\""_s, u"\"\""_s) + u'"';
}

Expected<void> writeCsv(const QString &path, const LogIndex &index, const LogViewRows &rows)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(u"Cannot write %1: %2."_s.arg(path, file.errorString()));
    const auto writeRow = [&file](const QStringList &fields) {
        file.write(fields.join(u',').toUtf8() + "\r\n");
    };
    QStringList fields;
    for (int column = 0; column < int(LogColumn::Count); ++column)
        fields.append(csvField(LogTableModel::columnTitle(LogColumn(column))));
    writeRow(fields);
    for (qsizetype row = 0; row < rows.size(); ++row) {
        fields.clear();
        for (int column = 0; column < int(LogColumn::Count); ++column)
            fields.append(csvField(LogTableModel::text(index, rows[row], LogColumn(column))));
        writeRow(fields);
    }
    if (!file.commit())
        return fail(u"Cannot write %1: %2."_s.arg(path, file.errorString()));
    return {};
}

// Valid JSON laid out one member a line, keys in the order the writer put them (QJsonDocument
// would sort them), four spaces a level.
QByteArray indentJson(QByteArrayView json)
{
    QByteArray out;
    out.reserve(json.size() * 2);
    int depth = 0;
    bool inString = false;
    const auto newline = [&out, &depth] { out += '\n' + QByteArray(depth * 4, ' '); };
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            out += c;
            if (c == '\\' && i + 1 < json.size())
                out += json[++i];
            else if (c == '"')
                inString = false;
            continue;
        }
        switch (c) {
        case '"':
            inString = true;
            out += c;
            break;
        case '{':
        case '[': {
            out += c;
            qsizetype next = i + 1;
            while (next < json.size() && QChar::isSpace(uchar(json[next])))
                ++next;
            if (next < json.size() && (json[next] == '}' || json[next] == ']')) {
                out += json[next]; // an empty object or array stays on its line
                i = next;
                break;
            }
            ++depth;
            newline();
            break;
        }
        case '}':
        case ']':
            --depth;
            newline();
            out += c;
            break;
        case ',':
            out += c;
            newline();
            break;
        case ':':
            out += ": ";
            break;
        case ' ':
        case '\t':
        case '\r':
        case '\n':
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace

struct LogPanel::ViewResult
{
    LogQuery::Result query;
    LogChartData charts;
    // Set when the figures can take in more calls; `indexRows` calls of the index were seen.
    std::optional<LogViewFigures> figures;
    qsizetype indexRows = 0;
};

struct LogPanel::ViewBasis
{
    LogViewFigures figures;
    qsizetype indexRows = 0;
    std::size_t viewRows = 0; // the first this many table rows are the view it gave
    bool viewIsFileOrder = false;
    LogFilter filter;
    LogColumn sortColumn = LogColumn::Time;
    Qt::SortOrder sortOrder = Qt::AscendingOrder;
    int indexEpoch = 0;
};

LogPanel::LogPanel(const PriceBook &prices, QWidget *parent)
    : QWidget(parent)
    , m_index(std::make_unique<LogIndex>())
    , m_loader(new LogIndexLoader(prices, this))
    , m_model(new LogTableModel(this))
{
    setAcceptDrops(true);
    m_pool.setMaxThreadCount(2);
    // Indexing a large log makes and drops buffers of megabytes by the hundred; kept in the C
    // library's pools they would stay resident as long as the process runs. Below 4 MiB they
    // stay pooled all the same: every 4 MiB part of the file makes and drops a block of calls
    // being written (about 1 MiB), which with pages of its own had each page faulted in and
    // cleared, and every unmapping interrupted the other core; a million-call log indexed about a
    // fifth faster from the pools, for about one byte a call more resident after the load.
    ProcessMemory::mapLargeBlocksOnTheirOwn(4 * 1024 * 1024);
    createActions();

    m_table = new QTableView;
    m_table->setObjectName(u"logTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    // Fixed row heights, so a million rows cost nothing to lay out.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(int(m_sortColumn), m_sortOrder);
    header->setStretchLastSection(true);
    const QList<int> widths{170, 200, 100, 100, 80, 80, 90, 90, 100, 100, 100};
    for (int column = 0; column < widths.size(); ++column)
        header->resizeSection(column, widths[column]);
    connect(header, &QHeaderView::sortIndicatorChanged, this,
            [this](int column, Qt::SortOrder order) { sortBy(LogColumn(column), order); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_selectedIndexRow = m_model->indexRow(current.row());
                showDetail(m_selectedIndexRow);
            });

    m_charts = new LogCharts;
    connect(m_charts, &LogCharts::modelClicked, this, [this](const QString &model) {
        LogFilter filter = m_filter;
        filter.model = model;
        setFilter(filter);
    });
    connect(m_charts, &LogCharts::featureClicked, this, [this](const QString &feature) {
        LogFilter filter = m_filter;
        filter.feature = feature;
        setFilter(filter);
    });
    connect(m_charts, &LogCharts::timeClicked, this, [this](qint64 ms) {
        selectFirst([ms](const IndexedCall &call) { return call.timestampMs >= ms; });
    });
    connect(m_charts, &LogCharts::latencyBinClicked, this, [this](double from, double to) {
        selectFirst([from, to](const IndexedCall &call) {
            return call.latencyMs >= from && call.latencyMs < to;
        });
    });

    auto *bottom = new QSplitter(Qt::Horizontal);
    bottom->addWidget(m_charts);
    bottom->addWidget(createSidePane());
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_table);
    split->addWidget(bottom);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createHeader());
    layout->addWidget(createFilterBar());
    layout->addWidget(createTiles());
    layout->addWidget(split, 1);

    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(0);
    connect(&m_batchTimer, &QTimer::timeout, this, &LogPanel::takeBatches);
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(150);
    connect(&m_refreshTimer, &QTimer::timeout, this, &LogPanel::startQuery);
    m_searchDelay.setSingleShot(true);
    m_searchDelay.setInterval(250);
    connect(&m_searchDelay, &QTimer::timeout, this, &LogPanel::readFilterBar);

    connect(m_loader, &LogIndexLoader::indexedSoFar, this, &LogPanel::onIndexedSoFar);
    connect(m_loader, &LogIndexLoader::batchReady, this, &LogPanel::onBatch);
    connect(m_loader, &LogIndexLoader::caughtUp, this, &LogPanel::onCaughtUp);
    connect(m_loader, &LogIndexLoader::restarted, this, &LogPanel::onRestarted);
    connect(m_loader, &LogIndexLoader::fileRemoved, this, [this] {
        showMessage(u"%1 was removed; waiting for it to come back."_s.arg(m_path), true);
    });
    connect(m_loader, &LogIndexLoader::readFailed, this,
            [this](const QString &message) { showMessage(message, true); });

    rebuildRecentMenu();
    showMessage(u"Open a call log (llm_calls.jsonl), or drop one here."_s, false);
    startQuery();
}

LogPanel::~LogPanel()
{
    if (m_cancel)
        *m_cancel = true;
    m_pool.waitForDone();
}

void LogPanel::createActions()
{
    m_openAction = new QAction(u"&Open Log…"_s, this);
    m_openAction->setShortcut(QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, this, &LogPanel::chooseFile);
    m_recentMenu = new QMenu(u"Open &Recent Log"_s, this);
    m_exportCsvAction = new QAction(u"Export Calls as &CSV…"_s, this);
    connect(m_exportCsvAction, &QAction::triggered, this, &LogPanel::chooseCsvFile);
    m_exportChartAction = new QAction(u"Export Chart as &PNG…"_s, this);
    connect(m_exportChartAction, &QAction::triggered, this, &LogPanel::chooseChartFile);
}

QList<QAction *> LogPanel::fileActions() const
{
    return {m_openAction, m_recentMenu->menuAction(), m_exportCsvAction, m_exportChartAction};
}

QWidget *LogPanel::createHeader()
{
    auto *bar = new QWidget;
    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *open = new QToolButton;
    open->setDefaultAction(m_openAction);
    open->setMenu(m_recentMenu);
    open->setPopupMode(QToolButton::MenuButtonPopup);
    open->setToolButtonStyle(Qt::ToolButtonTextOnly);
    layout->addWidget(open);
    m_pathLabel = new QLabel;
    m_pathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_pathLabel->font();
    bold.setBold(true);
    m_pathLabel->setFont(bold);
    layout->addWidget(m_pathLabel);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(220);
    m_progress->setFormat(u"%p% indexed"_s);
    m_progress->hide();
    layout->addWidget(m_progress);
    m_messageLabel = new QLabel;
    m_messageLabel->setObjectName(u"logMessage"_s);
    m_messageLabel->setWordWrap(true);
    layout->addWidget(m_messageLabel, 1);
    m_searchEdit = new QLineEdit;
    m_searchEdit->setPlaceholderText(u"Search request id, model, feature, user"_s);
    m_searchEdit->setClearButtonEnabled(true);
    m_searchEdit->setMinimumWidth(320);
    connect(m_searchEdit, &QLineEdit::textEdited, &m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_searchEdit, &QLineEdit::returnPressed, this, &LogPanel::readFilterBar);
    layout->addWidget(m_searchEdit);
    return bar;
}

QWidget *LogPanel::createFilterBar()
{
    auto *bar = new QWidget;
    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    const auto box = [this, layout](const QString &all) {
        auto *combo = new QComboBox;
        combo->addItem(all);
        combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        connect(combo, &QComboBox::activated, this, &LogPanel::readFilterBar);
        layout->addWidget(combo);
        return combo;
    };
    m_modelBox = box(u"All models"_s);
    m_featureBox = box(u"All features"_s);
    m_userBox = box(u"All users"_s);
    m_finishBox = box(u"All finish reasons"_s);

    m_timeBox = new QCheckBox(u"Between"_s);
    m_fromEdit = new QDateTimeEdit;
    m_toEdit = new QDateTimeEdit;
    for (QDateTimeEdit *edit : {m_fromEdit, m_toEdit}) {
        edit->setTimeSpec(Qt::UTC);
        edit->setDisplayFormat(u"yyyy-MM-dd HH:mm:ss"_s);
        edit->setCalendarPopup(true);
        edit->setEnabled(false);
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, &LogPanel::readFilterBar);
    }
    connect(m_timeBox, &QCheckBox::toggled, this, [this](bool on) {
        m_fromEdit->setEnabled(on);
        m_toEdit->setEnabled(on);
        readFilterBar();
    });
    layout->addSpacing(8);
    layout->addWidget(m_timeBox);
    layout->addWidget(m_fromEdit);
    layout->addWidget(new QLabel(u"and"_s));
    layout->addWidget(m_toEdit);
    layout->addSpacing(8);

    layout->addStretch(1);
    auto *clear = new QToolButton;
    clear->setText(u"Clear filters"_s);
    connect(clear, &QToolButton::clicked, this, [this] { setFilter(LogFilter()); });
    layout->addWidget(clear);
    return bar;
}

QWidget *LogPanel::createTiles()
{
    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    const QStringList titles{u"Calls"_s,          u"Total cost"_s,
                             u"Mean latency"_s,   u"Latency p50 / p95 / p99"_s,
                             u"Cache hit rate"_s, u"Error rate"_s};
    for (const QString &title : titles) {
        auto *tile = new QFrame;
        tile->setFrameShape(QFrame::StyledPanel);
        auto *tileLayout = new QVBoxLayout(tile);
        tileLayout->setContentsMargins(10, 6, 10, 6);
        tileLayout->setSpacing(1);
        auto *caption = new QLabel(title);
        QFont small = caption->font();
        small.setPointSizeF(small.pointSizeF() * 0.9);
        caption->setFont(small);
        caption->setForegroundRole(QPalette::PlaceholderText);
        auto *value = new QLabel(u"–"_s);
        QFont big = value->font();
        big.setPointSizeF(big.pointSizeF() * 1.45);
        big.setBold(true);
        value->setFont(big);
        auto *note = new QLabel;
        note->setFont(small);
        note->setForegroundRole(QPalette::PlaceholderText);
        tileLayout->addWidget(caption);
        tileLayout->addWidget(value);
        tileLayout->addWidget(note);
        layout->addWidget(tile, title.startsWith(u"Latency p"_s) ? 2 : 1);
        m_tileValues.append(value);
        m_tileNotes.append(note);
    }
    return row;
}

QWidget *LogPanel::createSidePane()
{
    m_sideTabs = new QTabWidget;

    auto *details = new QWidget;
    auto *detailLayout = new QVBoxLayout(details);
    detailLayout->setContentsMargins(4, 4, 4, 4);
    m_detailHeading = new QLabel(u"Select a call to see its line."_s);
    m_detailHeading->setWordWrap(true);
    m_detail = new QPlainTextEdit;
    m_detail->setObjectName(u"logDetail"_s);
    m_detail->setReadOnly(true);
    m_detail->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    detailLayout->addWidget(m_detailHeading);
    detailLayout->addWidget(m_detail, 1);
    m_sideTabs->addTab(details, u"Call"_s);

    auto *problems = new QWidget;
    auto *problemLayout = new QVBoxLayout(problems);
    problemLayout->setContentsMargins(4, 4, 4, 4);
    m_tailLabel = new QLabel;
    m_tailLabel->setObjectName(u"logTail"_s);
    m_tailLabel->setWordWrap(true);
    m_malformedList = new QListWidget;
    m_malformedList->setObjectName(u"logMalformed"_s);
    problemLayout->addWidget(m_tailLabel);
    problemLayout->addWidget(m_malformedList, 1);
    m_sideTabs->addTab(problems, u"Malformed lines"_s);
    showTail();
    return m_sideTabs;
}

bool LogPanel::openLog(const QString &path)
{
    return open(path, false);
}

void LogPanel::followLog(const QString &path)
{
    open(path, true);
}

bool LogPanel::open(const QString &path, bool waitForFile)
{
    const QFileInfo info(path);
    if (!info.exists() && !waitForFile) {
        showMessage(u"%1 does not exist."_s.arg(path), true);
        return false;
    }
    if (info.isDir()) {
        showMessage(u"%1 is a folder; choose a call log file (llm_calls.jsonl)."_s.arg(path), true);
        return false;
    }
    if (info.exists()) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            showMessage(u"Cannot read %1: %2."_s.arg(path, file.errorString()), true);
            return false;
        }
    }

    m_path = path;
    m_pathLabel->setText(info.fileName());
    m_pathLabel->setToolTip(info.absoluteFilePath());
    resetIndex();
    m_caughtUp = false;
    m_loadTimer.start();
    m_progress->setValue(0);
    m_progress->show();
    showMessage(info.exists() ? u"Reading %1…"_s.arg(path)
                              : u"Waiting for %1 to be created."_s.arg(path),
                false);
    m_loader->start(path);
    rememberRecent(info.absoluteFilePath());
    Q_EMIT logOpened(path);
    return true;
}

void LogPanel::resetIndex()
{
    m_pendingIndex = {}; // lines of the file as it was
    m_pendingBatches.clear();
    m_caughtUpPending = false;
    m_batchTimer.stop();
    m_index = std::make_unique<LogIndex>();
    ++m_indexEpoch;
    m_model->setRows(m_index.get(), {});
    m_selectedIndexRow = -1;
    m_malformedList->clear();
    m_detail->clear();
    m_detailHeading->setText(u"Select a call to see its line."_s);
    showTail();
    startQuery();
}

void LogPanel::showMessage(const QString &text, bool isError)
{
    m_messageLabel->setText(text);
    // An empty palette follows the window's, light or dark; the error red reads on both.
    QPalette palette;
    if (isError)
        palette.setColor(QPalette::WindowText, QColor(0xd6, 0x3c, 0x3c));
    m_messageLabel->setPalette(palette);
}

QString LogPanel::message() const
{
    return m_messageLabel->text();
}

void LogPanel::rememberRecent(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(recentFilesKey).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    settings.setValue(recentFilesKey, recent.mid(0, maxRecentFiles));
    rebuildRecentMenu();
}

void LogPanel::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(recentFilesKey).toStringList();
    for (const QString &path : recent) {
        QAction *action = m_recentMenu->addAction(path);
        connect(action, &QAction::triggered, this, [this, path] { openLog(path); });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void LogPanel::chooseFile()
{
    const QString path =
        QFileDialog::getOpenFileName(this, u"Open Call Log"_s, QFileInfo(m_path).absolutePath(),
                                     u"Call logs (*.jsonl *.json *.log);;All files (*)"_s);
    if (!path.isEmpty())
        openLog(path);
}

void LogPanel::chooseCsvFile()
{
    const QString path = QFileDialog::getSaveFileName(this, u"Export Calls as CSV"_s,
                                                      u"calls.csv"_s, u"CSV (*.csv)"_s);
    if (path.isEmpty())
        return;
    // A snapshot: the worker reads it while this thread goes on appending to the index.
    auto snapshot = std::make_shared<LogIndex>(*m_index);
    auto rows = std::make_shared<LogViewRows>(m_model->rows());
    showMessage(u"Writing %1…"_s.arg(path), false);
    m_pool.start([this, snapshot, rows, path] {
        const Expected<void> written = writeCsv(path, *snapshot, *rows);
        const QString text =
            written ? u"Wrote %1 calls to %2."_s.arg(rows->size()).arg(path) : written.error();
        QMetaObject::invokeMethod(
            this, [this, text, ok = written.hasValue()] { showMessage(text, !ok); });
    });
}

Expected<void> LogPanel::exportCsv(const QString &path) const
{
    return writeCsv(path, *m_index, m_model->rows());
}

void LogPanel::chooseChartFile()
{
    const QString path = QFileDialog::getSaveFileName(this, u"Export Chart as PNG"_s,
                                                      u"chart.png"_s, u"PNG images (*.png)"_s);
    if (path.isEmpty())
        return;
    const Expected<void> written = exportChart(path);
    showMessage(written ? u"Wrote the chart to %1."_s.arg(path) : written.error(), !written);
}

Expected<void> LogPanel::exportChart(const QString &path) const
{
    m_charts->followTheme();
    if (!m_charts->currentView()->grab().save(path, "PNG"))
        return fail(u"Cannot write the chart to %1."_s.arg(path));
    return {};
}

void LogPanel::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void LogPanel::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() != 1 || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    openLog(urls.first().toLocalFile());
}

void LogPanel::onIndexedSoFar(const std::shared_ptr<const LogIndex> &index, qint64 fileSize)
{
    // Only the latest matters: each holds all the one before held.
    m_pendingIndex = {index, fileSize};
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void LogPanel::onBatch(const std::shared_ptr<const LogIndex> &batch, qint64 fileSize)
{
    m_pendingBatches.push_back({batch, fileSize});
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void LogPanel::onCaughtUp()
{
    // The batches before it may still wait in the queue.
    m_caughtUpPending = true;
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void LogPanel::takeBatches()
{
    // On a busy machine batches pile up while this thread waits for a processor; taking them
    // a slice at a time lets the window paint and answer in between.
    constexpr qint64 budgetMs = 15;
    QElapsedTimer budget;
    budget.start();
    const qsizetype before = m_index->size();
    const qsizetype malformedBefore = m_index->malformedLines().size();
    qint64 fileSize = 0;
    if (m_pendingIndex.batch) {
        // The same calls as before and more after them, in blocks shared with the loader.
        *m_index = *m_pendingIndex.batch;
        fileSize = m_pendingIndex.fileSize;
        m_pendingIndex = {};
    }
    while (!m_pendingBatches.empty() && budget.elapsed() < budgetMs) {
        m_index->append(*m_pendingBatches.front().batch);
        fileSize = m_pendingBatches.front().fileSize;
        m_pendingBatches.pop_front();
    }

    // In file order with nothing filtered, new calls go straight to the end of the table; the
    // query that follows only confirms it (or reorders, if a call came out of time order).
    if (m_model->rows().isFileOrder() && showsFileOrder() && m_index->size() > before) {
        std::vector<quint32> added(std::size_t(m_index->size() - before));
        std::iota(added.begin(), added.end(), quint32(before));
        m_model->appendRows(added);
    }
    for (qsizetype i = malformedBefore; i < m_index->malformedLines().size(); ++i) {
        const MalformedLine &line = m_index->malformedLines()[i];
        m_malformedList->addItem(u"Line %1: %2"_s.arg(line.number).arg(line.reason));
    }
    if (!m_caughtUp && fileSize > 0)
        m_progress->setValue(int(std::min<qint64>(1000, m_index->endOffset() * 1000 / fileSize)));
    showTail();
    if (fileSize > 0)
        scheduleRefresh();

    if (!m_pendingBatches.empty())
        m_batchTimer.start();
    else if (std::exchange(m_caughtUpPending, false))
        finishLoading();
}

void LogPanel::finishLoading()
{
    m_caughtUp = true;
    m_progress->hide();
    const QLocale locale;
    showMessage(u"%1 calls, %2 malformed lines; read in %3 ms. Following new lines."_s
                    .arg(locale.toString(qint64(m_index->size())))
                    .arg(locale.toString(m_index->malformedCount()))
                    .arg(locale.toString(m_loadTimer.elapsed())),
                false);
    qCDebug(lcLog) << "indexed" << m_index->size() << "calls of" << m_path << "in"
                   << m_loadTimer.elapsed() << "ms," << m_index->memoryBytes() << "bytes";
    m_giveBackMemory = true;
    startQuery();
    Q_EMIT loaded();
}

void LogPanel::onRestarted(const QString &reason)
{
    showMessage(u"Reading %1 again: %2."_s.arg(m_path, reason), false);
    m_caughtUp = false;
    m_loadTimer.start();
    m_progress->setValue(0);
    m_progress->show();
    resetIndex();
}

void LogPanel::showTail()
{
    if (m_index->hasIncompleteTail()) {
        m_tailLabel->setText(
            u"Waiting for the rest of the last line (%1 bytes so far, no line break yet)."_s.arg(
                m_index->incompleteTailBytes()));
    } else if (m_index->malformedCount() == 0) {
        m_tailLabel->setText(u"Every line is a call."_s);
    } else {
        m_tailLabel->setText(u"%1 lines are not calls; they are left out of every figure."_s.arg(
            QLocale().toString(m_index->malformedCount())));
    }
    m_sideTabs->setTabText(1, m_index->malformedCount() > 0
                                  ? u"Malformed lines (%1)"_s.arg(m_index->malformedCount())
                                  : u"Malformed lines"_s);
}

void LogPanel::setFilter(const LogFilter &filter)
{
    const auto select = [](QComboBox *box, const QString &name) {
        const int at = name.isEmpty() ? 0 : box->findText(name, Qt::MatchExactly);
        if (at > 0) {
            box->setCurrentIndex(at);
        } else if (!name.isEmpty()) {
            box->addItem(name);
            box->setCurrentIndex(box->count() - 1);
        } else {
            box->setCurrentIndex(0);
        }
    };
    select(m_modelBox, filter.model);
    select(m_featureBox, filter.feature);
    select(m_userBox, filter.user);
    select(m_finishBox, filter.finishReason);
    const bool timed = filter.fromMs != LogFilter().fromMs || filter.toMs != LogFilter().toMs;
    {
        const QSignalBlocker blockTime(m_timeBox);
        const QSignalBlocker blockFrom(m_fromEdit);
        const QSignalBlocker blockTo(m_toEdit);
        m_timeBox->setChecked(timed);
        m_fromEdit->setEnabled(timed);
        m_toEdit->setEnabled(timed);
        if (timed) {
            m_fromEdit->setDateTime(
                QDateTime::fromMSecsSinceEpoch(filter.fromMs, QTimeZone::utc()));
            m_toEdit->setDateTime(QDateTime::fromMSecsSinceEpoch(filter.toMs, QTimeZone::utc()));
        }
    }
    m_searchEdit->setText(filter.text);
    m_filter = filter;
    startQuery();
}

void LogPanel::readFilterBar()
{
    LogFilter filter;
    const auto name = [](QComboBox *box) {
        return box->currentIndex() > 0 ? box->currentText() : QString();
    };
    filter.model = name(m_modelBox);
    filter.feature = name(m_featureBox);
    filter.user = name(m_userBox);
    filter.finishReason = name(m_finishBox);
    if (m_timeBox->isChecked()) {
        filter.fromMs = m_fromEdit->dateTime().toMSecsSinceEpoch();
        // The edits show whole seconds; the end is inclusive to the last millisecond.
        filter.toMs = m_toEdit->dateTime().toMSecsSinceEpoch() + 999;
    }
    filter.text = m_searchEdit->text().trimmed();
    if (filter == m_filter)
        return;
    m_filter = filter;
    startQuery();
}

void LogPanel::sortBy(LogColumn column, Qt::SortOrder order)
{
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    QHeaderView *header = m_table->horizontalHeader();
    if (header->sortIndicatorSection() != int(column) || header->sortIndicatorOrder() != order) {
        const QSignalBlocker blocker(header);
        header->setSortIndicator(int(column), order);
    }
    startQuery();
}

void LogPanel::scheduleRefresh()
{
    if (m_queryRunning) {
        m_refreshPending = true;
        return;
    }
    // While a big log is read, a view of a part of it soon goes stale: leave the worker the
    // processor time rather than add up what is about to change. A log that is followed is
    // shown again soon after it grows, but at most a third of the time goes to working out
    // views, however large the log.
    if (!m_refreshTimer.isActive())
        m_refreshTimer.start(m_caughtUp ? int(std::clamp<qint64>(2 * m_lastQueryMs, 150, 1000))
                                        : 1000);
}

void LogPanel::startQuery()
{
    // A newer question makes the running answer useless.
    if (m_cancel)
        *m_cancel = true;
    m_refreshTimer.stop();
    m_refreshPending = false;
    m_queryRunning = true;
    m_queryTimer.start();
    const int generation = ++m_viewGeneration;
    auto cancel = std::make_shared<std::atomic_bool>(false);
    m_cancel = cancel;
    auto query =
        std::make_shared<const LogQuery>(*m_index, m_path, m_filter, m_sortColumn, m_sortOrder);
    const int buckets = std::max(400, m_charts->width());

    // The same view of a log that only grew is extended rather than worked out again: for a log
    // being followed that is the difference between a few thousand calls and a million.
    std::shared_ptr<const ViewBasis> basis = m_viewBasis;
    if (basis
        && (basis->indexEpoch != m_indexEpoch || basis->filter != m_filter
            || basis->sortColumn != m_sortColumn || basis->sortOrder != m_sortOrder
            || basis->figures.timeBuckets() != buckets || basis->indexRows > m_index->size()
            || qsizetype(basis->viewRows) > m_model->rows().size())) {
        basis.reset();
    }
    std::vector<quint32> shown;
    if (basis && !basis->viewIsFileOrder)
        shown = m_model->rows().list(qsizetype(basis->viewRows));

    m_pool.start([this, query, cancel, generation, buckets, basis,
                  shown = std::move(shown)]() mutable {
        std::shared_ptr<ViewResult> result =
            workOutView(*query, basis.get(), std::move(shown), buckets, *cancel);
        if (!result)
            return;
        QMetaObject::invokeMethod(this,
                                  [this, generation, result] { applyView(generation, result); });
    });
}

std::shared_ptr<LogPanel::ViewResult> LogPanel::workOutView(const LogQuery &query,
                                                            const ViewBasis *basis,
                                                            std::vector<quint32> shown, int buckets,
                                                            const std::atomic_bool &cancelled)
{
    auto result = std::make_shared<ViewResult>();
    result->indexRows = query.records().size();
    std::vector<quint32> &rows = result->query.rows;
    LogViewSummary &summary = result->query.summary;

    if (basis) {
        std::vector<quint32> added = query.filtered(cancelled, basis->indexRows);
        if (cancelled)
            return nullptr;
        LogViewFigures figures = basis->figures;
        figures.add(query.records(), added);
        if (figures.extendable()) {
            summary = figures.summary();
            result->charts = figures.charts(summary);
            if (basis->viewIsFileOrder) {
                shown.resize(basis->viewRows);
                std::iota(shown.begin(), shown.end(), 0u);
            }
            rows = query.merged(std::move(shown), std::move(added));
            result->figures = std::move(figures);
            return result;
        }
    }

    rows = query.filtered(cancelled);
    if (cancelled)
        return nullptr;
    // Summed and charted in file order, which is time order in a log, before sorting.
    LogViewFigures figures(query.errorId(), buckets);
    figures.add(query.records(), rows);
    if (figures.extendable()) {
        summary = figures.summary();
        result->charts = figures.charts(summary);
        result->figures = std::move(figures);
    } else {
        summary = LogQuery::summarize(query.records(), rows, query.errorId());
        result->charts = LogChartData::compute(query.records(), rows, summary, buckets);
    }
    if (cancelled)
        return nullptr;
    query.sort(rows);
    if (cancelled)
        return nullptr;
    return result;
}

void LogPanel::applyView(int generation, const std::shared_ptr<ViewResult> &result)
{
    if (generation != m_viewGeneration)
        return;
    m_queryRunning = false;
    m_lastQueryMs = m_queryTimer.elapsed();
    qCDebug(lcLog) << "view of" << result->indexRows << "calls worked out in" << m_lastQueryMs
                   << "ms," << (result->figures ? "extendable" : "not extendable");
    std::vector<quint32> &rows = result->query.rows;
    const std::size_t viewRows = rows.size();

    // Rows only added at the end keep the table's scroll position and selection. In file
    // order the table may already show calls this answer has not seen: they stay.
    const LogViewRows &shown = m_model->rows();
    const bool tableIsAhead = showsFileOrder() && shown.isFileOrder()
                              && LogViewRows::isCounting(rows, 0)
                              && qsizetype(rows.size()) <= shown.size();
    const bool onlyAdded = shown.isPrefixOf(rows);
    if (onlyAdded && !tableIsAhead) {
        m_model->appendRows(
            std::vector<quint32>(rows.begin() + std::ptrdiff_t(shown.size()), rows.end()));
    } else if (!tableIsAhead) {
        const qint64 selected = m_selectedIndexRow;
        m_model->setRows(m_index.get(), std::move(rows));
        const int row = selected >= 0 ? m_model->viewRow(quint32(selected)) : -1;
        if (row >= 0)
            selectRow(row);
        else
            m_selectedIndexRow = -1;
    }
    if (result->figures) {
        m_viewBasis = std::make_shared<const ViewBasis>(
            ViewBasis{*result->figures, result->indexRows, viewRows, m_model->rows().isFileOrder(),
                      m_filter, m_sortColumn, m_sortOrder, m_indexEpoch});
    } else {
        m_viewBasis.reset();
    }

    m_summary = result->query.summary;
    showTiles();
    const auto names = [](const NameTable &table) {
        return QStringList(table.names().begin(), table.names().end());
    };
    m_charts->setData(result->charts, names(m_index->models()), names(m_index->features()));
    fillNameBox(m_modelBox, m_index->models(), u"All models"_s);
    fillNameBox(m_featureBox, m_index->features(), u"All features"_s);
    fillNameBox(m_userBox, m_index->users(), u"All users"_s);
    fillNameBox(m_finishBox, m_index->finishReasons(), u"All finish reasons"_s);
    if (m_caughtUp && !m_timeBox->isChecked() && m_index->size() > 0) {
        const QSignalBlocker blockFrom(m_fromEdit);
        const QSignalBlocker blockTo(m_toEdit);
        const auto time = [](qint64 ms) {
            return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
        };
        m_fromEdit->setDateTime(time(m_index->at(0).timestampMs));
        m_toEdit->setDateTime(time(m_index->at(m_index->size() - 1).timestampMs));
    }
    Q_EMIT viewUpdated();

    // The parts of the file were indexed on other threads and copied into the index, and the
    // views of the load were dropped; what they were freed from would otherwise stay resident
    // for as long as the app runs.
    if (m_caughtUp && std::exchange(m_giveBackMemory, false))
        m_pool.start([] { ProcessMemory::giveBackFreedMemory(); });

    if (m_refreshPending)
        scheduleRefresh();
}

bool LogPanel::showsFileOrder() const
{
    return m_filter.isEmpty() && m_sortColumn == LogColumn::Time
           && m_sortOrder == Qt::AscendingOrder;
}

void LogPanel::fillNameBox(QComboBox *box, const NameTable &names, const QString &all)
{
    if (box->count() == names.size() + 1 && box->itemText(0) == all)
        return;
    QStringList sorted(names.names().begin(), names.names().end());
    std::sort(sorted.begin(), sorted.end(), [](const QString &a, const QString &b) {
        return QString::compare(a, b, Qt::CaseInsensitive) < 0;
    });
    const QString current = box->currentIndex() > 0 ? box->currentText() : QString();
    const QSignalBlocker blocker(box);
    box->clear();
    box->addItem(all);
    box->addItems(sorted);
    const int at = current.isEmpty() ? 0 : box->findText(current, Qt::MatchExactly);
    if (at < 0 && !current.isEmpty()) {
        box->addItem(current);
        box->setCurrentIndex(box->count() - 1);
    } else {
        box->setCurrentIndex(std::max(0, at));
    }
}

void LogPanel::showTiles()
{
    const QLocale locale;
    const LogViewSummary &s = m_summary;
    const bool empty = s.calls == 0;
    const QString none = u"–"_s;
    const QString scope = m_filter.isEmpty() ? u"all calls"_s : u"calls in view"_s;
    m_tileValues[Calls]->setText(locale.toString(s.calls));
    m_tileNotes[Calls]->setText(
        u"of %1 in the log"_s.arg(locale.toString(qint64(m_index->size()))));
    m_tileValues[Cost]->setText(empty ? none : money(s.costUsd));
    m_tileNotes[Cost]->setText(scope);
    m_tileValues[MeanLatency]->setText(empty ? none : milliseconds(s.meanLatencyMs) + u" ms"_s);
    m_tileNotes[MeanLatency]->setText(scope);
    m_tileValues[Percentiles]->setText(
        empty ? none
              : u"%1 / %2 / %3 ms"_s.arg(milliseconds(s.p50LatencyMs), milliseconds(s.p95LatencyMs),
                                         milliseconds(s.p99LatencyMs)));
    m_tileNotes[Percentiles]->setText(u"nearest rank, n = %1"_s.arg(locale.toString(s.calls)));
    m_tileValues[CacheHits]->setText(empty ? none : percent(s.cacheHitRate));
    m_tileNotes[CacheHits]->setText(u"of prompt tokens read from cache"_s);
    m_tileValues[Errors]->setText(empty ? none : percent(s.errorRate()));
    m_tileNotes[Errors]->setText(u"%1 calls ended in error"_s.arg(locale.toString(s.errors)));
}

void LogPanel::selectRow(int row)
{
    if (row < 0 || row >= m_model->rowCount())
        return;
    const QModelIndex index = m_model->index(row, 0);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect
                                                          | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

void LogPanel::selectFirst(const std::function<bool(const IndexedCall &)> &wanted)
{
    const LogViewRows &rows = m_model->rows();
    for (qsizetype row = 0; row < rows.size(); ++row) {
        if (wanted(m_index->at(rows[row]))) {
            selectRow(int(row));
            return;
        }
    }
}

void LogPanel::showDetail(qint64 indexRow)
{
    if (indexRow < 0 || indexRow >= m_index->size()) {
        m_detail->clear();
        m_detailHeading->setText(u"Select a call to see its line."_s);
        return;
    }
    const IndexedCall call = m_index->at(indexRow);
    QFile file(m_path);
    QByteArray line;
    if (file.open(QIODevice::ReadOnly) && file.seek(call.offset))
        line = file.readLine(maxDetailBytes);
    if (line.isEmpty()) {
        m_detailHeading->setText(u"Cannot read line %1 of %2: %3."_s.arg(
            QString::number(m_index->lineNumber(indexRow)), m_path, file.errorString()));
        m_detail->clear();
        return;
    }

    const QJsonDocument json = QJsonDocument::fromJson(line);
    m_detailHeading->setText(u"Line %1 of %2, byte %3"_s.arg(
        QLocale().toString(m_index->lineNumber(indexRow)), QFileInfo(m_path).fileName(),
        QLocale().toString(call.offset)));
    QString detail = QString::fromUtf8(json.isObject() ? indentJson(line) : line.trimmed());
    // Written only when the user chose to log them; shown as text, unescaped, to be read.
    for (const auto key : {"prompt"_L1, "answer"_L1}) {
        const QJsonValue text = json.object().value(key);
        if (text.isString())
            detail += u"\n\n%1:\n%2"_s.arg(key == "prompt"_L1 ? u"Prompt"_s : u"Answer"_s,
                                           text.toString());
    }
    m_detail->setPlainText(detail);
}

QString LogPanel::detailText() const
{
    return m_detail->toPlainText();
}
