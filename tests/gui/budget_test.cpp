// Sensitivity in the plan table and "Fit to budget", driven as a user would: the plan the
// studio fits is the one `bitshift-cli allocate` chooses for the same model, method, budget
// and lock; the sensitivity is measured once per model and method and then read back.
#include <gtest/gtest.h>

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QTest>
#include <QUndoStack>
#include <cmath>

#include "main_window.h"
#include "sensitivity_job.h"
#include "studio_fixtures.h"
#include "test_paths.h"
#include "widgets/budget_bar.h"
#include "widgets/cost_summary.h"
#include "widgets/layer_table_model.h"

using namespace bitshift;
using namespace bitshift::app;
using bitshift::test::tmp;
using widgets::LayerTableModel;

namespace {

constexpr int kMeasureTimeoutMs = 120'000;  // LeNet-5: 50 quantized evaluations of 256 images

int cli_json(const QStringList& args, QJsonObject* out) {
  QProcess cli;
  cli.start(QStringLiteral(BITSHIFT_CLI), args);
  if (!cli.waitForFinished(kMeasureTimeoutMs)) return -1;
  *out = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
  return cli.exitCode();
}

QDir cache_dir() { return QDir(qEnvironmentVariable("XDG_CACHE_HOME") + QStringLiteral("/bitshift/sensitivity")); }

bool wait_for_measurement(MainWindow& w) {
  return QTest::qWaitFor([&] { return !w.sensitivityJob()->running(); }, kMeasureTimeoutMs) &&
         (QTest::qWait(50), true);  // the queued finished() reaches the window
}

}  // namespace

TEST(StudioBudget, FitToBudgetChoosesWhatTheCliAllocatesKeepsTheLockAndUndoesInOneStep) {
  cache_dir().removeRecursively();
  MainWindow w(lenet_project());  // NICE w4a4, first/last layers quantized
  LayerTableModel* m = w.layerModel();
  constexpr int kLocked = 2;
  ASSERT_EQ(m->rows()[kLocked].name, QStringLiteral("fc1"));
  ASSERT_TRUE(m->setData(m->index(kLocked, LayerTableModel::ColLock), Qt::Checked, Qt::CheckStateRole));
  EXPECT_EQ(m->lockedLayers(), QStringList{QStringLiteral("fc1")});
  const QVector<widgets::LayerRow> before = m->rows();
  const int steps = w.undoStack()->count();

  w.budgetBar()->setBudget(widgets::BudgetBar::KindBops, QStringLiteral("w3a3"));
  ASSERT_TRUE(w.fitToBudget()) << w.lastError().toStdString();
  ASSERT_TRUE(wait_for_measurement(w));
  ASSERT_EQ(w.undoStack()->count(), steps + 1) << w.lastError().toStdString();
  EXPECT_TRUE(m->hasSensitivity());
  for (int r = 0; r < m->rowCount(); ++r)
    EXPECT_FALSE(std::isnan(m->sensitivityAt(r))) << r;

  // The same decision from the CLI, which measures its own sensitivity (same images, seed).
  QJsonObject allocated;
  ASSERT_EQ(cli_json({"allocate", "--model", "lenet5", "--method", "nice", "--edges", "quantized", "--budget",
                      "bops=w3a3", "--layer",
                      QStringLiteral("fc1=%1/%2").arg(before[kLocked].w_bits).arg(before[kLocked].a_bits),
                      "--json"},
                     &allocated),
            0);
  const QJsonArray layers = allocated["plan"].toObject()["layers"].toArray();
  ASSERT_EQ(layers.size(), m->rowCount());
  for (int i = 0; i < m->rowCount(); ++i) {
    EXPECT_EQ(m->rows()[i].w_bits, layers[i].toObject()["w_bits"].toInt()) << i;
    EXPECT_EQ(m->rows()[i].a_bits, layers[i].toObject()["a_bits"].toInt()) << i;
  }
  EXPECT_EQ(m->rows()[kLocked].w_bits, before[kLocked].w_bits);  // locked
  EXPECT_EQ(m->rows()[kLocked].a_bits, before[kLocked].a_bits);
  const double budget = allocated["budget"].toObject()["value"].toDouble();
  EXPECT_DOUBLE_EQ(w.costSummary()->totals().bops, allocated["cost"].toDouble());
  EXPECT_LE(w.costSummary()->totals().bops, budget);
  EXPECT_TRUE(w.budgetBar()->bar()->text().contains(QStringLiteral("of the budget")))
      << w.budgetBar()->bar()->text().toStdString();

  w.undoStack()->undo();  // the whole fit
  for (int i = 0; i < m->rowCount(); ++i) EXPECT_EQ(m->rows()[i].w_bits, before[i].w_bits) << i;

  // An unreachable budget: said, naming it; the table stays.
  w.budgetBar()->setBudget(widgets::BudgetBar::KindBops, QStringLiteral("1000"));
  EXPECT_FALSE(w.fitToBudget());
  EXPECT_TRUE(w.lastError().contains(QStringLiteral("bops=1000 is below the cheapest plan")))
      << w.lastError().toStdString();
  for (int i = 0; i < m->rowCount(); ++i) EXPECT_EQ(m->rows()[i].w_bits, before[i].w_bits) << i;
}

