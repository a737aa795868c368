// MainWindow's menus and shortcuts, project and model files (opened, dropped), recent projects,
// plot/table export, About.
#include <QActionGroup>
#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>
#include <QTimer>
#include <QUrl>

#include "convert.h"
#include "export_job.h"
#include "export_page.h"
#include "main_window.h"
#include "model_panel.h"
#include "training_job.h"
#include "training_page.h"
#include "widgets/layer_table_model.h"
#include "widgets/layer_table_view.h"
#include "widgets/plot_export.h"
#include "widgets/qcp.h"
#include "widgets/runs_model.h"
#include "widgets/runs_view.h"

namespace bitshift::app {

namespace {
constexpr int kMaxRecent = 8;
const char* kRecentKey = "recentProjects";
const QString kProjectFilter = QObject::tr("Bitshift projects (*.bitshift.json *.json)");

bool is_project_file(const QString& path) {
  return path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive);
}

// The first local file of a drag that the studio opens (a model or a project), or empty.
QString openable_file(const QMimeData* mime) {
  if (!mime || !mime->hasUrls()) return {};
  for (const QUrl& url : mime->urls()) {
    const QString path = url.toLocalFile();
    if (!path.isEmpty() && (ModelPanel::isModelFile(path) || is_project_file(path))) return path;
  }
  return {};
}

}  // namespace

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open project…"), QKeySequence::Open, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open project"), QString(), kProjectFilter);
    if (!path.isEmpty()) openProject(path);
  });
  file->addAction(tr("Open &model…"), QKeySequence(tr("Ctrl+Shift+O")), this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open model"), QString(),
                                                      ModelPanel::modelFileFilter());
    if (!path.isEmpty()) openModelFile(path);
  });
  recent_menu_ = file->addMenu(tr("Open &recent"));
  rebuildRecentMenu();
  file->addAction(tr("&Save project"), QKeySequence::Save, this, &MainWindow::save);
  file->addAction(tr("Save project &as…"), QKeySequence::SaveAs, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save project as"),
                                                      QStringLiteral("project.bitshift.json"), kProjectFilter);
    if (!path.isEmpty()) saveProject(path);
  });
  file->addSeparator();
  QMenu* plots = file->addMenu(tr("Save &plot"));
  const QStringList plot_names = {tr("Loss and accuracy…"), tr("Clamps, steps and thresholds…"),
                                  tr("Weight error histogram…"), tr("Activation error histogram…"),
                                  tr("Accuracy against BOPs…")};
  for (int i = 0; i < plot_names.size(); ++i)
    plots->addAction(plot_names[i], this, [this, i] { savePlotAs(i); });
  file->addAction(tr("Save p&lan table as CSV…"), this, [this] { saveTableAs(PagePlan); });
  file->addAction(tr("Save r&uns table as CSV…"), this, [this] { saveTableAs(PageCompare); });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  QAction* undo = undo_->createUndoAction(this, tr("&Undo"));
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = undo_->createRedoAction(this, tr("&Redo"));
  redo->setShortcut(QKeySequence::Redo);
  edit->addAction(undo);
  edit->addAction(redo);

  QMenu* plan = menuBar()->addMenu(tr("&Plan"));
  const QString plan_filter = tr("Plan files (*.json);;All files (*)");
  plan->addAction(tr("&Load plan…"), this, [this, plan_filter] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load plan"), QString(), plan_filter);
    if (!path.isEmpty()) loadPlan(path);
  });
  plan->addAction(tr("&Save plan…"), this, [this, plan_filter] {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save plan"), QStringLiteral("plan.json"), plan_filter);
    if (!path.isEmpty()) savePlan(path);
  });
  plan->addSeparator();
  plan->addAction(tr("&Measure sensitivity"), this, &MainWindow::measureSensitivity);
  plan->addAction(tr("&Fit to budget"), QKeySequence(tr("Ctrl+B")), this, &MainWindow::fitToBudget);

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  train_action_ = run->addAction(tr("&Train"), QKeySequence(tr("Ctrl+T")), this, &MainWindow::startTraining);
  pause_action_ = run->addAction(tr("&Pause"), QKeySequence(tr("Ctrl+P")), this, &MainWindow::togglePause);
  cancel_action_ = run->addAction(tr("&Cancel"), QKeySequence(Qt::Key_Escape), this, &MainWindow::cancelTraining);
  export_action_ = run->addAction(tr("&Export and verify"), QKeySequence(tr("Ctrl+E")), this,
                                  &MainWindow::startExport);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  const QStringList pages = {tr("Plan"), tr("Training"), tr("Compare"), tr("Export")};
  for (int i = 0; i < pages.size(); ++i)
    view->addAction(pages[i], QKeySequence(QStringLiteral("Ctrl+%1").arg(i + 1)), this,
                    [this, i] { showPage(static_cast<Page>(i)); });

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Bitshift"), this, &MainWindow::about);
}

