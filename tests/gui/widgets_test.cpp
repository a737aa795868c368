// The reusable widgets on their own: Pareto front, bounded live series, coalesced replots,
// plot and table export in every format.
#include <gtest/gtest.h>

#include <QFile>
#include <algorithm>
#include <QImage>
#include <QTest>

#include "studio_fixtures.h"
#include "test_paths.h"
#include "widgets/live_series.h"
#include "widgets/pareto.h"
#include "widgets/plot_export.h"
#include "widgets/qcp.h"
#include "widgets/runs_model.h"
#include "widgets/runs_view.h"
#include "widgets/training_plots.h"

using namespace bitshift::widgets;

using bitshift::test::tmp;

using bitshift::test::run_row;

TEST(Pareto, KeepsOnlyRunsNoOtherBeatsSortedByCost) {
  // (cost, accuracy): b beats a (cheaper and better); c is the most accurate; d the cheapest;
  // e ties c exactly and stays.
  const QVector<CostAccuracy> p = {{10, 80}, {8, 85}, {20, 92}, {2, 60}, {20, 92}, {15, 84}};
  QVector<int> front = paretoFront(p);
  ASSERT_EQ(front.size(), 4);
  EXPECT_EQ(front[0], 3);
  EXPECT_EQ(front[1], 1);
  std::sort(front.begin() + 2, front.end());  // the two equal runs, in either order
  EXPECT_EQ(front[2], 2);
  EXPECT_EQ(front[3], 4);
  EXPECT_TRUE(paretoFront({}).isEmpty());
}

TEST(LiveSeries, StaysBoundedAndKeepsTheFirstAndNewestPoints) {
  LiveSeries s(100);
  for (int i = 0; i < 10'000; ++i) s.append(i, 2.0 * i);
  EXPECT_LE(s.size(), 100);
  EXPECT_GE(s.size(), 50);
  EXPECT_EQ(s.keys().front(), 0.0);
  EXPECT_EQ(s.keys().back(), 9999.0);
  EXPECT_EQ(s.values().back(), 19998.0);
  for (int i = 1; i < s.size(); ++i) EXPECT_LT(s.keys()[i - 1], s.keys()[i]);
}

TEST(TrainingPlots, ManyReportsAreDrawnInFewReplots) {
  TrainingPlots plots;
  plots.startRun({QStringLiteral("conv1")});
  const int before = plots.replotCount();
  for (int i = 1; i <= 500; ++i) {
    TrainingTick t;
    t.step = i;
    t.has_train = true;
    t.loss = 1.0 / i;
    t.traces = {{QStringLiteral("conv1"), QStringLiteral("weight"), QStringLiteral("clamp"), 0.5}};
    plots.appendTicks({t});
  }
  QTest::qWait(3 * TrainingPlots::kMinReplotMs);
  EXPECT_EQ(plots.pendingTicks(), 0);
  EXPECT_EQ(plots.lossPoints(), 500);
  EXPECT_EQ(plots.tracePoints(), 500);
  EXPECT_LE(plots.replotCount() - before, 2);  // one timer tick drew all 500 reports
}

TEST(PlotExport, EveryFormatIsWrittenAndAnUnknownOneIsRefusedByName) {
  RunsView view;
  view.resize(640, 480);
  view.setRuns({run_row("a", 1e9, 90.0), run_row("b", 5e8, 88.0)});
  QCustomPlot* plot = view.scatter();

  QString error;
  ASSERT_TRUE(savePlot(plot, tmp("scatter.png"), &error)) << error.toStdString();
  EXPECT_FALSE(QImage(tmp("scatter.png")).isNull());
  ASSERT_TRUE(savePlot(plot, tmp("scatter.svg"), &error)) << error.toStdString();
  QFile svg(tmp("scatter.svg"));
  ASSERT_TRUE(svg.open(QIODevice::ReadOnly));
  const QByteArray svg_text = svg.readAll();
  EXPECT_TRUE(svg_text.contains("<svg")) << svg_text.left(200).toStdString();
  EXPECT_TRUE(svg_text.contains("<polyline"));  // axes and the front
  EXPECT_TRUE(svg_text.contains("<circle"));    // the runs
  ASSERT_TRUE(savePlot(plot, tmp("scatter.pdf"), &error)) << error.toStdString();
  QFile pdf(tmp("scatter.pdf"));
  ASSERT_TRUE(pdf.open(QIODevice::ReadOnly));
  EXPECT_TRUE(pdf.read(5) == "%PDF-");

  EXPECT_FALSE(savePlot(plot, tmp("scatter.bmpx"), &error));
  EXPECT_TRUE(error.contains(QStringLiteral("scatter.bmpx"))) << error.toStdString();
}

TEST(TableExport, CsvHasTheHeaderAndOneLinePerRun) {
  RunsModel model;
  model.setRuns({run_row("resnet20 nice w4a4 #1", 1e9, 94.5), run_row("with, comma", 5e8, 90.0)});
  QString error;
  ASSERT_TRUE(saveCsv(model, tmp("runs.csv"), &error)) << error.toStdString();
  QFile f(tmp("runs.csv"));
  ASSERT_TRUE(f.open(QIODevice::ReadOnly | QIODevice::Text));
  const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
  ASSERT_EQ(lines.size(), 3);
  EXPECT_TRUE(lines[0].startsWith(model.headerData(0, Qt::Horizontal).toString()));
  EXPECT_TRUE(lines[1].startsWith(QStringLiteral("resnet20 nice w4a4 #1,")));
  EXPECT_TRUE(lines[2].startsWith(QStringLiteral("\"with, comma\",")));
}
