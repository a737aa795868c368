#include "main_window.h"

#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include "convert.h"
#include "export_job.h"
#include "export_page.h"
#include "fpga_estimator.h"
#include "model_panel.h"
#include "sensitivity_job.h"
#include "training_job.h"
#include "training_page.h"
#include "widgets/budget_bar.h"
#include "widgets/cost_summary.h"
#include "widgets/layer_table_model.h"
#include "widgets/layer_table_view.h"
#include "widgets/runs_model.h"
#include "widgets/runs_view.h"

// The studio's resources (icons) live in a static library: they must be registered by hand.
static void init_studio_resources() { Q_INIT_RESOURCE(studio); }

namespace bitshift::app {

MainWindow::MainWindow(const Project& project, QWidget* parent) : QMainWindow(parent) {
  init_studio_resources();
  setWindowTitle(tr("Bitshift"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/bitshift.svg")));

  panel_ = new ModelPanel;
  auto* scroll = new QScrollArea;
  scroll->setWidget(panel_);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  // As wide as the panel needs: a small window narrows the pages, never clips the panel.
  scroll->setMinimumWidth(panel_->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() +
                          2 * scroll->frameWidth());
  auto* dock = new QDockWidget(tr("Model and plan"), this);
  dock->setObjectName(QStringLiteral("model-dock"));
  dock->setWidget(scroll);
  dock->setFeatures(QDockWidget::DockWidgetMovable);
  addDockWidget(Qt::LeftDockWidgetArea, dock);

  cost_ = new widgets::CostSummary;
  layer_model_ = new widgets::LayerTableModel(this);
  undo_ = new QUndoStack(this);
  layer_model_->setUndoStack(undo_);
  layer_view_ = new widgets::LayerTableView(layer_model_);
  layer_view_->setMethods(method_choices());
  training_ = new TrainingPage;
  runs_ = new widgets::RunsView;
  export_ = new ExportPage;
  tabs_ = new QTabWidget;
  budget_bar_ = new widgets::BudgetBar;
  auto* plan_page = new QWidget;
  auto* plan_layout = new QVBoxLayout(plan_page);
  plan_layout->setContentsMargins(0, 0, 0, 0);
  plan_layout->addWidget(budget_bar_);
  plan_layout->addWidget(layer_view_, 1);
  tabs_->addTab(plan_page, tr("&Plan"));
  tabs_->addTab(training_, tr("&Training"));
  tabs_->addTab(runs_, tr("&Compare"));
  tabs_->addTab(export_, tr("&Export"));
  auto* central = new QWidget;
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(cost_);
  layout->addWidget(tabs_, 1);
  setCentralWidget(central);

  training_job_ = new TrainingJob(this);
  export_job_ = new ExportJob(this);
  estimator_ = new FpgaEstimator(this);
  sensitivity_job_ = new SensitivityJob(this);
  buildMenus();

  connect(panel_, &ModelPanel::modelRequested, this, &MainWindow::switchModel);
  connect(panel_, &ModelPanel::presetRequested, this, &MainWindow::applyPreset);
  connect(panel_, &ModelPanel::settingsEdited, this, &MainWindow::updateModified);
  connect(layer_model_, &widgets::LayerTableModel::planEdited, this, &MainWindow::updateCost);
  connect(estimator_, &FpgaEstimator::pending, cost_, [this] {
    widgets::FpgaTotals pending;
    pending.pending = true;
    cost_->setFpga(pending);
  });
  connect(estimator_, &FpgaEstimator::estimated, cost_, &widgets::CostSummary::setFpga);
  connect(estimator_, &FpgaEstimator::estimated, this, &MainWindow::showExportability);
  connect(layer_view_, &widgets::LayerTableView::noticeActionClicked, this, &MainWindow::makeExportable);
  connect(budget_bar_, &widgets::BudgetBar::fitRequested, this, &MainWindow::fitToBudget);
  connect(budget_bar_, &widgets::BudgetBar::budgetEdited, this, &MainWindow::updateModified);
  connect(layer_model_, &widgets::LayerTableModel::locksChanged, this, &MainWindow::updateModified);
  connect(budget_bar_, &widgets::BudgetBar::cancelRequested, sensitivity_job_, &SensitivityJob::cancel);
  connect(sensitivity_job_, &SensitivityJob::progress, budget_bar_, &widgets::BudgetBar::showMeasuring);
  connect(sensitivity_job_, &SensitivityJob::finished, this, &MainWindow::showSensitivity);
  connect(sensitivity_job_, &SensitivityJob::failed, this, [this](const QString& message) {
    fit_after_measuring_ = false;
    showError(tr("Sensitivity not measured: %1").arg(message));
    showBudgetUsage();
  });
  connect(sensitivity_job_, &SensitivityJob::cancelled, this, [this] {
    fit_after_measuring_ = false;
    statusBar()->showMessage(tr("Sensitivity measurement cancelled: the plan is as it was"), 5000);
    showBudgetUsage();
  });
  connect(training_->trainButton(), &QPushButton::clicked, this, &MainWindow::startTraining);
  connect(training_->pauseButton(), &QPushButton::clicked, this, &MainWindow::togglePause);
  connect(training_->cancelButton(), &QPushButton::clicked, this, &MainWindow::cancelTraining);
  connect(training_job_, &TrainingJob::ticked, training_, &TrainingPage::showTick);
  connect(training_job_, &TrainingJob::stateChanged, this, &MainWindow::updateActions);
  connect(training_job_, &TrainingJob::finishedRun, this, [this](const widgets::RunRow& run) {
    training_->showMessage(tr("%1 finished: top-1 %2 % (FP32 %3 %), BOPs %4, in %5")
                               .arg(run.name)
                               .arg(run.top1, 0, 'f', 2)
                               .arg(run.fp32_top1, 0, 'f', 2)
                               .arg(widgets::CostSummary::formatBops(run.bops))
                               .arg(format_duration(run.wall_seconds)));
    addRun(run);
  });
  connect(training_job_, &TrainingJob::cancelled, this, [this](int epochs, const QString& checkpoint) {
    training_->showMessage(
        checkpoint.isEmpty()
            ? tr("Cancelled before the first epoch finished: nothing was saved.")
            : tr("Cancelled after %1 finished; its checkpoint is kept: %2")
                  .arg(epochs == 1 ? tr("1 epoch") : tr("%1 epochs").arg(epochs), checkpoint));
  });
  connect(training_job_, &TrainingJob::failed, this, [this](const QString& message) {
    training_->showMessage(tr("Training failed: %1").arg(message));
    showError(message);
  });
  connect(export_, &ExportPage::exportRequested, this, &MainWindow::startExport);
  connect(export_job_, &ExportJob::progress, export_, &ExportPage::showProgress);
  connect(export_, &ExportPage::cancelRequested, export_job_, &ExportJob::cancel);
  connect(export_job_, &ExportJob::cancelled, this, [this] {
    export_->showCancelled();
    updateActions();
  });
  connect(export_job_, &ExportJob::finished, this, [this](const studio::ExportOutcome& o) {
    const QString checkpoint = export_->exportingCheckpoint();
    export_->showOutcome(o);
    // The run remembers its export (saved with the project; the runs table shows the verdict).
    for (int i = 0; i < runs_->runs().size(); ++i)
      if (runs_->runs()[i].checkpoint == checkpoint)
        runs_->model()->setExport(i, qs(o.bundle), ExportPage::verdictLine(o));
    export_->setRuns(runs_->runs());
    if (o.format == "bundle") last_bundle_ = qs(o.bundle);
    updateActions();
    updateModified();
  });
  connect(export_job_, &ExportJob::failed, this, [this](const QString& message) {
    export_->showFailure(message);
    showError(message);
    updateActions();
  });

  connect(statusBar(), &QStatusBar::messageChanged, this, [this](const QString& shown) {
    if (shown != statusBar()->toolTip()) statusBar()->setToolTip(QString());  // not showError's
  });
  load(project);
  markSaved();  // a project as it opened has nothing to save
  updateActions();
  setAcceptDrops(true);
  resize(1280, 820);
}

bool MainWindow::load(const Project& project) {
  panel_->show(project);
  const bool opened = openModel();
  if (opened) {
    if (!planning_->quantized() || project.plan.isEmpty()) preset_rows_ = presetRows();
    if (!project.plan.isEmpty())
      layer_model_->setRows(project.plan);
    else if (!preset_rows_.isEmpty())
      layer_model_->setRows(preset_rows_);
  }
  budget_bar_->setBudgetText(project.budget);
  layer_model_->setLockedLayers(project.locked);
  runs_->setRuns(project.runs);
  export_->setRuns(project.runs);
  last_bundle_ = project.last_bundle;
  updateCost();
  return opened;
}

MainWindow::~MainWindow() = default;

QString MainWindow::workDir() {
  const QString env = qEnvironmentVariable("BITSHIFT_STUDIO_DIR");
  return env.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) : env;
}

bool MainWindow::openModel() {
  auto opened = studio::PlanningModel::open(ss(panel_->model()), ss(panel_->data()));
  if (!opened) {
    showError(qs(opened.error()));
    if (planning_)  // the model still open stays, with its plan
      panel_->restore(qs(planning_->source()), qs(planning_->data()));
    else
      panel_->setOrigin(tr("Could not open: %1").arg(qs(opened.error())));
    return false;
  }
  planning_ = opened.value();
  QString origin =
      planning_->pretrained()
          ? tr("%1 weights from %2")
                .arg(planning_->quantized() ? tr("Quantized") : tr("FP32"), qs(planning_->origin()))
          : tr("No FP32 baseline for this model and data: random weights (%1)")
                .arg(qs(planning_->origin()));
  if (!planning_->data_note().empty())
    origin += QStringLiteral("\n") + tr("Data: %1").arg(qs(planning_->data_note()));
  if (!planning_->head_note().empty())
    origin += QStringLiteral("\n") + tr("Classes: %1").arg(qs(planning_->head_note()));
  panel_->setOrigin(origin);
  updateTitle();
  undo_->clear();  // edits of another model's rows cannot be undone on this one
  sensitivity_job_->cancel();  // measuring the previous model: of no use now
  fit_after_measuring_ = false;
  sensitivity_.reset();  // measured on the previous model
  fitted_.reset();
  layer_model_->setSensitivity({}, {});
  if (planning_->quantized()) {
    preset_rows_ = to_rows(planning_->stored_plan());
    layer_model_->setRows(preset_rows_);
  }
  return true;
}

bool MainWindow::switchModel() {
  if (!openModel()) return false;
  if (!planning_->quantized()) {  // else openModel showed the checkpoint's plan
    const QVector<widgets::LayerRow> rows = presetRows();
    if (!rows.isEmpty()) {
      preset_rows_ = rows;
      layer_model_->setRows(rows);
    }
  }
  updateCost();
  return true;
}

QVector<widgets::LayerRow> MainWindow::presetRows() {
  try {
    return to_rows(planning_->plan(ss(panel_->method()), ss(panel_->preset()), ss(panel_->edges())));
  } catch (const std::exception& e) {  // an unknown preset or policy typed into a project file
    showError(qs(e.what()));
    return {};
  }
}

void MainWindow::applyPreset() {
  if (!planning_) return;
  const QVector<widgets::LayerRow> rows = presetRows();
  if (rows.isEmpty()) return updateCost();
  // Hand edits: rows that differ from what the last preset made.
  const QVector<widgets::LayerRow>& shown = layer_model_->rows();
  int edited = 0;
  if (shown.size() == preset_rows_.size())
    for (int i = 0; i < shown.size(); ++i)
      edited += shown[i].w_bits != preset_rows_[i].w_bits || shown[i].a_bits != preset_rows_[i].a_bits ||
                shown[i].method != preset_rows_[i].method;
  preset_rows_ = rows;
  const QString name = tr("Preset %1 %2").arg(panel_->method(), panel_->preset());
  if (layer_model_->editRows(rows, name) && edited > 0)
    statusBar()->showMessage(tr("%1 replaced your edits on %2; Edit › Undo brings them back.")
                                 .arg(name, edited == 1 ? tr("1 layer") : tr("%1 layers").arg(edited)),
                             15000);
  updateCost();
}

void MainWindow::updateCost() {
  updateModified();
  if (!planning_) return;
  const std::vector<studio::EngineLayer> rows = to_engine(layer_model_->rows());
  const widgets::CostTotals totals = to_totals(planning_->cost(rows));
  cost_->setTotals(totals);
  showBudgetUsage();
  layer_model_->setInvalidCells(totals.bad_w_rows, totals.bad_a_rows, totals.problem);
  if (!totals.problem.isEmpty()) layer_view_->setNotice({});  // the cost strip says what is wrong
  estimator_->request(planning_, rows);
}

bool MainWindow::startTraining() {
  if (!planning_ || training_job_->running()) return false;
  const widgets::CostTotals totals = to_totals(planning_->cost(to_engine(layer_model_->rows())));
  if (!totals.problem.isEmpty()) {
    showError(tr("The plan is not valid: %1").arg(totals.problem));
    return false;
  }
  const TrainingSettings t = panel_->training();
  studio::TrainRequest r;
  r.model = planning_->source();
  r.data = planning_->data();
  r.plan = to_engine(layer_model_->rows());
  r.label = ss(plan_label(layer_model_->rows()));
  r.epochs = t.epochs;
  r.lr = t.lr;
  r.train_limit = t.train_limit;
  r.test_limit = t.test_limit;
  r.seed = static_cast<uint64_t>(t.seed);
  r.processes = t.processes;
  r.out_dir = ss(QDir(workDir()).filePath(QStringLiteral("runs")));
  QStringList layers;
  for (const auto& row : layer_model_->rows())
    if (row.w_bits != widgets::kFpBits || row.a_bits != widgets::kFpBits) layers << row.name;
  QStringList activation_only;
  for (const auto& site : planning_->activation_only_sites(r.plan)) activation_only << qs(site);
  training_->started(qs(r.label), layers, activation_only);
  showPage(PageTraining);
  return training_job_->start(r);
}

void MainWindow::togglePause() {
  if (training_job_->paused())
    training_job_->resume();
  else
    training_job_->pause();
}

void MainWindow::cancelTraining() { training_job_->cancel(); }

bool MainWindow::startExport() {
  const int index = export_->selectedRun();
  const auto& runs = runs_->runs();
  if (index < 0 || index >= runs.size() || export_job_->running()) return false;
  const widgets::RunRow& run = runs[index];
  studio::ExportRequest r;
  r.format = ss(export_->format());
  r.checkpoint = ss(run.checkpoint);
  r.data = ss(run.data);
  r.out = ss(QDir(workDir()).filePath(
      QStringLiteral("exports/") + QFileInfo(run.checkpoint).completeBaseName() +
      (r.format == "bundle" ? QString() : "." + qs(r.format) + ".onnx")));
  export_->started(qs(r.out));
  showPage(PageExport);
  const bool started = export_job_->start(r);
  updateActions();
  return started;
}

void MainWindow::addRun(const widgets::RunRow& run) {
  widgets::RunRow named = run;
  named.name = QStringLiteral("%1 #%2").arg(run.name).arg(runs_->runs().size() + 1);
  runs_->addRun(named);
  export_->setRuns(runs_->runs());
  updateModified();
}

void MainWindow::showPage(Page page) { tabs_->setCurrentIndex(page); }

void MainWindow::showError(const QString& message) {
  last_error_ = message;
  statusBar()->showMessage(message, 15000);  // one line: the whole message is its tooltip
  statusBar()->setToolTip(message);
}

void MainWindow::updateActions() {
  const bool running = training_job_->running();
  const bool paused = training_job_->paused();
  training_->setRunning(running, paused);
  if (train_action_) {
    train_action_->setEnabled(!running);
    pause_action_->setEnabled(running);
    pause_action_->setText(paused ? tr("&Resume") : tr("&Pause"));
    cancel_action_->setEnabled(running);
    export_action_->setEnabled(!export_job_->running());
  }
}

Project MainWindow::project() const {
  Project p;
  p.model = panel_->model();
  p.data = panel_->data();
  p.method = panel_->method();
  p.preset = panel_->preset();
  p.edges = panel_->edges();
  p.plan = layer_model_->rows();
  p.budget = budget_bar_->budgetText();
  p.locked = layer_model_->lockedLayers();
  p.training = panel_->training();
  p.runs = runs_->runs();
  p.last_bundle = last_bundle_;
  return p;
}

void MainWindow::showExportability(const widgets::FpgaTotals& estimate) {
  if (estimate.problem.isEmpty() || !cost_->totals().problem.isEmpty()) {  // exports, or invalid anyway
    layer_view_->setNotice({});
    return;
  }
  bool fp32 = false;
  for (const auto& row : layer_model_->rows()) fp32 = fp32 || row.w_bits == widgets::kFpBits || row.a_bits == widgets::kFpBits;
  layer_view_->setNotice(tr("This plan will not export to an integer-only model: %1").arg(estimate.problem),
                         fp32 ? tr("Put FP32 layers on 8 bits") : QString());
}

void MainWindow::makeExportable() {
  QVector<widgets::LayerRow> rows = layer_model_->rows();
  for (auto& row : rows) {
    if (row.w_bits == widgets::kFpBits) row.w_bits = 8;
    if (row.a_bits == widgets::kFpBits) row.a_bits = 8;
  }
  layer_model_->editRows(rows, tr("FP32 layers on 8 bits"));
}

void MainWindow::markSaved() {
  saved_state_ = project_bytes(project());
  undo_->setClean();
  updateModified();
  updateTitle();
}

void MainWindow::updateModified() {
  if (!saved_state_.isEmpty()) setWindowModified(project_bytes(project()) != saved_state_);
}

void MainWindow::updateTitle() {
  const QString name = project_path_.isEmpty() ? tr("Untitled") : QFileInfo(project_path_).fileName();
  // "[*]" is where Qt puts the modified mark.
  setWindowTitle(planning_ ? tr("%1[*] — %2 on %3 — Bitshift").arg(name, qs(planning_->model()), qs(planning_->data()))
                           : tr("%1[*] — Bitshift").arg(name));
}

bool MainWindow::maybeSave() {
  if (!isWindowModified()) return true;
  const QString name = project_path_.isEmpty() ? tr("Untitled") : QFileInfo(project_path_).fileName();
  QMessageBox box(QMessageBox::Warning, tr("Unsaved changes"),
                  tr("The project \"%1\" has changes that are not saved.").arg(name),
                  QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
  box.setObjectName(QStringLiteral("unsaved-changes"));
  box.setInformativeText(tr("Save them first?"));
  box.setDefaultButton(QMessageBox::Save);
  switch (box.exec()) {
    case QMessageBox::Save: return save();
    case QMessageBox::Discard: return true;
    default: return false;
  }
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!maybeSave()) {
    event->ignore();
    return;
  }
  // Closing cancels a training run or an export (which then writes nothing) and waits.
  training_job_->stop();
  export_job_->cancel();
  export_job_->wait();
  event->accept();  // the estimator's destructor waits for an estimate under way
}

}  // namespace bitshift::app
