// Project files: a round trip keeps everything; a bad file is refused with its name.
#include <gtest/gtest.h>

#include <QFile>

#include "project.h"
#include "test_paths.h"

using namespace bitshift::app;

using bitshift::test::tmp;

TEST(Project, SaveThenLoadKeepsPlanSettingsAndRuns) {
  Project p;
  p.model = QStringLiteral("lenet5");
  p.method = QStringLiteral("lsq");
  p.preset = QStringLiteral("w3a3");
  p.edges = QStringLiteral("first-fp");
  bitshift::widgets::LayerRow row;
  row.name = QStringLiteral("conv2");
  row.type = QStringLiteral("conv2d");
  row.shape = QStringLiteral("16x10x10");
  row.params = 2416;
  row.macs = 240000;
  row.w_bits = 3;
  row.a_bits = 5;
  row.method = QStringLiteral("lsq");
  p.plan = {row};
  p.training.epochs = 3;
  p.training.lr = 0.0125;
  p.training.train_limit = 4096;
  bitshift::widgets::RunRow run;
  run.name = QStringLiteral("lenet5 lsq w3a3 #1");
  run.top1 = 90.25;
  run.bops = 1.5e8;
  run.weight_bits = 123456;
  run.checkpoint = QStringLiteral("/x/y.bsck");
  run.plan = {row};
  p.runs = {run};
  p.last_bundle = QStringLiteral("/x/bundle");

  QString error;
  ASSERT_TRUE(save_project(p, tmp("roundtrip.bitshift.json"), &error)) << error.toStdString();
  Project q;
  ASSERT_TRUE(load_project(tmp("roundtrip.bitshift.json"), &q, &error)) << error.toStdString();
  EXPECT_EQ(q.model, p.model);
  EXPECT_EQ(q.method, p.method);
  EXPECT_EQ(q.preset, p.preset);
  EXPECT_EQ(q.edges, p.edges);
  ASSERT_EQ(q.plan.size(), 1);
  EXPECT_EQ(q.plan[0].name, row.name);
  EXPECT_EQ(q.plan[0].w_bits, 3);
  EXPECT_EQ(q.plan[0].a_bits, 5);
  EXPECT_EQ(q.plan[0].macs, 240000);
  EXPECT_EQ(q.training.epochs, 3);
  EXPECT_DOUBLE_EQ(q.training.lr, 0.0125);
  EXPECT_EQ(q.training.train_limit, 4096);
  ASSERT_EQ(q.runs.size(), 1);
  EXPECT_EQ(q.runs[0].name, run.name);
  EXPECT_DOUBLE_EQ(q.runs[0].top1, 90.25);
  EXPECT_EQ(q.runs[0].weight_bits, 123456);
  EXPECT_EQ(q.runs[0].plan.size(), 1);
  EXPECT_EQ(q.last_bundle, p.last_bundle);
}

TEST(Project, NotJsonIsRefusedNamingTheFile) {
  QFile f(tmp("broken.bitshift.json"));
  ASSERT_TRUE(f.open(QIODevice::WriteOnly));
  f.write("{\"bitshift_project\": 1, \"plan\": [");
  f.close();
  Project p;
  QString error;
  EXPECT_FALSE(load_project(tmp("broken.bitshift.json"), &p, &error));
  EXPECT_TRUE(error.contains(QStringLiteral("broken.bitshift.json"))) << error.toStdString();
}

TEST(Project, OtherJsonIsRefusedSayingWhatWasExpected) {
  QFile f(tmp("other.json"));
  ASSERT_TRUE(f.open(QIODevice::WriteOnly));
  f.write("{\"name\": \"something else\"}");
  f.close();
  Project p;
  QString error;
  EXPECT_FALSE(load_project(tmp("other.json"), &p, &error));
  EXPECT_TRUE(error.contains(QStringLiteral("bitshift_project"))) << error.toStdString();
}
