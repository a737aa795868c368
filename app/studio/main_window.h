#pragma once
// The studio's main window: the model panel on the left, the cost strip on top, and four
// pages (Plan, Training, Compare, Export). It owns the project state and the two job adapters
// and wires them to the pages; the pages and widgets hold no engine logic.
#include <QMainWindow>
#include <memory>
#include <optional>

#include "engine/studio_engine.h"
#include "project.h"

class QAction;
class QMenu;
class QTabWidget;
class QUndoStack;

namespace bitshift::widgets {
struct FpgaTotals;
class BudgetBar;
class CostSummary;
class LayerTableModel;
class LayerTableView;
class RunsView;
}  // namespace bitshift::widgets

namespace bitshift::app {

class ExportJob;
class ExportPage;
class FpgaEstimator;
class ModelPanel;
class SensitivityJob;
class TrainingJob;
class TrainingPage;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum Page { PagePlan, PageTraining, PageCompare, PageExport };

  // Opens `project` (the default one: ResNet-20 on Fashion-MNIST, NICE w4a4).
  explicit MainWindow(const Project& project = Project{}, QWidget* parent = nullptr);
  ~MainWindow() override;

  // What a user does, as functions (the buttons and menus call these; so do the tests).
  bool openModel();          // the model panel's model and data
  // An .onnx, TorchScript .pt/.pth or .bsck file (File › Open model…, a dropped file): goes in
  // the model box and opens; when it cannot be opened, the message names the file and the
  // previous model stays.
  bool openModelFile(const QString& path);
  void applyPreset();        // the panel's method / preset / first-last policy to every row
  bool startTraining();
  void togglePause();
  void cancelTraining();
  bool startExport();
  bool saveProject(const QString& path);
  bool save();  // to the project's file, asking for one the first time
  // Plan › Load plan: a plan file (bitshift-cli allocate --out) replaces the table as one
  // undoable edit; a file that does not fit the model is a message naming it, the plan stays.
  bool loadPlan(const QString& path);
  // Plan › Save plan: the table as a plan file that `bitshift-cli quantize --plan` reads.
  bool savePlan(const QString& path);
  bool openProject(const QString& path);
  void showPage(Page page);
  // Plan › Measure sensitivity: the panel's method measured per layer on its own thread (or read
  // from the cache), then shown in the table's Sensitivity column (main_window_budget.cpp).
  bool measureSensitivity();
  // Fit to budget: the budget bar's budget, the panel's method and first/last policy; measures
  // the sensitivity first when the table has none for this method, then replaces the unlocked
  // rows' bits as one undoable edit. False when it cannot start or the budget is refused.
  bool fitToBudget();

  Project project() const;  // the current state, as it would be saved
  QString lastError() const { return last_error_; }
  // Whether the project differs from its file (never saved: from how it opened); the title
  // then carries the desktop's modified mark.
  bool isModified() const { return isWindowModified(); }
  // With unsaved changes, asks Save / Discard / Cancel (the dialog's object name is
  // "unsaved-changes"); false when the user cancels or the save fails.
  bool maybeSave();
  QUndoStack* undoStack() const { return undo_; }

  widgets::LayerTableModel* layerModel() const { return layer_model_; }
  widgets::LayerTableView* layerView() const { return layer_view_; }
  widgets::CostSummary* costSummary() const { return cost_; }
  widgets::RunsView* runsView() const { return runs_; }
  widgets::BudgetBar* budgetBar() const { return budget_bar_; }
  SensitivityJob* sensitivityJob() const { return sensitivity_job_; }
  ModelPanel* modelPanel() const { return panel_; }
  TrainingPage* trainingPage() const { return training_; }
  ExportPage* exportPage() const { return export_; }
  TrainingJob* trainingJob() const { return training_job_; }
  ExportJob* exportJob() const { return export_job_; }
  FpgaEstimator* fpgaEstimator() const { return estimator_; }
  QTabWidget* pages() const { return tabs_; }

  // Where runs and exports are written: $BITSHIFT_STUDIO_DIR, else the user's data folder.
  static QString workDir();

 protected:
  void closeEvent(QCloseEvent* event) override;
  // A dropped model file or project opens (main_window_menus.cpp).
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void buildMenus();
  // Shows a project: panel, model (false when it cannot be opened), plan, runs.
  bool load(const Project& project);
  // Opens the panel's model and starts from the preset (a quantized checkpoint: its own plan).
  bool switchModel();
  void updateCost();
  void updateActions();
  // The panel's method, preset and first/last policy as rows; empty (the engine's objection
  // shown) when it refuses them.
  QVector<widgets::LayerRow> presetRows();
  // Whether the plan lowers to integers (the FPGA estimate's verdict), said above the table
  // with the one-click fix when FP32 layers are the reason.
  void showExportability(const widgets::FpgaTotals& estimate);
  void makeExportable();  // FP32 weights and activations to 8 bits, one undoable edit
  void markSaved();  // the file now holds what is shown
  void updateModified();
  void updateTitle();
  void showError(const QString& message);
  void addRun(const widgets::RunRow& run);
  void addRecent(const QString& path);
  void rebuildRecentMenu();
  void savePlotAs(int which);
  void saveTableAs(Page which);  // the plan table (PagePlan) or the runs table (PageCompare)
  void about();
  void showSensitivity(const studio::EngineSensitivity& sensitivity);
  bool applyFit();          // with the sensitivity in hand
  void showBudgetUsage();   // the budget bar follows the plan's cost

  std::shared_ptr<studio::PlanningModel> planning_;
  QString project_path_;
  QByteArray saved_state_;                 // project_bytes() of what the file holds
  QVector<widgets::LayerRow> preset_rows_;  // the last preset's rows: edits are what differs
  QUndoStack* undo_;
  QString last_bundle_;
  QString last_error_;

  ModelPanel* panel_;
  widgets::CostSummary* cost_;
  widgets::LayerTableModel* layer_model_;
  widgets::LayerTableView* layer_view_;
  TrainingPage* training_;
  widgets::RunsView* runs_;
  ExportPage* export_;
  QTabWidget* tabs_;
  TrainingJob* training_job_;
  ExportJob* export_job_;
  FpgaEstimator* estimator_;
  widgets::BudgetBar* budget_bar_;
  SensitivityJob* sensitivity_job_;
  // The sensitivity shown, of the method it was measured for; reset with the model.
  std::optional<studio::EngineSensitivity> sensitivity_;
  bool fit_after_measuring_ = false;
  std::shared_ptr<studio::PlanningModel> measuring_;  // the model the job measures
  // The budget of the last fit: the bar keeps showing how much of it the plan spends.
  std::optional<studio::EngineFit> fitted_;

  QAction* train_action_ = nullptr;
  QAction* pause_action_ = nullptr;
  QAction* cancel_action_ = nullptr;
  QAction* export_action_ = nullptr;
  QMenu* recent_menu_ = nullptr;
};

}  // namespace bitshift::app
