// The studio on models from outside, driven as a user drives it (offscreen): File › Open model…
// and drag and drop of ONNX and TorchScript files (fixtures written by the real exporters,
// tests/core/import/make_fixtures.py), their layers and new ops in the plan table, the cost strip,
// a short run on the live plots and the compare page; a file that cannot be opened is a message
// naming it, and the model open before stays.
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QColor>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QImage>
#include <QMap>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QStatusBar>
#include <QTest>
#include <QUrl>

#include "engine_reference.h"
#include "main_window.h"
#include "model_panel.h"
#include "photo_folder.h"
#include "plan_entries.h"
#include "test_paths.h"
#include "training_job.h"
#include "training_page.h"
#include "widgets/cost_summary.h"
#include "widgets/layer_table_model.h"
#include "widgets/runs_view.h"
#include "widgets/training_plots.h"

using bitshift::app::MainWindow;
using bitshift::app::ModelPanel;
using bitshift::app::Project;
using bitshift::test::fixture;
using bitshift::test::kOpenTimeoutMs;
using bitshift::test::kTrainingTimeoutMs;
using bitshift::test::plan_entries;
using bitshift::test::reference_bops;
using bitshift::test::reference_layers;
using bitshift::widgets::LayerRow;
using bitshift::widgets::LayerTableModel;

namespace {

// LeNet-5 from its shipped baseline: the model open before the file.
Project lenet_before_import() {
  Project p;
  p.model = QStringLiteral("lenet5");
  p.training.epochs = 1;
  p.training.train_limit = 512;
  p.training.test_limit = 256;
  return p;
}

std::vector<std::string> row_names(const LayerTableModel& m) {
  std::vector<std::string> out;
  for (const auto& r : m.rows()) out.push_back(r.name.toStdString());
  return out;
}

QMap<QString, QString> types_by_name(const LayerTableModel& m) {
  QMap<QString, QString> out;
  for (const auto& r : m.rows()) out[r.name] = r.type;
  return out;
}

// Drags `path` onto the window and drops it, as a file manager does; false when the window
// refuses the drag.
bool drop_file(MainWindow& w, const QString& path) {
  QMimeData mime;
  mime.setUrls({QUrl::fromLocalFile(path)});
  const QPoint at(w.width() / 2, w.height() / 2);
  QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&w, &enter);
  if (!enter.isAccepted()) return false;
  QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&w, &drop);
  return drop.isAccepted();
}

QString photo_folder() {
  return bitshift::test::write_photo_folder(QStringLiteral(BITSHIFT_TEST_TMP "/studio-photos"));
}

void write_file(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  ASSERT_TRUE(f.open(QIODevice::WriteOnly | QIODevice::Truncate)) << path.toStdString();
  f.write(bytes);
}

}  // namespace

TEST(StudioImport, OpenModelFillsThePlanWithTheOnnxLayersAndTheirOps) {
  MainWindow w(lenet_before_import());
  const double zoo_bops = w.costSummary()->totals().bops;
  const QString zoo_text = w.costSummary()->bopsText();
  const QString path = fixture("usernet.onnx");
  ASSERT_TRUE(w.openModelFile(path)) << w.lastError().toStdString();
  EXPECT_TRUE(w.lastError().isEmpty()) << w.lastError().toStdString();
  EXPECT_EQ(w.modelPanel()->model(), path);
  EXPECT_EQ(w.modelPanel()->modelBox()->currentText(),
            QStringLiteral("usernet.onnx"));  // not the path
  EXPECT_TRUE(w.windowTitle().contains(QStringLiteral("usernet"))) << w.windowTitle().toStdString();

  // One row per weight layer, with the source's names, in the engine's order.
  const std::vector<std::string> names = row_names(*w.layerModel());
  EXPECT_EQ(names, reference_layers(path.toStdString()));
  const std::vector<std::string> expected = {"conv1",     "conv_wide", "conv_down", "conv_dilated",
                                             "depthwise", "pointwise", "se_reduce", "se_expand",
                                             "head",      "fc"};
  EXPECT_EQ(names, expected);
  // The op column: each layer with the activation it feeds.
  const auto type = types_by_name(*w.layerModel());
  EXPECT_EQ(type["conv1"], QStringLiteral("conv2d → relu"));
  EXPECT_EQ(type["conv_wide"], QStringLiteral("conv2d → leaky_relu"));
  EXPECT_EQ(type["conv_down"], QStringLiteral("conv2d → hardswish"));
  EXPECT_EQ(type["conv_dilated"], QStringLiteral("conv2d → silu"));
  EXPECT_EQ(type["depthwise"], QStringLiteral("conv2d → clip"));
  EXPECT_EQ(type["se_expand"], QStringLiteral("conv2d → sigmoid"));
  EXPECT_EQ(type["pointwise"], QStringLiteral("conv2d"));  // read by the pool and the mul
  EXPECT_EQ(type["fc"], QStringLiteral("linear"));
  // The preset went to every row.
  for (const LayerRow& r : w.layerModel()->rows())
    EXPECT_EQ(r.method, QStringLiteral("nice")) << r.name.toStdString();

  // The cost strip: the engine's BOPs of this model and plan, not the zoo model's.
  const double bops = w.costSummary()->totals().bops;
  EXPECT_TRUE(w.costSummary()->totals().problem.isEmpty())
      << w.costSummary()->totals().problem.toStdString();
  EXPECT_GT(bops, 0);
  EXPECT_DOUBLE_EQ(bops, reference_bops(path.toStdString(), plan_entries(*w.layerModel())));
  EXPECT_NE(bops, zoo_bops);
  EXPECT_TRUE(
      w.costSummary()->bopsText().contains(bitshift::widgets::CostSummary::formatBops(bops)))
      << w.costSummary()->bopsText().toStdString();
  EXPECT_NE(w.costSummary()->bopsText(), zoo_text);
  EXPECT_EQ(w.costSummary()->totals().macs, 3780384);  // bitshift-cli summary's total
}

