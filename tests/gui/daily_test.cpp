// The studio as a daily tool: plan edits can be undone, a preset that replaces hand edits says
// so, the title marks unsaved changes, and closing or opening another project with unsaved
// changes asks first. Driven as a user drives it (offscreen): the table, the panel's boxes,
// the Edit menu, the dialog's buttons.
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTest>
#include <QTimer>
#include <QDir>
#include <QFileInfo>
#include <QProgressBar>
#include <QSemaphore>
#include <QProcess>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTableView>
#include <atomic>
#include <QUndoStack>

#include "export_job.h"
#include "export_page.h"
#include "main_window.h"
#include "model_panel.h"
#include "studio_fixtures.h"
#include "test_paths.h"
#include "training_job.h"
#include "widgets/cost_summary.h"
#include "widgets/layer_table_model.h"
#include "widgets/layer_table_view.h"
#include "widgets/runs_model.h"
#include "widgets/runs_view.h"

using bitshift::app::MainWindow;
using bitshift::app::Project;
using bitshift::test::lenet_project;
using bitshift::test::tmp;
using bitshift::widgets::LayerRow;
using bitshift::widgets::LayerTableModel;

namespace {


// The Edit menu's action whose text starts with `text` ("&Undo", "&Redo").
QAction* edit_action(MainWindow& w, const QString& text) {
  for (QAction* menu : w.menuBar()->actions()) {
    if (menu->text() != QStringLiteral("&Edit") || !menu->menu()) continue;
    for (QAction* a : menu->menu()->actions())
      if (a->text().startsWith(text)) return a;
  }
  return nullptr;
}

std::vector<int> w_bits_of(const LayerTableModel& m) {
  std::vector<int> out;
  for (const LayerRow& r : m.rows()) out.push_back(r.w_bits);
  return out;
}

// While alive, presses `button` in the "unsaved-changes" dialog whenever it shows.
class AnswerUnsavedChanges {
 public:
  explicit AnswerUnsavedChanges(QMessageBox::StandardButton button) {
    QObject::connect(&poll_, &QTimer::timeout, [this, button] {
      for (QWidget* top : QApplication::topLevelWidgets()) {
        auto* box = qobject_cast<QMessageBox*>(top);
        if (!box || !box->isVisible() || box->objectName() != QStringLiteral("unsaved-changes")) continue;
        ++asked_;
        box->button(button)->click();
      }
    });
    poll_.start(10);
  }
  int asked() const { return asked_; }  // how many times the dialog showed

 private:
  QTimer poll_;
  int asked_ = 0;
};

}  // namespace

TEST(StudioDaily, EditsBulkAppliesAndPresetsUndoAndRedoFromTheEditMenu) {
  MainWindow w(lenet_project());
  LayerTableModel* m = w.layerModel();
  const std::vector<int> start = w_bits_of(*m);
  const double start_bops = w.costSummary()->totals().bops;
  QAction* undo = edit_action(w, QStringLiteral("&Undo"));
  QAction* redo = edit_action(w, QStringLiteral("&Redo"));
  ASSERT_NE(undo, nullptr);
  ASSERT_NE(redo, nullptr);
  EXPECT_FALSE(undo->isEnabled());  // nothing to undo in a plan as it opened

  ASSERT_TRUE(m->setData(m->index(1, LayerTableModel::ColWBits), 2));  // one cell
  ASSERT_TRUE(m->setColumnForRows({2, 3}, LayerTableModel::ColWBits, 3));  // a bulk apply
  const std::vector<int> edited = w_bits_of(*m);
  EXPECT_EQ(edited[1], 2);
  EXPECT_EQ(edited[2], 3);
  EXPECT_NE(w.costSummary()->totals().bops, start_bops);
  EXPECT_TRUE(undo->text().contains(QStringLiteral("2 layers"))) << undo->text().toStdString();

  undo->trigger();  // the bulk apply, whole
  EXPECT_EQ(m->rows()[1].w_bits, 2);
  EXPECT_EQ(m->rows()[2].w_bits, start[2]);
  EXPECT_EQ(m->rows()[3].w_bits, start[3]);
  undo->trigger();  // the cell
  EXPECT_EQ(w_bits_of(*m), start);
  EXPECT_DOUBLE_EQ(w.costSummary()->totals().bops, start_bops);  // the cost follows
  EXPECT_FALSE(undo->isEnabled());
  redo->trigger();
  redo->trigger();
  EXPECT_EQ(w_bits_of(*m), edited);

  // A preset is one step too.
  w.modelPanel()->presetBox()->setCurrentText(QStringLiteral("w8a8"));
  EXPECT_EQ(m->rows()[1].w_bits, 8);
  undo->trigger();
  EXPECT_EQ(w_bits_of(*m), edited);
}

