// Run comparison: the Pareto front of (top-1 up, BOPs down) and reading run records.
#include <gtest/gtest.h>

#include "../test_util.h"
#include "train/run_compare.h"
#include "util/atomic_file.h"

using namespace bitshift;
using bitshift::testing::error_of;

TEST(RunCompare, ParetoFrontKeepsOnlyUndominatedRuns) {
  std::vector<RunSummary> runs(5);
  // (top-1, BOPs): a (90, 100) b (92, 200) c (91, 250: dominated by b) d (92, 300: dominated by
  // b, equal accuracy, more BOPs) e (80, 0: no BOPs, never on the front)
  const double top1[] = {90, 92, 91, 92, 80}, bops[] = {100, 200, 250, 300, 0};
  for (int i = 0; i < 5; ++i) runs[i].top1 = top1[i], runs[i].bops = bops[i];
  mark_pareto_front(runs);
  EXPECT_TRUE(runs[0].pareto);
  EXPECT_TRUE(runs[1].pareto);
  EXPECT_FALSE(runs[2].pareto);
  EXPECT_FALSE(runs[3].pareto);
  EXPECT_FALSE(runs[4].pareto);
}

TEST(RunCompare, ReadsAQuantizeRecordAndRejectsOneWithoutTop1) {
  const std::string good = std::string(BITSHIFT_TEST_TMP) + "/compare-good.json";
  write_file_atomic(good, R"({"kind": "quantize", "model": "lenet5", "top1": 90.5,
    "bops": 1.5e8, "weight_bits": 4096, "config": {"method": "nice", "bits": "w4a4"}})");
  const RunSummary r = read_run_summary(good);
  EXPECT_EQ(r.method, "nice");
  EXPECT_EQ(r.bits, "w4a4");
  EXPECT_DOUBLE_EQ(r.top1, 90.5);
  EXPECT_DOUBLE_EQ(r.bops, 1.5e8);
  const std::string bad = std::string(BITSHIFT_TEST_TMP) + "/compare-bad.json";
  write_file_atomic(bad, R"({"kind": "quantize"})");
  const std::string e = error_of([&] { read_run_summary(bad); });
  EXPECT_CONTAINS(e, "compare-bad.json");
  EXPECT_CONTAINS(e, "top1");
}

TEST(RunCompare, AFieldOfTheWrongTypeIsNamed) {
  const std::string kind = std::string(BITSHIFT_TEST_TMP) + "/compare-kind.json";
  write_file_atomic(kind, R"({"kind": 5, "top1": 90})");
  EXPECT_CONTAINS(error_of([&] { read_run_summary(kind); }),
                  "run record '" + kind + "': field 'kind': type must be string, but is number");
  const std::string method = std::string(BITSHIFT_TEST_TMP) + "/compare-method.json";
  write_file_atomic(method, R"({"kind": "quantize", "top1": 90, "config": {"method": [1]}})");
  EXPECT_CONTAINS(error_of([&] { read_run_summary(method); }),
                  "run record '" + method + "': field 'config.method': type must be string, but is array");
}