bool MainWindow::save() {
  QString path = project_path_;
  if (path.isEmpty())
    path = QFileDialog::getSaveFileName(this, tr("Save project"), QStringLiteral("project.bitshift.json"),
                                        kProjectFilter);
  return !path.isEmpty() && saveProject(path);
}

bool MainWindow::saveProject(const QString& path) {
  QString error;
  if (!save_project(project(), path, &error)) {
    showError(error);
    return false;
  }
  project_path_ = path;
  markSaved();
  addRecent(path);
  statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
  return true;
}

bool MainWindow::openProject(const QString& path) {
  Project p;
  QString error;
  if (!load_project(path, &p, &error)) {
    showError(error);
    return false;
  }
  if (training_job_->running()) {
    showError(tr("Cancel the running training before opening another project"));
    return false;
  }
  if (!maybeSave()) return false;
  const Project before = project();
  if (!load(p)) {
    if (planning_) {  // its model cannot be opened: the project shown before stays, whole
      const QString error = last_error_;
      load(before);
      showError(error);
    }
    return false;
  }
  project_path_ = path;
  markSaved();
  addRecent(path);
  return true;
}

bool MainWindow::loadPlan(const QString& path) {
  if (!planning_) return false;
  try {
    const QVector<widgets::LayerRow> rows = to_rows(planning_->read_plan(ss(path)));
    layer_model_->editRows(rows, tr("Load plan %1").arg(QFileInfo(path).fileName()));
    statusBar()->showMessage(tr("Plan loaded from %1").arg(path), 5000);
    return true;
  } catch (const std::exception& e) {
    showError(qs(e.what()));
    return false;
  }
}

bool MainWindow::savePlan(const QString& path) {
  if (!planning_) return false;
  try {
    planning_->write_plan(ss(path), to_engine(layer_model_->rows()));
    statusBar()->showMessage(tr("Plan saved to %1 (bitshift-cli quantize --plan reads it)").arg(path), 5000);
    return true;
  } catch (const std::exception& e) {
    showError(tr("cannot save the plan to %1: %2").arg(path, qs(e.what())));
    return false;
  }
}

bool MainWindow::openModelFile(const QString& path) {
  panel_->setModel(path);
  return switchModel();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (!openable_file(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QString path = openable_file(event->mimeData());
  if (path.isEmpty()) return;
  event->acceptProposedAction();
  // Opened once the drop has returned: the file manager is not kept waiting while it loads.
  QTimer::singleShot(0, this, [this, path] {
    if (ModelPanel::isModelFile(path))
      openModelFile(path);
    else
      openProject(path);
  });
}

void MainWindow::addRecent(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value(kRecentKey).toStringList();
  const QString absolute = QFileInfo(path).absoluteFilePath();
  recent.removeAll(absolute);
  recent.prepend(absolute);
  while (recent.size() > kMaxRecent) recent.removeLast();
  settings.setValue(kRecentKey, recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recent_menu_->clear();
  const QStringList recent = QSettings().value(kRecentKey).toStringList();
  for (const QString& path : recent)
    recent_menu_->addAction(QFileInfo(path).fileName(), this, [this, path] { openProject(path); })
        ->setToolTip(path);
  recent_menu_->setEnabled(!recent.isEmpty());
}

void MainWindow::savePlotAs(int which) {
  widgets::TrainingPlots* p = training_->plots();
  QCustomPlot* plots[] = {p->lossPlot(), p->tracePlot(), p->weightHistogramPlot(),
                          p->activationHistogramPlot(), runs_->scatter()};
  const QString path = QFileDialog::getSaveFileName(this, tr("Save plot"), QStringLiteral("plot.png"),
                                                    widgets::plotFileFilter());
  if (path.isEmpty()) return;
  QString error;
  if (!widgets::savePlot(plots[which], path, &error)) showError(error);
}

void MainWindow::saveTableAs(Page which) {
  // Named in the menu, not taken from the visible page: the user knows which table is saved.
  const QAbstractItemModel* model = which == PageCompare ? static_cast<QAbstractItemModel*>(runs_->model())
                                                         : layer_model_;
  const QString path = QFileDialog::getSaveFileName(
      this, which == PageCompare ? tr("Save runs table as CSV") : tr("Save plan table as CSV"),
      which == PageCompare ? QStringLiteral("runs.csv") : QStringLiteral("plan.csv"), tr("CSV (*.csv)"));
  if (path.isEmpty()) return;
  QString error;
  if (!widgets::saveCsv(*model, path, &error)) showError(error);
}

void MainWindow::about() {
  QMessageBox::about(
      this, tr("About Bitshift"),
      tr("<h3>Bitshift %1</h3><p>A studio for quantizing CNNs for FPGAs and small accelerators: "
         "NICE, UNIQ, UniQ, N2UQ, PoT+LUT, LSQ, PACT, DoReFa and min/max, with integer-only "
         "export proven bit-exact on OpenCL.</p><p>Qt %2<br>%3</p>")
          .arg(QStringLiteral(BITSHIFT_VERSION), QString::fromLatin1(qVersion()),
               qs(studio::library_versions()).toHtmlEscaped()));
}

}  // namespace bitshift::app