TEST(StudioDaily, APresetThatReplacesHandEditsSaysSoAndUndoBringsThemBack) {
  MainWindow w(lenet_project());
  LayerTableModel* m = w.layerModel();
  ASSERT_TRUE(m->setData(m->index(1, LayerTableModel::ColWBits), 2));
  w.modelPanel()->presetBox()->setCurrentText(QStringLiteral("w3a3"));
  EXPECT_EQ(m->rows()[1].w_bits, 3);
  const QString said = w.statusBar()->currentMessage();
  EXPECT_TRUE(said.contains(QStringLiteral("replaced your edits on 1 layer"))) << said.toStdString();
  w.undoStack()->undo();
  EXPECT_EQ(m->rows()[1].w_bits, 2);

  // A preset over a plan without hand edits says nothing of the kind.
  MainWindow fresh(lenet_project());
  fresh.statusBar()->clearMessage();
  fresh.modelPanel()->presetBox()->setCurrentText(QStringLiteral("w3a3"));
  EXPECT_FALSE(fresh.statusBar()->currentMessage().contains(QStringLiteral("replaced")));
}

TEST(StudioDaily, TheTitleMarksUnsavedChangesUntilSaved) {
  MainWindow w(lenet_project());
  EXPECT_FALSE(w.isModified());
  EXPECT_TRUE(w.windowTitle().startsWith(QStringLiteral("Untitled[*]"))) << w.windowTitle().toStdString();
  LayerTableModel* m = w.layerModel();
  ASSERT_TRUE(m->setData(m->index(1, LayerTableModel::ColWBits), 2));
  EXPECT_TRUE(w.isModified());
  w.undoStack()->undo();  // back to what opened: nothing to save
  EXPECT_FALSE(w.isModified());
  w.modelPanel()->epochsBox()->setValue(7);  // a fine-tuning setting is part of it too
  EXPECT_TRUE(w.isModified());

  const QString path = tmp("daily-title.bitshift.json");
  ASSERT_TRUE(w.saveProject(path)) << w.lastError().toStdString();
  EXPECT_FALSE(w.isModified());
  EXPECT_TRUE(w.windowTitle().startsWith(QStringLiteral("daily-title.bitshift.json[*]")))
      << w.windowTitle().toStdString();
}

TEST(StudioDaily, ClosingWithUnsavedChangesAsksAndCancelKeepsTheWindow) {
  MainWindow w(lenet_project());
  w.show();
  LayerTableModel* m = w.layerModel();
  ASSERT_TRUE(m->setData(m->index(1, LayerTableModel::ColWBits), 2));
  {
    AnswerUnsavedChanges cancel(QMessageBox::Cancel);
    EXPECT_FALSE(w.close());
    EXPECT_EQ(cancel.asked(), 1);
  }
  EXPECT_TRUE(w.isVisible());
  EXPECT_EQ(m->rows()[1].w_bits, 2);
  {
    AnswerUnsavedChanges discard(QMessageBox::Discard);
    EXPECT_TRUE(w.close());
    EXPECT_EQ(discard.asked(), 1);
  }
  // Nothing changed: no question.
  MainWindow clean(lenet_project());
  clean.show();
  AnswerUnsavedChanges cancel(QMessageBox::Cancel);
  EXPECT_TRUE(clean.close());
  EXPECT_EQ(cancel.asked(), 0);
}

TEST(StudioDaily, SaveInTheCloseDialogWritesTheEditsToTheProjectFile) {
  const QString path = tmp("daily-close-save.bitshift.json");
  {
    MainWindow w(lenet_project());
    w.show();
    ASSERT_TRUE(w.saveProject(path)) << w.lastError().toStdString();
    LayerTableModel* m = w.layerModel();
    ASSERT_TRUE(m->setData(m->index(2, LayerTableModel::ColWBits), 3));
    AnswerUnsavedChanges save(QMessageBox::Save);
    EXPECT_TRUE(w.close());
    EXPECT_EQ(save.asked(), 1);
  }
  MainWindow reopened(lenet_project());
  ASSERT_TRUE(reopened.openProject(path)) << reopened.lastError().toStdString();
  EXPECT_EQ(reopened.layerModel()->rows()[2].w_bits, 3);
  EXPECT_FALSE(reopened.isModified());
}