TEST(StudioBudget, SensitivityIsMeasuredOncePerModelAndMethodThenReadFromTheCache) {
  cache_dir().removeRecursively();
  QString file;
  QDateTime written;
  {
    MainWindow w(lenet_project());
    ASSERT_TRUE(w.measureSensitivity());
    ASSERT_TRUE(wait_for_measurement(w));
    ASSERT_TRUE(w.layerModel()->hasSensitivity()) << w.lastError().toStdString();
    const QStringList files = cache_dir().entryList({QStringLiteral("*.json")}, QDir::Files);
    ASSERT_EQ(files.size(), 1);
    file = cache_dir().filePath(files.front());
    written = QFileInfo(file).lastModified();
  }
  MainWindow again(lenet_project());
  EXPECT_FALSE(again.layerModel()->hasSensitivity());  // not until asked
  ASSERT_TRUE(again.measureSensitivity());
  ASSERT_TRUE(wait_for_measurement(again));
  EXPECT_TRUE(again.layerModel()->hasSensitivity());
  EXPECT_EQ(QFileInfo(file).lastModified(), written) << "read back, not measured and written again";
  EXPECT_EQ(cache_dir().entryList({QStringLiteral("*.json")}, QDir::Files).size(), 1);
}

TEST(StudioBudget, CancellingTheMeasurementLeavesThePlanAndShowsNoSensitivity) {
  cache_dir().removeRecursively();
  MainWindow w(lenet_project());
  const int steps = w.undoStack()->count();
  ASSERT_TRUE(w.fitToBudget());
  ASSERT_FALSE(w.budgetBar()->cancelButton()->isHidden());  // the window is not shown offscreen
  w.budgetBar()->cancelButton()->click();
  ASSERT_TRUE(wait_for_measurement(w));
  EXPECT_FALSE(w.layerModel()->hasSensitivity());
  EXPECT_EQ(w.undoStack()->count(), steps);
  EXPECT_TRUE(cache_dir().entryList({QStringLiteral("*.json")}, QDir::Files).isEmpty());
}

TEST(StudioBudget, TheBudgetAndTheLocksAreSavedWithTheProject) {
  const QString path = tmp("budget-locks.bitshift.json");
  {
    MainWindow w(lenet_project());
    LayerTableModel* m = w.layerModel();
    ASSERT_TRUE(m->setData(m->index(3, LayerTableModel::ColLock), Qt::Checked, Qt::CheckStateRole));
    EXPECT_TRUE(w.isModified());
    w.budgetBar()->setBudget(widgets::BudgetBar::KindWeights, QStringLiteral("12"));
    ASSERT_TRUE(w.saveProject(path)) << w.lastError().toStdString();
  }
  Project p;
  QString error;
  ASSERT_TRUE(load_project(path, &p, &error)) << error.toStdString();
  EXPECT_EQ(p.budget, QStringLiteral("weights=12"));
  EXPECT_EQ(p.locked, QStringList{QStringLiteral("fc2")});
  MainWindow again(p);
  EXPECT_EQ(again.budgetBar()->budgetText(), QStringLiteral("weights=12"));
  EXPECT_EQ(again.layerModel()->lockedLayers(), QStringList{QStringLiteral("fc2")});
  EXPECT_FALSE(again.isModified());
}
