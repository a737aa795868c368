// The integer reference executor on hand-computed cases: the contract's rounding, saturation,
// padding, pools, the residual add, and the accumulator proof.
#include <gtest/gtest.h>

#include "../test_util.h"
#include "integer/reference_executor.h"

using namespace bitshift;
using bitshift::testing::error_of;

namespace {

IntLayer input_layer(int64_t c, int64_t h, int64_t w, int64_t lo, int64_t hi) {
  IntLayer L;
  L.name = "input";
  L.op = IntOp::IntInput;
  L.c = c, L.h = h, L.w = w;
  L.scale = {1.0};
  L.min_value = lo, L.max_value = hi;
  return L;
}

}  // namespace

TEST(Requantize, RoundsHalfUpOnceAndSaturates) {
  EXPECT_EQ(requantize(3, 1, -100, 100), 2);    // 1.5 -> 2
  EXPECT_EQ(requantize(-3, 1, -100, 100), -1);  // -1.5 -> -1 (half up, not away from zero)
  EXPECT_EQ(requantize(5, 2, -100, 100), 1);    // 1.25 -> 1
  EXPECT_EQ(requantize(6, 2, -100, 100), 2);    // 1.5 -> 2
  EXPECT_EQ(requantize(7, 0, -100, 100), 7);    // shift 0: no rounding term
  EXPECT_EQ(requantize(1000, 1, 0, 15), 15);
  EXPECT_EQ(requantize(-1000, 1, 0, 15), 0);    // ReLU folded into lo
}

TEST(ReferenceExecutor, ConvWithPaddingBiasAndRequantMatchesHandComputation) {
  IntegerModel m;
  m.layers.push_back(input_layer(1, 2, 2, -8, 7));
  IntLayer conv;
  conv.name = "conv";
  conv.op = IntOp::IntConv;
  conv.inputs = {0};
  conv.c = 1, conv.h = 2, conv.w = 2;
  conv.window = IntWindow::square(2, 2, 1);  // 3x3 padded map, windows at 0 and 2
  conv.w_bits = 4;
  conv.weights = {1, 2, 3, 4};  // [[1, 2], [3, 4]]
  conv.bias = {1};
  conv.requant.requantized = true;
  conv.requant.m = {3};
  conv.requant.shift = {2};
  conv.requant.lo = 0, conv.requant.hi = 15;
  conv.scale = {1.0};
  m.layers.push_back(conv);
  prove_accumulator_bounds(m);
  // Input [[1, 2], [3, 4]] zero-padded to 4x4 (pad 1); stride-2 windows:
  //  (0,0): [0 0; 0 1] -> 4*1 = 4;  (0,1): [0 0; 2 0] -> 3*2 = 6
  //  (1,0): [0 3; 0 0] -> 2*3 = 6;  (1,1): [4 0; 0 0] -> 1*4 = 4
  // +bias 1 -> 5, 7, 7, 5; *3 -> 15, 21, 21, 15; (+2) >> 2 -> 4, 5, 5, 4.
  IntTensor x{1, {1, 2, 3, 4}};
  const auto out = run_reference(m, x);
  EXPECT_EQ(out[1].values, (std::vector<int32_t>{4, 5, 5, 4}));
}