TEST(StudioDaily, OpeningAnotherProjectWithUnsavedChangesAsksFirst) {
  const QString other = tmp("daily-other.bitshift.json");
  {
    MainWindow w(lenet_project());
    ASSERT_TRUE(w.saveProject(other)) << w.lastError().toStdString();
  }
  MainWindow w(lenet_project());
  LayerTableModel* m = w.layerModel();
  ASSERT_TRUE(m->setData(m->index(1, LayerTableModel::ColWBits), 2));
  {
    AnswerUnsavedChanges cancel(QMessageBox::Cancel);
    EXPECT_FALSE(w.openProject(other));
    EXPECT_EQ(cancel.asked(), 1);
  }
  EXPECT_EQ(m->rows()[1].w_bits, 2);  // the edit is still there
  AnswerUnsavedChanges discard(QMessageBox::Discard);
  EXPECT_TRUE(w.openProject(other)) << w.lastError().toStdString();
  EXPECT_EQ(discard.asked(), 1);
  EXPECT_EQ(m->rows()[1].w_bits, 4);
  EXPECT_FALSE(w.isModified());
}

TEST(StudioDaily, AnInvalidPlanShowsNoCostAndMarksTheCellsItRefuses) {
  MainWindow w(lenet_project());
  LayerTableModel* m = w.layerModel();
  ASSERT_TRUE(w.costSummary()->bopsText().contains(QStringLiteral("e+")));  // a number while valid
  ASSERT_TRUE(m->setData(m->index(1, LayerTableModel::ColWBits), 1));       // NICE cannot binarise
  const QString problem = w.costSummary()->totals().problem;
  ASSERT_FALSE(problem.isEmpty());
  for (const QString& shown : {w.costSummary()->bopsText(), w.costSummary()->weightsText()}) {
    EXPECT_FALSE(shown.contains(QRegularExpression(QStringLiteral("[0-9]")))) << shown.toStdString();
    EXPECT_FALSE(shown.contains(QStringLiteral("smaller"))) << shown.toStdString();
  }
  const QString layer = m->rows()[1].name;
  EXPECT_TRUE(problem.contains(layer)) << problem.toStdString();
  for (int row = 0; row < m->rowCount(); ++row) {
    EXPECT_EQ(m->isInvalid(row, LayerTableModel::ColWBits), row == 1) << row;
    EXPECT_FALSE(m->isInvalid(row, LayerTableModel::ColABits)) << row;
  }
  const QModelIndex bad = m->index(1, LayerTableModel::ColWBits);
  EXPECT_TRUE(m->data(bad, Qt::BackgroundRole).isValid());
  EXPECT_EQ(m->data(bad, Qt::ToolTipRole).toString(), problem);
  EXPECT_FALSE(m->data(m->index(2, LayerTableModel::ColWBits), Qt::BackgroundRole).isValid());
  EXPECT_FALSE(w.startTraining());

  w.undoStack()->undo();  // valid again: numbers back, marks gone
  EXPECT_TRUE(w.costSummary()->bopsText().contains(QStringLiteral("e+")));
  EXPECT_FALSE(m->isInvalid(1, LayerTableModel::ColWBits));
  EXPECT_FALSE(m->data(bad, Qt::BackgroundRole).isValid());
}

namespace {

// Waits for the FPGA estimate of the plan shown now (it runs on a worker thread).
bool wait_for_estimate(MainWindow& w) {
  QTest::qWait(50);  // the request of the latest edit goes out
  return QTest::qWaitFor([&] { return !w.costSummary()->fpga().pending; }, bitshift::test::kOpenTimeoutMs);
}

}  // namespace