TEST(StudioImport, AModelForOtherClassesOpensOnAPhotoFolderReheadedAndSaysSo) {
  Project p = lenet_before_import();
  p.model = fixture("usernet.onnx");
  p.data = photo_folder();
  MainWindow w(p);
  EXPECT_TRUE(w.lastError().isEmpty()) << w.lastError().toStdString();
  const QString origin = w.modelPanel()->origin();
  EXPECT_TRUE(origin.contains(
      QStringLiteral("Classes: 'fc' replaced by a new layer with 3 outputs (was 10)")))
      << origin.toStdString();
  EXPECT_TRUE(origin.contains(QStringLiteral("colour turned to luminance")))
      << origin.toStdString();
  // The cost strip counts the new head: fc is 3x256 instead of 10x256 multiply-accumulates.
  EXPECT_EQ(w.costSummary()->totals().macs, 3780384 - 7 * 256);
}

TEST(StudioImport, FileMenuOffersOpenModelOnCtrlShiftO) {
  MainWindow w(lenet_before_import());
  QMenu* file = w.menuBar()->actions().front()->menu();
  ASSERT_NE(file, nullptr);
  QAction* open_model = nullptr;
  for (QAction* a : file->actions())
    if (a->shortcut() == QKeySequence(QStringLiteral("Ctrl+Shift+O"))) open_model = a;
  ASSERT_NE(open_model, nullptr);
  EXPECT_EQ(open_model->text().remove(QLatin1Char('&')), QStringLiteral("Open model…"));
  EXPECT_TRUE(ModelPanel::modelFileFilter().startsWith(
      QStringLiteral("Models (*.onnx *.pt *.pth *.bsck)")));
  for (const char* f : {"a.onnx", "b.PT", "c.pth", "d.bsck"})
    EXPECT_TRUE(ModelPanel::isModelFile(QLatin1String(f))) << f;
  for (const char* f : {"a.txt", "onnx", "b.bitshift.json"})
    EXPECT_FALSE(ModelPanel::isModelFile(QLatin1String(f))) << f;
}

TEST(StudioImport, ADroppedTorchScriptFileOpens) {
  MainWindow w(lenet_before_import());
  const auto lenet_rows = row_names(*w.layerModel());
  // Something the studio does not open is refused at once.
  const QString text = QStringLiteral(BITSHIFT_TEST_TMP "/studio-drop.txt");
  write_file(text, "not a model");
  EXPECT_FALSE(drop_file(w, text));
  QTest::qWait(50);
  EXPECT_EQ(row_names(*w.layerModel()), lenet_rows);

  const QString path = fixture("usernet.pt");
  ASSERT_TRUE(drop_file(w, path));
  ASSERT_TRUE(QTest::qWaitFor([&] { return w.modelPanel()->model() == path; }, kOpenTimeoutMs));
  EXPECT_TRUE(w.lastError().isEmpty()) << w.lastError().toStdString();
  const std::vector<std::string> names = row_names(*w.layerModel());
  EXPECT_EQ(names, reference_layers(path.toStdString()));
  ASSERT_EQ(names.size(), 10u);
  EXPECT_EQ(names[1], "conv_wide");
  EXPECT_EQ(names[6], "se_reduce");
  // TorchScript keeps the batch norms: the activation is found behind them.
  const auto type = types_by_name(*w.layerModel());
  EXPECT_EQ(type["conv1"], QStringLiteral("conv2d → relu"));      // conv1 → bn1 → relu
  EXPECT_EQ(type["depthwise"], QStringLiteral("conv2d → clip"));  // depthwise → bn2 → clip
  EXPECT_EQ(type["conv_down"], QStringLiteral("conv2d → hardswish"));
  EXPECT_DOUBLE_EQ(w.costSummary()->totals().bops,
                   reference_bops(path.toStdString(), plan_entries(*w.layerModel())));
}

