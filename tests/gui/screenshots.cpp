// Screenshots of every page of the studio in a real X window (run under xvfb-run by ctest),
// after two short training runs and an export, and of an imported ONNX model's plan (and of the
// message for one made for another input shape, and of it re-headed on a folder of photos), saved
// as PNGs to the folder given. Fails when a run or the export does not finish, a model does not
// open (or the wrong one does), or when a page renders as a blank image. Screenshot 1d: LeNet-5
// fitted to a budget, sensitivity shaded. Screenshot 8: an
// imported MobileNetV3 trained with LSQ, the plots on a squeeze-excitation gate.
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QImage>
#include <QSet>
#include <QTabWidget>
#include <QTest>
#include <cstdio>

#include "export_job.h"
#include "export_page.h"
#include "fpga_estimator.h"
#include "main_window.h"
#include "model_panel.h"
#include "photo_folder.h"
#include "sensitivity_job.h"
#include "training_job.h"
#include "training_page.h"
#include "widgets/budget_bar.h"
#include "widgets/layer_table_model.h"
#include "widgets/runs_view.h"

using bitshift::app::MainWindow;

namespace {

constexpr int kTimeoutMs = 600'000;
constexpr int kMinColours = 40;  // a blank or unpainted page has a handful

bool shoot(MainWindow& w, const QString& dir, const QString& name) {
  QTest::qWait(300);  // queued replots land
  const QImage image = w.grab().toImage();
  QSet<QRgb> colours;
  for (int y = 0; y < image.height(); y += 3)
    for (int x = 0; x < image.width(); x += 3) colours.insert(image.pixel(x, y));
  const QString path = QDir(dir).filePath(name + ".png");
  const bool saved = image.save(path);
  std::printf("%s: %dx%d, %lld colours%s\n", qPrintable(path), image.width(), image.height(),
              static_cast<long long>(colours.size()), saved ? "" : " (NOT SAVED)");
  return saved && colours.size() >= kMinColours;
}

bool estimated(MainWindow& w) {
  return QTest::qWaitFor([&] { return w.fpgaEstimator()->idle(); }, kTimeoutMs);
}

// UserNet as torch.onnx.export wrote it, then torchvision's ResNet-18 traced at 3x64x64, which
// does not fit the default data's 1x28x28: the message shows, UserNet stays.
bool shoot_import(const bitshift::app::Project& p, const QString& dir) {
  MainWindow w(p);
  w.resize(1400, 860);
  w.show();
  if (!QTest::qWaitForWindowExposed(&w)) return false;
  bool ok = w.openModelFile(QStringLiteral(BITSHIFT_IMPORT_FIXTURES "/usernet.onnx"));
  std::printf("usernet.onnx: %s\n", ok ? "opened" : qPrintable(w.lastError()));
  ok = estimated(w) && ok;
  ok = shoot(w, dir, QStringLiteral("5-import")) && ok;
  // A model quantized by Brevitas (its QCDQ export): the plan table shows the file's own plan.
  const bool quantized =
      w.openModelFile(QStringLiteral(BITSHIFT_BREVITAS_FIXTURES "/brevitas.qcdq.onnx"));
  std::printf("brevitas.qcdq.onnx: %s\n", quantized ? "opened" : qPrintable(w.lastError()));
  ok = estimated(w) && shoot(w, dir, QStringLiteral("5b-import-quantized")) && quantized && ok;
  const bool refused = !w.openModelFile(QStringLiteral(BITSHIFT_IMPORT_FIXTURES "/resnet18.pt"));
  std::printf("resnet18.pt: %s\n", qPrintable(w.lastError()));
  return shoot(w, dir, QStringLiteral("6-import-refused")) && refused && ok;
}

// LeNet-5 fitted to the BOPs of uniform w3a3 with fc1 locked: the sensitivity column shaded,
// the budget bar filled.
bool shoot_budget(const QString& dir) {
  bitshift::app::Project p;
  p.model = QStringLiteral("lenet5");
  p.method = QStringLiteral("nice");
  p.preset = QStringLiteral("w4a4");
  p.edges = QStringLiteral("quantized");
  MainWindow w(p);
  w.resize(1400, 860);
  w.show();
  if (!QTest::qWaitForWindowExposed(&w)) return false;
  auto* m = w.layerModel();
  m->setData(m->index(2, bitshift::widgets::LayerTableModel::ColLock), Qt::Checked, Qt::CheckStateRole);
  w.budgetBar()->setBudget(bitshift::widgets::BudgetBar::KindBops, QStringLiteral("w3a3"));
  bool ok = w.fitToBudget();
  ok = QTest::qWaitFor([&] { return !w.sensitivityJob()->running(); }, kTimeoutMs) && ok;
  QTest::qWait(100);
  std::printf("fit to budget: %s\n", m->hasSensitivity() ? "fitted" : qPrintable(w.lastError()));
  return estimated(w) && shoot(w, dir, QStringLiteral("1d-plan-fitted-to-budget")) && ok && m->hasSensitivity();
}

// UserNet (10 classes, 1x28x28) on a folder of 3 classes of colour photos: re-headed, fitted.
bool shoot_photos(bitshift::app::Project p, const QString& dir) {
  p.model = QStringLiteral(BITSHIFT_IMPORT_FIXTURES "/usernet.onnx");
  p.data = bitshift::test::write_photo_folder(QDir(dir).filePath(QStringLiteral("photos")));
  MainWindow w(p);
  w.resize(1400, 860);
  w.show();
  if (!QTest::qWaitForWindowExposed(&w)) return false;
  std::printf("usernet.onnx on photos: %s\n",
              w.lastError().isEmpty() ? "opened" : qPrintable(w.lastError()));
  return estimated(w) && shoot(w, dir, QStringLiteral("7-photos-reheaded")) &&
         w.lastError().isEmpty();
}

bool train(MainWindow& w, int runs);

// torchvision's MobileNetV3-Small (ONNX) fine-tuned a little with LSQ at w8a8: the plots follow
// a squeeze-excitation gate, whose own grid trains like a layer's input.
bool shoot_gates(bitshift::app::Project p, const QString& dir) {
  p.model = QStringLiteral(BITSHIFT_IMPORT_FIXTURES "/mobilenet_v3_small.onnx");
  p.method = QStringLiteral("lsq");
  p.preset = QStringLiteral("w8a8");
  p.training.train_limit = 1024;
  p.training.test_limit = 256;
  MainWindow w(p);
  w.resize(1400, 860);
  w.show();
  if (!QTest::qWaitForWindowExposed(&w) || !train(w, 1)) return false;
  const QString gate = QStringLiteral("features.1.block.1.scale_activation");
  auto* plots = w.trainingPage()->plots();
  plots->setLayerShown(gate, true);
  plots->setHistogramLayer(gate);
  plots->flush();
  w.showPage(MainWindow::PageTraining);
  return shoot(w, dir, QStringLiteral("8-gate-training")) && plots->layers().contains(gate);
}

bool train(MainWindow& w, int runs) {
  if (!w.startTraining()) return false;
  return QTest::qWaitFor(
      [&] { return w.runsView()->runs().size() >= runs && !w.trainingJob()->running(); },
      kTimeoutMs);
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: studio_screenshots OUTPUT_DIR\n");
    return 2;
  }
  const QString dir = QString::fromLocal8Bit(argv[1]);
  QDir().mkpath(dir);

