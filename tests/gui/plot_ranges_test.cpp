// The live plots read at a glance: every axis range holds its data and is at most a small
// factor wider, also after a run with far larger values (ranges shrink again); the plots say why
// they are empty (no run yet, a method that learns no clamp).
#include <gtest/gtest.h>

#include <QTableView>
#include <QTableWidget>

#include "studio_fixtures.h"
#include "widgets/eta_estimate.h"
#include "widgets/qcp.h"
#include "widgets/runs_view.h"
#include "widgets/training_plots.h"

using namespace bitshift::widgets;

namespace {

constexpr double kMaxWidening = 1.25;  // a range may be this much wider than its data's span

TrainingTick report(qint64 step, double loss, double top1, double clamp, double error_span) {
  TrainingTick t;
  t.step = step;
  t.steps_total = 100;
  t.has_train = true;
  t.loss = loss;
  t.train_top1 = top1;
  t.traces = {{QStringLiteral("conv1"), QStringLiteral("activation"), QStringLiteral("clamp"), clamp},
              {QStringLiteral("conv1"), QStringLiteral("weight"), QStringLiteral("clamp"), clamp / 5}};
  ErrorHistogramData h;
  h.layer = QStringLiteral("conv1");
  h.kind = QStringLiteral("weight");
  h.lo = -error_span;
  h.hi = error_span;
  h.counts = {3, 10, 40, 10, 3};
  t.histograms = {h};
  return t;
}

// The axis holds [lo, hi] and is at most kMaxWidening times wider.
void expect_fits(const QCPAxis* axis, double lo, double hi, const char* what) {
  const QCPRange r = axis->range();
  EXPECT_LE(r.lower, lo) << what;
  EXPECT_GE(r.upper, hi) << what;
  EXPECT_LE(r.size(), kMaxWidening * (hi - lo)) << what << ": " << r.lower << ".." << r.upper;
}

}  // namespace

TEST(PlotRanges, EveryAxisHoldsItsDataAndIsNotMuchWider) {
  TrainingPlots plots;
  plots.startRun({QStringLiteral("conv1")});
  // A first run with wild values (a diverging run, cancelled).
  plots.appendTicks({report(1, 40.0, 10.0, 150.0, 1.5), report(10, 20.0, 12.0, -150.0, 1.5)});
  plots.flush();
  // The next run: loss 0.5 → 0.3, clamps between 1 and 5, errors within ±0.06.
  plots.startRun({QStringLiteral("conv1")});
  QVector<TrainingTick> ticks;
  for (int i = 1; i <= 20; ++i)
    ticks << report(i * 5, 0.5 - 0.01 * i, 80.0 + 0.25 * i, 1.0 + 0.2 * i, 0.06);
  TrainingTick test;
  test.step = 100;
  test.has_test = true;
  test.test_top1 = 86.0;
  ticks << test;
  plots.appendTicks(ticks);
  plots.flush();

  expect_fits(plots.lossPlot()->xAxis, 5.0, 100.0, "loss plot steps");
  expect_fits(plots.lossPlot()->yAxis, 0.0, 0.49, "loss");  // loss axes start at 0
  expect_fits(plots.lossPlot()->yAxis2, 80.25, 86.0, "top-1");
  expect_fits(plots.tracePlot()->yAxis, 1.2 / 5, 5.0, "clamps");
  expect_fits(plots.weightHistogramPlot()->xAxis, -0.06, 0.06, "weight error");
  expect_fits(plots.weightHistogramPlot()->yAxis, 0.0, 40.0, "counts");
  EXPECT_TRUE(plots.note(plots.lossPlot()).isEmpty());
  EXPECT_TRUE(plots.note(plots.tracePlot()).isEmpty());
}

TEST(PlotRanges, EmptyPlotsSayWhy) {
  TrainingPlots plots;
  plots.flush();
  EXPECT_TRUE(plots.note(plots.lossPlot()).contains(QStringLiteral("No run yet")));
  EXPECT_TRUE(plots.note(plots.tracePlot()).contains(QStringLiteral("No run yet")));
  EXPECT_TRUE(plots.note(plots.weightHistogramPlot()).contains(QStringLiteral("No run yet")));
  EXPECT_FALSE(plots.tracePlot()->legend->visible());  // no legend box over an empty plot
  EXPECT_FALSE(plots.lossPlot()->legend->visible());

  // DoReFa: steps are reported, but no quantizer parameter ever is.
  plots.startRun({QStringLiteral("conv1")});
  TrainingTick t;
  t.step = 1;
  t.has_train = true;
  t.loss = 1.0;
  plots.appendTicks({t});
  plots.flush();
  EXPECT_TRUE(plots.note(plots.lossPlot()).isEmpty());  // drawn from the first report
  EXPECT_EQ(plots.lossPoints(), 1);
  EXPECT_TRUE(plots.note(plots.tracePlot()).contains(QStringLiteral("learns no clamp")));
}