TEST(StudioImport, ADroppedProjectOpensWithItsPlan) {
  const QString path = QStringLiteral(BITSHIFT_TEST_TMP "/dropped.bitshift.json");
  {
    MainWindow w(lenet_before_import());
    LayerTableModel* m = w.layerModel();
    ASSERT_TRUE(m->setData(m->index(2, LayerTableModel::ColWBits), 3));
    ASSERT_TRUE(w.saveProject(path)) << w.lastError().toStdString();
  }
  MainWindow w(lenet_before_import());
  ASSERT_EQ(w.layerModel()->rows()[2].w_bits, 4);
  ASSERT_TRUE(drop_file(w, path));
  ASSERT_TRUE(
      QTest::qWaitFor([&] { return w.layerModel()->rows()[2].w_bits == 3; }, kOpenTimeoutMs))
      << w.lastError().toStdString();
  EXPECT_TRUE(w.lastError().isEmpty()) << w.lastError().toStdString();
}

TEST(StudioImport, ABrokenOnnxFileIsAMessageNamingItAndThePreviousModelStays) {
  const QString bad = QStringLiteral(BITSHIFT_TEST_TMP "/studio-broken.onnx");
  write_file(bad, "this is not a model");
  MainWindow w(lenet_before_import());
  LayerTableModel* m = w.layerModel();
  ASSERT_TRUE(m->setData(m->index(1, LayerTableModel::ColWBits), 2));  // an edit that must survive
  const QVector<LayerRow> before = m->rows();
  const double bops = w.costSummary()->totals().bops;
  const QString title = w.windowTitle();

  EXPECT_FALSE(w.openModelFile(bad));
  EXPECT_TRUE(w.lastError().contains(bad)) << w.lastError().toStdString();
  EXPECT_EQ(w.statusBar()->currentMessage(), w.lastError());
  EXPECT_EQ(w.modelPanel()->model(), QStringLiteral("lenet5"));
  EXPECT_EQ(w.modelPanel()->modelBox()->findData(bad), -1);  // not left in the box
  ASSERT_EQ(m->rowCount(), before.size());
  for (int i = 0; i < before.size(); ++i) {
    EXPECT_EQ(m->rows()[i].name, before[i].name) << i;
    EXPECT_EQ(m->rows()[i].w_bits, before[i].w_bits) << i;
  }
  EXPECT_DOUBLE_EQ(w.costSummary()->totals().bops, bops);
  EXPECT_EQ(w.windowTitle(), title);
  // The project as it would be saved still names LeNet-5.
  EXPECT_EQ(w.project().model, QStringLiteral("lenet5"));

  // Dropped, the same file says the same.
  ASSERT_TRUE(drop_file(w, bad));
  QTest::qWait(100);
  EXPECT_TRUE(w.lastError().contains(bad)) << w.lastError().toStdString();
  EXPECT_EQ(m->rows()[1].w_bits, 2);
}

TEST(StudioImport, AModelForAnotherInputShapeNamesItAndTheImportedModelStays) {
  MainWindow w(lenet_before_import());
  const QString usernet = fixture("usernet.onnx");
  ASSERT_TRUE(w.openModelFile(usernet)) << w.lastError().toStdString();
  const auto names = row_names(*w.layerModel());
  const double bops = w.costSummary()->totals().bops;

  // torchvision's ResNet-18 traced at 3x64x64: a TorchScript file records no input shape, so it
  // is read at the data's 1x28x28, where its first convolution does not fit.
  const QString resnet = fixture("resnet18.pt");
  EXPECT_FALSE(w.openModelFile(resnet));
  const QString error = w.lastError();
  EXPECT_TRUE(error.contains(resnet)) << error.toStdString();
  EXPECT_TRUE(error.contains(QStringLiteral("1x28x28"))) << error.toStdString();
  EXPECT_TRUE(error.contains(QStringLiteral("conv1"))) << error.toStdString();
  EXPECT_EQ(w.modelPanel()->model(), usernet);
  EXPECT_EQ(w.modelPanel()->modelBox()->findData(resnet), -1);
  EXPECT_EQ(row_names(*w.layerModel()), names);
  EXPECT_DOUBLE_EQ(w.costSummary()->totals().bops, bops);
}