  bitshift::app::Project p;               // the default: ResNet-20 on Fashion-MNIST
  p.edges = QStringLiteral("quantized");  // every layer on integers, so the export can verify
  p.training.train_limit = 3072;
  p.training.test_limit = 1000;
  bool ok = shoot_budget(dir);
  ok = shoot_import(p, dir) && ok;
  ok = shoot_photos(p, dir) && ok;
  ok = shoot_gates(p, dir) && ok;

  // The main window's runs train on two local processes (the window is rank 0 and plots).
  qputenv("BITSHIFT_CLI", BITSHIFT_CLI);
  bitshift::app::Project spread = p;
  spread.training.processes = 2;
  MainWindow w(spread);
  w.resize(1400, 860);
  w.show();
  if (!QTest::qWaitForWindowExposed(&w)) return 1;
  ok = shoot(w, dir, QStringLiteral("1-plan")) && ok;

  ok = train(w, 1) && ok;
  // The second run: 3-bit weights and activations wherever the first had 4.
  QList<int> rows;
  for (int i = 0; i < w.layerModel()->rowCount(); ++i)
    if (w.layerModel()->rows()[i].w_bits == 4) rows << i;
  w.layerModel()->setColumnForRows(rows, bitshift::widgets::LayerTableModel::ColWBits, 3);
  w.layerModel()->setColumnForRows(rows, bitshift::widgets::LayerTableModel::ColABits, 3);
  const QString path = QDir(dir).filePath(QStringLiteral("screenshots.bitshift.json"));
  ok = w.saveProject(path) && ok;
  w.showPage(MainWindow::PageTraining);
  ok = shoot(w, dir, QStringLiteral("2-training")) && ok;