TEST(PlotRanges, TheCompareAxesFitTheRunsAndThreeSelectedSayWhyNothingIsCompared) {
  RunsView view;
  EXPECT_TRUE(view.scatterNote().contains(QStringLiteral("No runs yet")));
  view.setRuns({bitshift::test::run_row("a", 7.1e8, 88.4), bitshift::test::run_row("b", 9.9e8, 89.4), bitshift::test::run_row("c", 8e8, 99.0)});
  EXPECT_TRUE(view.scatterNote().isEmpty());
  const QCPRange x = view.scatter()->xAxis->range(), y = view.scatter()->yAxis->range();
  EXPECT_LE(x.lower, 7.1e8);
  EXPECT_GE(x.upper, 9.9e8);
  EXPECT_LE(x.upper / x.lower, 2.5 * 9.9e8 / 7.1e8) << x.lower << ".." << x.upper;  // was x16 wider
  EXPECT_LE(y.lower, 88.4);
  EXPECT_GE(y.upper, 99.0);
  EXPECT_LE(y.upper, 100.5);  // never far past 100 %
  view.selectPair(0, 1);
  EXPECT_EQ(view.comparison()->rowCount(), 0);  // runs without plans: nothing to list
  EXPECT_TRUE(view.comparisonHint().startsWith(QStringLiteral("A: a"))) << view.comparisonHint().toStdString();
  view.table()->selectAll();
  EXPECT_TRUE(view.comparisonHint().contains(QStringLiteral("3 runs selected: select exactly two")))
      << view.comparisonHint().toStdString();
}

TEST(EtaEstimate, StaysSteadyUnderJitterAndIgnoresPauses) {
  // 10 steps a second, reported every 10 steps at intervals jittering by ±40 %.
  EtaEstimate eta;
  EXPECT_LT(eta.secondsLeft(100), 0.0);  // unknown before two reports
  double t = 12.0;                       // calibration took 12 s before the first step
  const double jitter[] = {0.6, 1.4, 0.8, 1.2, 1.0};
  for (int i = 0; i <= 40; ++i) {
    eta.update(10 * i, t);
    t += jitter[i % 5];
  }
  EXPECT_NEAR(eta.stepsPerSecond(), 10.0, 1.5);
  EXPECT_NEAR(eta.secondsLeft(600), 60.0, 9.0);
  // A 5-minute pause, then the same pace: the rate does not drop.
  eta.restart();
  t += 300.0;
  for (int i = 41; i <= 45; ++i) {
    eta.update(10 * i, t);
    t += 1.0;
  }
  EXPECT_NEAR(eta.stepsPerSecond(), 10.0, 1.5);
}

TEST(PlotRanges, AHistogramWithOneTowerOfABinGoesLogarithmicAndSaysSo) {
  TrainingPlots plots;
  plots.startRun({QStringLiteral("conv1")});
  TrainingTick t = report(1, 1.0, 50.0, 1.0, 0.8);
  t.histograms[0].counts = {30, 40, 26000, 50, 40, 30, 20};  // an image's background, clipped
  plots.appendTicks({t});
  plots.flush();
  const QCPAxis* counts = plots.weightHistogramPlot()->yAxis;
  EXPECT_EQ(counts->scaleType(), QCPAxis::stLogarithmic);
  EXPECT_TRUE(counts->label().contains(QStringLiteral("log")));
  EXPECT_LE(counts->range().lower, 20.0);  // the small bins are on the axis
  EXPECT_GE(counts->range().upper, 26000.0);

  t.histograms[0].counts = {30, 40, 60, 50, 40, 30, 20};  // an ordinary histogram: linear again
  plots.appendTicks({t});
  plots.flush();
  EXPECT_EQ(counts->scaleType(), QCPAxis::stLinear);
  EXPECT_EQ(counts->label(), QStringLiteral("count"));
}