TEST(ReferenceExecutor, TableWeightsPoolsAndResidualAdd) {
  IntegerModel m;
  m.layers.push_back(input_layer(2, 2, 2, 0, 15));
  IntLayer conv;  // 1x1 conv 2 -> 2 with a LUT: codes index {-5, 0, 2, 7}
  conv.name = "conv";
  conv.op = IntOp::IntConv;
  conv.inputs = {0};
  conv.c = 2, conv.h = 2, conv.w = 2;
  conv.w_bits = 2;
  conv.table = {-5, 0, 2, 7};
  conv.weights = {3, 0, 2, 1};  // out0 = 7·x0 − 5·x1, out1 = 2·x0 + 0·x1
  conv.scale = {1.0, 1.0};
  m.layers.push_back(conv);  // wide: no requantization
  IntLayer add;
  add.name = "add";
  add.op = IntOp::IntAdd;
  add.inputs = {1, 0};
  add.c = 2, add.h = 2, add.w = 2;
  add.requant.requantized = true;
  add.requant.m = {1};
  add.requant.m2 = {2};
  add.requant.shift = {1};
  add.requant.lo = 0, add.requant.hi = 255;
  m.layers.push_back(add);
  IntLayer pool;
  pool.name = "pool";
  pool.op = IntOp::IntMaxPool;
  pool.inputs = {2};
  pool.c = 2, pool.window = IntWindow::square(2, 2);
  m.layers.push_back(pool);
  IntLayer sum;
  sum.name = "gap";
  sum.op = IntOp::IntSumPool;
  sum.inputs = {2};
  sum.c = 2, sum.window = IntWindow::whole_map();
  m.layers.push_back(sum);
  prove_accumulator_bounds(m);
  // x0 = [1 2 3 4], x1 = [4 3 2 1]
  IntTensor x{1, {1, 2, 3, 4, 4, 3, 2, 1}};
  const auto out = run_reference(m, x);
  // conv0 = 7x0 − 5x1 = [-13, −1, 11, 23]; conv1 = 2x0 = [2, 4, 6, 8]
  EXPECT_EQ(out[1].values, (std::vector<int32_t>{-13, -1, 11, 23, 2, 4, 6, 8}));
  // add0 = (conv0 + 2·x0 + 1) >> 1 = (-13+2+1)>>1=-5->0, (−1+4+1)>>1=2, (11+6+1)>>1=9, (23+8+1)>>1=16
  // add1 = (conv1 + 2·x1 + 1) >> 1 = (2+8+1)>>1=5, (4+6+1)>>1=5, (6+4+1)>>1=5, (8+2+1)>>1=5
  EXPECT_EQ(out[2].values, (std::vector<int32_t>{0, 2, 9, 16, 5, 5, 5, 5}));
  EXPECT_EQ(out[3].values, (std::vector<int32_t>{16, 5}));
  EXPECT_EQ(out[4].values, (std::vector<int32_t>{27, 20}));
}

TEST(ReferenceExecutor, AccumulatorProofNamesTheLayerAndBound) {
  IntegerModel m;
  m.layers.push_back(input_layer(1, 1, 1, 0, 65535));
  IntLayer fc;
  fc.name = "fc_big";
  fc.op = IntOp::IntLinear;
  fc.inputs = {0};
  fc.c = 1;
  fc.w_bits = 32;
  fc.weights = {40000};
  m.layers.push_back(fc);
  const std::string e = error_of([&] { prove_accumulator_bounds(m); });
  EXPECT_CONTAINS(e, "fc_big");
  EXPECT_CONTAINS(e, "2621400000");  // 40000 · 65535
}

TEST(ReferenceExecutor, RejectsInputOutsideItsRange) {
  IntegerModel m;
  m.layers.push_back(input_layer(1, 1, 2, -8, 7));
  EXPECT_CONTAINS(error_of([&] { run_reference(m, IntTensor{1, {3, 8}}); }), "input value 8");
}

TEST(ReferenceExecutor, ConcatLaysRunsSideBySideEachChannelRequantizedOnItsOwn) {
  IntegerModel m;
  m.layers.push_back(input_layer(3, 1, 2, -8, 7));  // channels [1 -2], [3 4], [-5 6]
  IntLayer cat;
  cat.name = "cat";
  cat.op = IntOp::IntConcat;
  cat.inputs = {0};
  cat.c = 3, cat.h = 1, cat.w = 2;
  cat.runs = {{0, 2, 1}, {0, 0, 2}};  // channel 2, then channels 0 and 1
  cat.requant.requantized = true;
  cat.requant.m = {1, 3, 5};
  cat.requant.shift = {0, 1, 2};
  cat.requant.offset = {0, 0, 2};
  cat.requant.lo = -4, cat.requant.hi = 7;
  cat.scale = {1.0};
  m.layers.push_back(cat);
  prove_accumulator_bounds(m);
  // out 0 = input 2 as is, clamped: [-5 6] -> [-4 6]
  // out 1 = input 0 · 3 / 2, half up: [3 -6] -> [(3+1)>>1, (-6+1)>>1] = [2, -3]
  // out 2 = input 1 · 5 + 2, / 4: [17 22] -> [(17+2)>>2, (22+2)>>2] = [4, 6]
  const auto out = run_reference(m, IntTensor{1, {1, -2, 3, 4, -5, 6}});
  EXPECT_EQ(out[1].values, (std::vector<int32_t>{-4, 6, 2, -3, 4, 6}));
  EXPECT_EQ(m.layers[1].min_value, -4);
  EXPECT_EQ(m.layers[1].max_value, 7);
}