  ok = train(w, 2) && ok;
  w.runsView()->selectPair(0, 1);
  w.showPage(MainWindow::PageCompare);
  ok = shoot(w, dir, QStringLiteral("3-compare")) && ok;

  // The run in each export format: the verified bundle, QDQ ONNX, QONNX.
  auto export_as = [&](const char* format, const char* verdict, const char* shot) {
    QComboBox* box = w.exportPage()->formatBox();
    box->setCurrentIndex(box->findData(QString::fromLatin1(format)));
    bool done = w.startExport();
    done = QTest::qWaitFor([&] { return !w.exportJob()->running(); }, kTimeoutMs) && done;
    QTest::qWait(100);
    std::printf("export (%s): %s\n", format, qPrintable(w.exportPage()->verdictText()));
    done = w.exportPage()->verdictText().startsWith(QString::fromLatin1(verdict)) && done;
    return shoot(w, dir, QString::fromLatin1(shot)) && done;
  };
  ok = export_as("bundle", "PASS", "4-export") && ok;
  ok = export_as("qdq", "WRITTEN: QDQ ONNX", "4b-export-qdq") && ok;
  ok = export_as("qonnx", "WRITTEN: QONNX", "4c-export-qonnx") && ok;

  // Every page in a small window (1000x700): nothing clipped.
  w.resize(1000, 700);
  std::printf("window needs at least %dx%d\n", w.minimumSizeHint().width(), w.minimumSizeHint().height());
  ok = w.minimumSizeHint().width() <= 1000 && w.minimumSizeHint().height() <= 700 && ok;  // else clipped or grown
  const char* small[] = {"9a-small-plan", "9b-small-training", "9c-small-compare", "9d-small-export"};
  for (int page = 0; page < 4; ++page) {
    w.showPage(static_cast<MainWindow::Page>(page));
    const QSize need = w.pages()->widget(page)->minimumSizeHint();
    std::printf("page %d needs at least %dx%d\n", page, need.width(), need.height());
    ok = shoot(w, dir, QString::fromLatin1(small[page])) && ok;
  }
  w.resize(1400, 860);
  w.showPage(MainWindow::PagePlan);
  // The method's own policy keeps the first layer in FP32: the page says the plan will not export.
  QComboBox* edges = w.modelPanel()->edgesBox();
  edges->setCurrentIndex(edges->findData(QStringLiteral("first-fp")));
  QTest::qWait(50);
  ok = estimated(w) && shoot(w, dir, QStringLiteral("1b-plan-not-exportable")) && ok;
  // NICE cannot binarise weights: no cost numbers, the refused cell shaded.
  w.layerModel()->setData(w.layerModel()->index(1, bitshift::widgets::LayerTableModel::ColWBits), 1);
  ok = shoot(w, dir, QStringLiteral("1c-plan-invalid")) && ok;
  return ok ? 0 : 1;
}