TEST(StudioDaily, TheDefaultPlanExportsAndOneThatWouldNotSaysSoWithItsFix) {
  Project p;  // the studio's defaults, on LeNet-5 to keep the estimate quick
  p.model = QStringLiteral("lenet5");
  MainWindow w(p);
  ASSERT_TRUE(wait_for_estimate(w));
  EXPECT_TRUE(w.costSummary()->fpga().problem.isEmpty()) << w.costSummary()->fpga().problem.toStdString();
  EXPECT_TRUE(w.layerView()->notice().isEmpty()) << w.layerView()->notice().toStdString();
  for (const LayerRow& r : w.layerModel()->rows()) {
    EXPECT_NE(r.w_bits, bitshift::widgets::kFpBits) << r.name.toStdString();
    EXPECT_NE(r.a_bits, bitshift::widgets::kFpBits) << r.name.toStdString();
  }

  // The method's own policy keeps NICE's first layer in FP32: the plan page says it will not export.
  QComboBox* edges = w.modelPanel()->edgesBox();
  edges->setCurrentIndex(edges->findData(QStringLiteral("first-fp")));
  ASSERT_EQ(w.layerModel()->rows()[0].w_bits, bitshift::widgets::kFpBits);
  ASSERT_TRUE(wait_for_estimate(w));
  const QString notice = w.layerView()->notice();
  EXPECT_TRUE(notice.contains(QStringLiteral("will not export"))) << notice.toStdString();
  EXPECT_TRUE(notice.contains(w.layerModel()->rows()[0].name)) << notice.toStdString();
  ASSERT_TRUE(w.layerView()->noticeButton()->isVisibleTo(w.layerView()));

  w.layerView()->noticeButton()->click();  // the one-click fix
  EXPECT_EQ(w.layerModel()->rows()[0].w_bits, 8);
  EXPECT_EQ(w.layerModel()->rows()[0].a_bits, 8);
  ASSERT_TRUE(wait_for_estimate(w));
  EXPECT_TRUE(w.layerView()->notice().isEmpty()) << w.layerView()->notice().toStdString();
  w.undoStack()->undo();  // and it is one edit
  EXPECT_EQ(w.layerModel()->rows()[0].w_bits, bitshift::widgets::kFpBits);
}

TEST(StudioDaily, EachRunShowsItsOwnExportAlsoAfterTheProjectReopens) {
  const Project p = lenet_project();  // (a small fine-tuning budget)
  const QString path = tmp("daily-exports.bitshift.json");
  QString written;
  {
    MainWindow w(p);
    for (int run = 1; run <= 2; ++run) {
      ASSERT_TRUE(w.startTraining());
      ASSERT_TRUE(QTest::qWaitFor([&] { return w.runsView()->runs().size() >= run && !w.trainingJob()->running(); },
                                  bitshift::test::kTrainingTimeoutMs));
    }
    QComboBox* runs = w.exportPage()->runBox();
    EXPECT_EQ(runs->currentIndex(), 1);  // the newest
    runs->setCurrentIndex(0);
    QComboBox* format = w.exportPage()->formatBox();
    format->setCurrentIndex(format->findData(QStringLiteral("qdq")));
    w.exportPage()->exportButton()->click();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !w.exportJob()->running(); }, bitshift::test::kTrainingTimeoutMs));
    QTest::qWait(50);
    written = w.exportPage()->verdictText();
    ASSERT_TRUE(written.startsWith(QStringLiteral("WRITTEN: QDQ ONNX"))) << written.toStdString();
    EXPECT_EQ(runs->currentIndex(), 0);  // the export did not move the selection

    runs->setCurrentIndex(1);  // the other run has no export: it must not show run 1's
    EXPECT_EQ(w.exportPage()->verdictText(), QStringLiteral("No export of this run yet."));
    runs->setCurrentIndex(0);
    EXPECT_EQ(w.exportPage()->verdictText(), written);
    const auto* model = w.runsView()->model();
    EXPECT_EQ(model->data(model->index(0, bitshift::widgets::RunsModel::ColExport)).toString(), QStringLiteral("WRITTEN"));
    EXPECT_EQ(model->data(model->index(1, bitshift::widgets::RunsModel::ColExport)).toString(), QStringLiteral("ready"));
    ASSERT_TRUE(w.saveProject(path)) << w.lastError().toStdString();
  }
  MainWindow reopened(lenet_project());
  ASSERT_TRUE(reopened.openProject(path)) << reopened.lastError().toStdString();
  QComboBox* runs = reopened.exportPage()->runBox();
  runs->setCurrentIndex(0);
  EXPECT_EQ(reopened.exportPage()->verdictText(), written);  // not "No export yet"
  runs->setCurrentIndex(1);
  EXPECT_EQ(reopened.exportPage()->verdictText(), QStringLiteral("No export of this run yet."));
}