TEST(StudioImport, AnImportedModelTrainsWithLivePlotsAndARowOnTheComparePage) {
  MainWindow w(lenet_before_import());
  const QString path = fixture("usernet.onnx");
  ASSERT_TRUE(w.openModelFile(path)) << w.lastError().toStdString();
  const double bops = w.costSummary()->totals().bops;
  ASSERT_TRUE(w.startTraining()) << w.lastError().toStdString();
  ASSERT_TRUE(QTest::qWaitFor(
      [&] { return !w.runsView()->runs().isEmpty() && !w.trainingJob()->running(); },
      kTrainingTimeoutMs))
      << w.trainingPage()->statusText().toStdString() << " " << w.lastError().toStdString();
  const auto* plots = w.trainingPage()->plots();
  EXPECT_GT(plots->lossPoints(), 0);
  EXPECT_GT(plots->accuracyPoints(), 0);
  EXPECT_GT(plots->tracePoints(), 0);
  EXPECT_GT(plots->histogramBins(), 0);

  ASSERT_EQ(w.runsView()->runs().size(), 1);
  const auto& run = w.runsView()->runs().front();
  EXPECT_TRUE(run.name.startsWith(QStringLiteral("usernet.onnx nice w4a4")))
      << run.name.toStdString();
  EXPECT_EQ(run.model, path);
  EXPECT_EQ(run.plan.size(), 10);
  EXPECT_EQ(run.plan[1].name, QStringLiteral("conv_wide"));
  EXPECT_DOUBLE_EQ(run.bops, bops);  // the run costs what the strip said
  EXPECT_EQ(w.runsView()->scatterPoints(), 1);
}

TEST(StudioImport, AnImportedMobileNetV3QuantizesWithLsqMinMaxAndNiceAndItsGatesShowTheirHistograms) {
  // Hard-swish, squeeze-excitation gates (hard-sigmoid times the features): every table and
  // product sits between grids, and the gates' grids train and show up like any layer's.
  Project p = lenet_before_import();
  p.method = QStringLiteral("lsq");
  p.preset = QStringLiteral("w8a8");
  p.training.train_limit = 128;
  p.training.test_limit = 64;
  MainWindow w(p);
  ASSERT_TRUE(w.openModelFile(fixture("mobilenet_v3_small.onnx"))) << w.lastError().toStdString();
  for (const auto& r : w.layerModel()->rows()) EXPECT_EQ(r.method, QStringLiteral("lsq"));
  ASSERT_TRUE(w.startTraining()) << w.lastError().toStdString();
  const QString gate = QStringLiteral("features.1.block.1.scale_activation");
  auto* plots = w.trainingPage()->plots();
  EXPECT_TRUE(plots->layers().contains(gate)) << plots->layers().join(' ').toStdString();
  QStringList listed = plots->layers();
  EXPECT_EQ(listed.removeDuplicates(), 0) << listed.join(' ').toStdString();
  // fc2's own output, the gate's input, goes by its own name, not by fc2's.
  EXPECT_TRUE(listed.contains(QStringLiteral("features.1.block.1.fc2 (output)")));
  ASSERT_TRUE(QTest::qWaitFor(
      [&] { return !w.runsView()->runs().isEmpty() && !w.trainingJob()->running(); },
      kTrainingTimeoutMs))
      << w.trainingPage()->statusText().toStdString() << " " << w.lastError().toStdString();
  EXPECT_TRUE(w.runsView()->runs().front().name.startsWith(
      QStringLiteral("mobilenet_v3_small.onnx lsq w8a8")))
      << w.runsView()->runs().front().name.toStdString();
  plots->setHistogramLayer(gate);
  plots->flush();
  EXPECT_GT(plots->histogramBins(), 0);  // the gate's activation error histogram

  // The same model with the other methods, chosen in the panel as a user does.
  QComboBox* method = w.modelPanel()->methodBox();
  int runs = 1;
  for (const char* id : {"minmax", "nice"}) {
    method->setCurrentIndex(method->findData(QString::fromLatin1(id)));
    for (const auto& r : w.layerModel()->rows()) ASSERT_EQ(r.method, QString::fromLatin1(id));
    ASSERT_TRUE(w.startTraining()) << id << " " << w.lastError().toStdString();
    ++runs;
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return w.runsView()->runs().size() == runs && !w.trainingJob()->running(); },
        kTrainingTimeoutMs))
        << id << " " << w.trainingPage()->statusText().toStdString();
    const auto& run = w.runsView()->runs().back();
    EXPECT_TRUE(run.name.startsWith(QStringLiteral("mobilenet_v3_small.onnx %1 w8a8").arg(id)))
        << run.name.toStdString();
    EXPECT_GT(run.top1, 0.0) << id;
  }
}
