// The integer ops' own checks (integer/ops/): what the bundle reader refuses before any executor
// runs a layer. Each case breaks one field of a layer the checks otherwise accept.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "../test_util.h"
#include "bundle_test_util.h"
#include "deploy/conformance.h"
#include "integer/int_op.h"

namespace bitshift {
namespace {

using namespace bitshift::testing;

// The message of the op's check on layer `index` of `m` after `edit`, or "" when it passes.
std::string check_error(IntegerModel m, size_t index, const std::function<void(IntLayer&)>& edit) {
  edit(m.layers[index]);
  const IntLayer& L = m.layers[index];
  try {
    int_op_def(L.op).check(L, int_inputs(m, L));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

const auto kUnchanged = [](IntLayer&) {};

TEST(IntOpChecks, EveryLayerOfAWellFormedModelPasses) {
  const IntegerModel m = small_model();
  for (size_t i = 0; i < m.layers.size(); ++i)
    EXPECT_EQ(check_error(m, i, kUnchanged), "") << m.layers[i].name;
}

TEST(IntOpChecks, RequantizationOutsideTheContractsRangesIsRefused) {
  const IntegerModel m = small_model();  // layer 1: conv1, requantized, 5 channels
  EXPECT_EQ(check_error(m, 1, [](IntLayer& L) { L.requant.shift = {61}; }), "");
  EXPECT_CONTAINS(check_error(m, 1, [](IntLayer& L) { L.requant.shift = {62}; }),
                  "shift 62 not in 0..61");
  EXPECT_EQ(check_error(m, 1, [](IntLayer& L) { L.requant.m = {1 << 30}; }), "");
  EXPECT_CONTAINS(check_error(m, 1, [](IntLayer& L) { L.requant.m = {(1 << 30) + 1}; }),
                  "multiplier 1073741825 beyond +-2^30");
  EXPECT_CONTAINS(
      check_error(m, 1, [](IntLayer& L) { L.requant.offset[2] = (int64_t{1} << 60) + 1; }),
      "offset 1152921504606846977 beyond +-2^60");
  EXPECT_CONTAINS(check_error(m, 1, [](IntLayer& L) { L.requant.m = {1, 2}; }),
                  "m and shift need 1 or 5 entries");
  EXPECT_CONTAINS(check_error(m, 1, [](IntLayer& L) { L.requant.m2 = {1}; }),
                  "m2 on a one-input op");
}

TEST(IntOpChecks, PoolsAreNeverRequantizedAndAddsAlways) {
  const IntegerModel m = small_model();  // layer 3: add, layer 4: max pool
  EXPECT_CONTAINS(check_error(m, 4, [](IntLayer& L) { L.requant.requantized = true; }),
                  "'maxpool' is never requantized");
  EXPECT_CONTAINS(check_error(m, 3, [](IntLayer& L) { L.requant.requantized = false; }),
                  "'add' is always requantized");
}

TEST(IntOpChecks, WindowSizesFollowFloorDivision) {
  const IntegerModel m = small_model();  // pool: 7x7, kernel 2, stride 2 -> 3x3
  EXPECT_CONTAINS(check_error(m, 4, [](IntLayer& L) { L.h = 4, L.w = 4; }),
                  "output 4x4, the window gives 3x3");
  // A kernel larger than the padded input gives no output at all, not a 1-pixel one.
  EXPECT_CONTAINS(check_error(m, 4, [](IntLayer& L) { L.window.kh = L.window.kw = 9, L.h = 1, L.w = 1; }),
                  "output 1x1, the window gives 0x0");
  EXPECT_CONTAINS(check_error(m, 4, [](IntLayer& L) { L.window = IntWindow::square(3, 2, 3), L.h = L.w = 6; }),
                  "pads must each be smaller than the 3x3 window");
  EXPECT_CONTAINS(check_error(m, 4, [](IntLayer& L) { L.window.dh = 2; }), "dilation 2x1 on a pool");
  EXPECT_CONTAINS(check_error(m, 4, [](IntLayer& L) { L.window.sw = 0; }),
                  "kernel, stride and dilation must be in 1..1024, got 0");
}

TEST(IntOpChecks, AddInputsMustHaveTheAddsShapeNotJustItsSize) {
  IntegerModel m = small_model();
  m.layers[2].c = 7, m.layers[2].h = 5;  // 35 values per channel plane group, as 5x7
  EXPECT_CONTAINS(check_error(m, 3, kUnchanged), "adds an input of 7x5x7 to 5x7x7");
}

TEST(IntOpChecks, GlobalSumPoolHasStrideOneAndNoPadding) {
  const IntegerModel m = small_model();  // layer 6: global sum pool
  ASSERT_TRUE(m.layers[6].window.global());
  EXPECT_CONTAINS(check_error(m, 6, [](IntLayer& L) { L.window.sh = 2; }),
                  "a global pool (0x0 kernel) has stride 1, no pads or dilation and a Cx1x1 output");
}

TEST(IntOpChecks, OpsWithoutWeightsRefuseWeights) {
  const IntegerModel m = small_model();
  EXPECT_CONTAINS(check_error(m, 4, [](IntLayer& L) { L.bias = {1, 2, 3, 4, 5}; }),
                  "'maxpool' has no weights, table or bias");
}

TEST(IntOpChecks, ConcatRunsLookupTablesAndMulGatesMustFitTheirInputs) {
  const IntegerModel m = conformance_model();
  const size_t cat = static_cast<size_t>(m.find("concat")), lut = static_cast<size_t>(m.find("lookup"));
  const size_t mul = static_cast<size_t>(m.find("mul")), gate = static_cast<size_t>(m.find("gate_sum"));
  for (size_t l : {cat, lut, mul}) EXPECT_EQ(check_error(m, l, kUnchanged), "") << l;
  EXPECT_CONTAINS(check_error(m, cat, [](IntLayer& L) { L.runs[0].first = 2; }),
                  "run of channels [2, 4) of an input with 3");
  EXPECT_CONTAINS(check_error(m, cat, [](IntLayer& L) { L.runs[0].input = 2; }),
                  "run of input 2, the layer has 2");
  EXPECT_CONTAINS(check_error(m, cat, [](IntLayer& L) { L.runs.pop_back(); }),
                  "runs give 2 channels, the layer has 5");
  EXPECT_CONTAINS(check_error(m, lut, [](IntLayer& L) { L.table.pop_back(); }),
                  "a table of 24 entries for the 25 input values [-12, 12]");
  // A spatial gate (1 x H x W) is not a channel gate: refused rather than read out of bounds.
  IntegerModel spatial = m;
  spatial.layers[gate].c = 1, spatial.layers[gate].h = 2, spatial.layers[gate].w = 4;
  EXPECT_CONTAINS(check_error(spatial, mul, kUnchanged),
                  "its second input is 1x2x4, expected 5x2x4 or 5x1x1");
  EXPECT_CONTAINS(check_error(m, 0, [](IntLayer& L) { L.max_value = int64_t{1} << 31; }),
                  "input range [-8, 2147483648] is empty or beyond int32");
}

TEST(IntOpChecks, UnevenAveragePoolsHaveOneMultiplierACountAndNoM) {
  const IntegerModel m = conformance_model();
  const size_t ap = static_cast<size_t>(m.find("avgpool_uneven"));
  ASSERT_EQ(m.layers[ap].op, IntOp::IntAvgPool);
  EXPECT_EQ(check_error(m, ap, kUnchanged), "");
  EXPECT_CONTAINS(check_error(m, ap, [](IntLayer& L) { L.table.pop_back(); }),
                  "a table of 5 multipliers for a 2x3 window (one a count, 1..6)");
  EXPECT_CONTAINS(check_error(m, ap, [](IntLayer& L) { L.requant.m = {3}; }),
                  "an avgpool's multipliers are its table");
  EXPECT_CONTAINS(check_error(m, ap, [](IntLayer& L) { L.table[0] = (1 << 30) + 1; }),
                  "beyond +-2^30");
  EXPECT_CONTAINS(check_error(m, ap, [](IntLayer& L) { L.window.pad_right = 3; }),
                  "pads must each be smaller than the 2x3 window");
}

TEST(IntOpChecks, ThresholdsAreAscendingAFullRowAChannelAndCountByOne) {
  const IntegerModel m = conformance_model();
  const size_t t = static_cast<size_t>(m.find("threshold"));
  EXPECT_EQ(check_error(m, t, kUnchanged), "");
  EXPECT_CONTAINS(check_error(m, t, [](IntLayer& L) { std::swap(L.table[4], L.table[7]); }),
                  "the thresholds of channel 1 are not ascending");
  EXPECT_CONTAINS(check_error(m, t, [](IntLayer& L) { L.table.pop_back(); }),
                  "19 thresholds for 5 channels");
  EXPECT_CONTAINS(check_error(m, t, [](IntLayer& L) { L.requant.m[0] = 2; }),
                  "a threshold's m is +1 or -1, got 2");
  EXPECT_CONTAINS(check_error(m, t, [](IntLayer& L) { L.requant.shift = {1}; }),
                  "a threshold's shift is 0, got 1");
  EXPECT_CONTAINS(check_error(m, t, [](IntLayer& L) { L.requant.requantized = false; }),
                  "is always requantized");
}

TEST(IntOpChecks, TheTableNamesEveryOpOnceByItsBundleName) {
  for (const IntOpDef* def : int_op_table()) {
    EXPECT_EQ(&int_op_def(def->op), def);
    EXPECT_EQ(find_int_op(def->name), def);
  }
  EXPECT_EQ(find_int_op("conv")->op, IntOp::IntConv);
  EXPECT_EQ(find_int_op("softmax"), nullptr);
}

}  // namespace
}  // namespace bitshift