TEST(StudioDaily, EveryPageFitsA1000By700Window) {
  // (The export page needed 720 px for its combos and path, the cost strip ~730 px for one line.)
  MainWindow w(lenet_project());
  const QSize need = w.minimumSizeHint();
  EXPECT_LE(need.width(), 1000);
  EXPECT_LE(need.height(), 700);
  for (int page = 0; page < w.pages()->count(); ++page) {
    const QSize p = w.pages()->widget(page)->minimumSizeHint();
    EXPECT_LE(p.width(), 700) << "page " << page;  // beside the ~290 px panel
  }
}

TEST(StudioDaily, AnExportShowsItsStagesAndCancelLeavesNoBundle) {
  const Project p = lenet_project();  // (a small fine-tuning budget)
  MainWindow w(p);
  ASSERT_TRUE(w.startTraining());
  ASSERT_TRUE(QTest::qWaitFor([&] { return w.runsView()->runs().size() == 1 && !w.trainingJob()->running(); },
                              bitshift::test::kTrainingTimeoutMs));
  const QString checkpoint = w.runsView()->runs().front().checkpoint;
  const QDir exports(QFileInfo(checkpoint).absolutePath() + "/../exports");
  const QString bundle = exports.filePath(QFileInfo(checkpoint).completeBaseName());

  // The worker stops at its first agreement report until Cancel has been clicked: the click
  // lands mid-export, deterministically.
  QSemaphore clicked;
  std::atomic<bool> held{false};
  QStringList stages;
  QObject::connect(w.exportJob(), &bitshift::app::ExportJob::progress, w.exportJob(),
                   [&](const QString& stage, const QString&, double) {
                     if (stage == QStringLiteral("agreement") && !held.exchange(true)) clicked.acquire();
                   }, Qt::DirectConnection);
  QObject::connect(w.exportJob(), &bitshift::app::ExportJob::progress, &w,
                   [&](const QString& stage, const QString& detail, double) { stages << stage + " " + detail; });
  QComboBox* format = w.exportPage()->formatBox();
  format->setCurrentIndex(format->findData(QStringLiteral("bundle")));
  ASSERT_TRUE(w.startExport());
  ASSERT_TRUE(QTest::qWaitFor([&] { return held.load(); }, bitshift::test::kOpenTimeoutMs));
  EXPECT_TRUE(w.exportPage()->cancelButton()->isVisibleTo(w.exportPage()));
  EXPECT_TRUE(w.exportPage()->progressBar()->isVisibleTo(w.exportPage()));
  w.exportPage()->cancelButton()->click();
  clicked.release();
  ASSERT_TRUE(QTest::qWaitFor([&] { return !w.exportJob()->running(); }, bitshift::test::kOpenTimeoutMs));
  QTest::qWait(50);  // the cancelled signal is queued
  EXPECT_EQ(w.exportPage()->verdictText(), QStringLiteral("Export cancelled"));
  EXPECT_FALSE(QFileInfo::exists(bundle)) << bundle.toStdString();
  EXPECT_TRUE(exports.entryList({QFileInfo(bundle).fileName() + ".tmp-*"}, QDir::AllEntries).isEmpty());
  EXPECT_TRUE(stages.join(',').contains(QStringLiteral("lower"))) << stages.join(',').toStdString();
  EXPECT_FALSE(w.exportPage()->cancelButton()->isVisibleTo(w.exportPage()));

  // Run again to the end: the stages count the agreement's images, and the bundle is there.
  stages.clear();
  ASSERT_TRUE(w.startExport());
  ASSERT_TRUE(QTest::qWaitFor([&] { return !w.exportJob()->running(); }, bitshift::test::kTrainingTimeoutMs));
  QTest::qWait(50);
  EXPECT_TRUE(stages.join(',').contains(QStringLiteral("agreement 2000 of 2000 images"))) << stages.join(',').toStdString();
  const QString verdict = w.exportPage()->verdictText();
  if (verdict.startsWith(QStringLiteral("NOT VERIFIED"))) GTEST_SKIP() << "no OpenCL device here";
  EXPECT_TRUE(verdict.startsWith(QStringLiteral("PASS"))) << verdict.toStdString();
  EXPECT_TRUE(QFileInfo::exists(bundle + "/MANIFEST.json"));
}

