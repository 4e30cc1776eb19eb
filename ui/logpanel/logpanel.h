#pragma once

#include "calllog/logindex.h"
#include "calllog/logquery.h"
#include "common/expected.h"
#include "pricing/pricebook.h"

#include <QElapsedTimer>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <atomic>
#include <deque>
#include <memory>

class LogCharts;
class LogIndexLoader;
class LogTableModel;
class QAction;
class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QListWidget;
class QMenu;
class QPlainTextEdit;
class QProgressBar;
class QTableView;
class QTabWidget;

// The Log panel: a live view of one call log (llm_calls.jsonl) of any size. The log is indexed
// on a worker thread (LogIndexLoader), shown in a sortable, filterable table with summary tiles
// and charts for the calls in view, the selected call's JSON read back from the file, and the
// lines that were not calls. The file is followed: appended lines show up within a second, and
// a truncated or replaced file is read again.
//
// Sorting, filtering, the tiles and the charts are computed off the GUI thread (LogQuery) and
// swapped in when ready. Problems with a file (missing, a folder, unreadable) are shown in the
// panel in words that name it; nothing pops up. The panel owns everything it shows; the window
// puts fileActions() in its File menu.
class LogPanel : public QWidget
{
    Q_OBJECT

public:
    explicit LogPanel(const PriceBook &prices, QWidget *parent = nullptr);
    ~LogPanel() override;

    // Shows and follows the log at `path`. A missing, unreadable or folder path leaves the
    // current log in place, says why in the panel and returns false.
    bool openLog(const QString &path);
    // Like openLog(), but a file that does not exist yet is waited for: the app's own log.
    void followLog(const QString &path);
    QString logPath() const { return m_path; }

    // Open…, the recent files, export as CSV, export the chart: for the window's File menu.
    QList<QAction *> fileActions() const;
    QAction *openAction() const { return m_openAction; }
    QMenu *recentMenu() const { return m_recentMenu; }
    QAction *exportCsvAction() const { return m_exportCsvAction; }
    QAction *exportChartAction() const { return m_exportChartAction; }

    // Writes the calls in view, in view order, as CSV (RFC 4180), on the calling thread.
    Expected<void> exportCsv(const QString &path) const;
    // Writes the chart in front as PNG.
    Expected<void> exportChart(const QString &path) const;

    void setFilter(const LogFilter &filter);
    LogFilter filter() const { return m_filter; }
    void sortBy(LogColumn column, Qt::SortOrder order);

    // What is shown, for the window's status bar and for tests.
    const LogIndex &index() const { return *m_index; }
    LogTableModel *model() const { return m_model; }
    const LogViewSummary &summary() const { return m_summary; }
    bool isLoading() const { return !m_caughtUp; }
    QString message() const;
    QString detailText() const;
    // Selects view row `row` and shows its call in the detail pane.
    void selectRow(int row);

Q_SIGNALS:
    void logOpened(const QString &path);
    // The rows, tiles and charts now reflect the index and the filter.
    void viewUpdated();
    // Everything the file held when it was opened is indexed.
    void loaded();

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    struct ViewResult;
    struct ViewBasis;

    QWidget *createHeader();
    QWidget *createFilterBar();
    QWidget *createTiles();
    QWidget *createSidePane();
    void createActions();

    bool open(const QString &path, bool waitForFile);
    void showMessage(const QString &text, bool isError);
    void rememberRecent(const QString &path);
    void rebuildRecentMenu();
    void chooseFile();
    void chooseCsvFile();
    void chooseChartFile();

    void onIndexedSoFar(const std::shared_ptr<const LogIndex> &index, qint64 fileSize);
    void onBatch(const std::shared_ptr<const LogIndex> &batch, qint64 fileSize);
    void onCaughtUp();
    void takeBatches();
    void finishLoading();
    void onRestarted(const QString &reason);
    void resetIndex();

    void readFilterBar();
    void fillNameBox(QComboBox *box, const NameTable &names, const QString &all);
    // Whether the view is every call in file order, so new calls can go straight to its end.
    bool showsFileOrder() const;
    void scheduleRefresh();
    void startQuery();
    // On a worker: the view `query` asks for, extending `basis` (if given) with the calls it
    // has not seen, `shown` being its rows in view order (empty when they are in file order).
    // Null when cancelled on the way.
    static std::shared_ptr<ViewResult> workOutView(const LogQuery &query, const ViewBasis *basis,
                                                   std::vector<quint32> shown, int buckets,
                                                   const std::atomic_bool &cancelled);
    void applyView(int generation, const std::shared_ptr<ViewResult> &result);
    void showTiles();
    void showTail();
    void showDetail(qint64 indexRow);
    void selectFirst(const std::function<bool(const IndexedCall &)> &wanted);

    QString m_path;
    std::unique_ptr<LogIndex> m_index;
    LogIndexLoader *m_loader;
    LogTableModel *m_model;
    bool m_caughtUp = true;
    struct PendingBatch
    {
        std::shared_ptr<const LogIndex> batch;
        qint64 fileSize = 0;
    };
    PendingBatch m_pendingIndex; // the latest index of the file so far, not yet m_index
    std::deque<PendingBatch> m_pendingBatches; // received, not yet in m_index
    bool m_caughtUpPending = false;
    bool m_giveBackMemory = false; // once the view of the whole file is shown
    QTimer m_batchTimer;
    QElapsedTimer m_loadTimer;

    LogFilter m_filter;
    LogColumn m_sortColumn = LogColumn::Time;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    LogViewSummary m_summary;
    int m_viewGeneration = 0;
    bool m_queryRunning = false;
    QElapsedTimer m_queryTimer;
    qint64 m_lastQueryMs = 0; // how long the last view took to compute, for pacing the next
    bool m_refreshPending = false;
    std::shared_ptr<std::atomic_bool> m_cancel;
    // What the view on screen was worked out from, so that the next one, for the same filter
    // and order over a grown index, only takes in the calls added since.
    std::shared_ptr<const ViewBasis> m_viewBasis;
    int m_indexEpoch = 0; // counts the indexes thrown away: a basis of an older one is void
    QTimer m_refreshTimer;
    QTimer m_searchDelay;
    qint64 m_selectedIndexRow = -1;

    QLabel *m_pathLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_messageLabel = nullptr;
    QComboBox *m_modelBox = nullptr;
    QComboBox *m_featureBox = nullptr;
    QComboBox *m_userBox = nullptr;
    QComboBox *m_finishBox = nullptr;
    QCheckBox *m_timeBox = nullptr;
    QDateTimeEdit *m_fromEdit = nullptr;
    QDateTimeEdit *m_toEdit = nullptr;
    QLineEdit *m_searchEdit = nullptr;
    QList<QLabel *> m_tileValues;
    QList<QLabel *> m_tileNotes;
    QTableView *m_table = nullptr;
    LogCharts *m_charts = nullptr;
    QTabWidget *m_sideTabs = nullptr;
    QLabel *m_detailHeading = nullptr;
    QPlainTextEdit *m_detail = nullptr;
    QListWidget *m_malformedList = nullptr;
    QLabel *m_tailLabel = nullptr;

    QAction *m_openAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    QAction *m_exportCsvAction = nullptr;
    QAction *m_exportChartAction = nullptr;

    // Last, so that it is destroyed first: its destructor waits for the running queries.
    QThreadPool m_pool;
};