TEST(StudioDaily, TabLeavesThePlanTableForTheBulkEditor) {
  LayerTableModel model;
  LayerRow row;
  row.name = QStringLiteral("conv1");
  model.setRows({row, row});
  bitshift::widgets::LayerTableView view(&model);
  view.show();
  QApplication::setActiveWindow(&view);
  ASSERT_TRUE(QTest::qWaitForWindowActive(&view));
  view.table()->setFocus();
  QStringList reached;
  for (int i = 0; i < 6; ++i) {
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    if (auto* b = qobject_cast<QPushButton*>(QApplication::focusWidget())) reached << b->text();
    if (auto* c = qobject_cast<QComboBox*>(QApplication::focusWidget())) reached << c->toolTip();
  }
  EXPECT_TRUE(reached.contains(QStringLiteral("Weight bits for every selected row"))) << reached.join('|').toStdString();
  EXPECT_TRUE(reached.contains(QStringLiteral("Apply"))) << reached.join('|').toStdString();
}

namespace {

// Runs bitshift-cli with `args`; returns its exit code (stdout into *out when given).
int run_cli(const QStringList& args, QByteArray* out = nullptr) {
  QProcess cli;
  cli.start(QStringLiteral(BITSHIFT_CLI), args);
  if (!cli.waitForFinished(120'000)) return -1;
  if (out) *out = cli.readAllStandardOutput();
  return cli.exitCode();
}

}  // namespace

TEST(StudioDaily, APlanFromTheAllocatorLoadsAsOneUndoableEditAndASavedPlanIsWhatTheCliCosts) {
  const QString allocated = tmp("daily-allocated.plan.json");
  QFile::remove(allocated);
  ASSERT_EQ(run_cli({"allocate", "--model", "lenet5", "--method", "nice", "--edges", "quantized", "--budget",
                     "bops=w3a3", "--sensitivity", "random:3", "--out", allocated}),
            0);
  QFile f(allocated);
  ASSERT_TRUE(f.open(QIODevice::ReadOnly));
  const QJsonArray layers = QJsonDocument::fromJson(f.readAll()).object()["plan"].toObject()["layers"].toArray();
  MainWindow w(lenet_project());
  LayerTableModel* m = w.layerModel();
  const std::vector<int> before = w_bits_of(*m);
  ASSERT_EQ(layers.size(), m->rowCount());

  ASSERT_TRUE(w.loadPlan(allocated)) << w.lastError().toStdString();
  for (int i = 0; i < m->rowCount(); ++i) {
    EXPECT_EQ(m->rows()[i].name, layers[i].toObject()["layer"].toString());
    EXPECT_EQ(m->rows()[i].w_bits, layers[i].toObject()["w_bits"].toInt()) << i;
    EXPECT_EQ(m->rows()[i].a_bits, layers[i].toObject()["a_bits"].toInt()) << i;
  }
  w.undoStack()->undo();
  EXPECT_EQ(w_bits_of(*m), before);

  // A plan of another model: refused naming the file, the table as it was.
  const QString other = tmp("daily-other-model.plan.json");
  QFile::remove(other);
  ASSERT_EQ(run_cli({"allocate", "--model", "cnn3", "--budget", "bops=w4a4", "--sensitivity", "random:1", "--out", other}), 0);
  EXPECT_FALSE(w.loadPlan(other));
  EXPECT_TRUE(w.lastError().contains(other)) << w.lastError().toStdString();
  EXPECT_EQ(w_bits_of(*m), before);

  // Saved from the studio, the CLI reads it and costs it as the studio does.
  ASSERT_TRUE(m->setData(m->index(2, LayerTableModel::ColWBits), 2));
  const QString saved = tmp("daily-saved.plan.json");
  ASSERT_TRUE(w.savePlan(saved)) << w.lastError().toStdString();
  QByteArray json;
  ASSERT_EQ(run_cli({"cost", "--model", "lenet5", "--plan", saved, "--json"}, &json), 0);
  EXPECT_DOUBLE_EQ(QJsonDocument::fromJson(json).object()["bops"].toDouble(), w.costSummary()->totals().bops)
      << json.toStdString();
}
