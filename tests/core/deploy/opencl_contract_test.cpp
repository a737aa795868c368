// The OpenCL runtime on hand-computed cases (requantization ties and saturation, thresholds),
// the errors a user sees (input out of range, broken kernels, missing devices, bad weight codes),
// the bundle's own weight bytes, and the embedded kernel sources. Skips without a device.
#include "../test_util.h"
#include "deploy/host/codec.h"
#include "deploy/host/device_context.h"
#include "opencl_test_util.h"

namespace bitshift {
namespace {

using testing::expect_layers_equal;
using testing::RandomModel;
using testing::runtime_error_of;

TEST(OpenClRuntime, InputOutsideItsDeclaredRangeIsRefusedNamingTheLayerAndValue) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(5);
  const int x = r.input(1, 4, 4, -8, 7, 1);
  r.conv(x, 3, 3, 1, 1, 1, {4, false}, {true, -8, 7, true, true});
  r.reference();
  OpenClRuntime runtime(r.model, kernel_source());
  IntTensor bad = r.sample;
  bad.values[5] = 8;
  for (const std::string& message : {runtime_error_of([&] { runtime.run(bad); }),
                                     runtime_error_of([&] { runtime.infer(bad); })}) {
    EXPECT_CONTAINS(message, "input value 8 at index 5");
    EXPECT_CONTAINS(message, "input layer 'input0' range [-8, 7]");
  }
}

IntLayer hand_input(int64_t w, int32_t lo, int32_t hi) {
  IntLayer L;
  L.name = "input", L.op = IntOp::IntInput;
  L.c = 1, L.h = 1, L.w = w;
  L.min_value = lo, L.max_value = hi;
  return L;
}

// A 1x1 conv of one input channel: weight[c] for output channel c.
IntLayer hand_conv(const std::string& name, std::vector<int32_t> weights, int64_t w) {
  IntLayer L;
  L.name = name, L.op = IntOp::IntConv, L.inputs = {0};
  L.c = static_cast<int64_t>(weights.size()), L.h = 1, L.w = w;
  L.w_bits = 8;
  L.weights = std::move(weights);
  L.requant.requantized = true;
  return L;
}

TEST(OpenClRuntime, RequantizationRoundsHalfUpIn64BitsAndSaturatesAsComputedByHand) {
  REQUIRE_OPENCL_DEVICE();
  IntegerModel m;
  m.layers.push_back(hand_input(10, -1000, 1000));
  IntLayer half = hand_conv("half", {1}, 10);  // y = clamp((x + 1) >> 1, -3, 3)
  half.requant.m = {1}, half.requant.shift = {1}, half.requant.lo = -3, half.requant.hi = 3;
  m.layers.push_back(half);
  // Channel 0: acc = 100·x, m = 30000, shift 20: acc·m reaches 3e9, beyond int32.
  // Channel 1: acc = x, m = 1, shift 1, offset −2: (x − 2 + 1) >> 1.
  IntLayer wide = hand_conv("wide", {100, 1}, 10);
  wide.requant.m = {30000, 1}, wide.requant.shift = {20, 1}, wide.requant.offset = {0, -2};
  wide.requant.lo = -100000, wide.requant.hi = 100000;
  m.layers.push_back(wide);
  prove_accumulator_bounds(m);
  OpenClRuntime runtime(m, kernel_source());
  const IntTensor x{1, {3, -3, 1, -1, 5, -5, 127, -128, 1000, -1000}};
  const std::vector<IntTensor> y = runtime.run(x);
  // 1.5 -> 2, -1.5 -> -1, 0.5 -> 1, -0.5 -> 0, 2.5 -> 3, -2.5 -> -2, then saturation.
  EXPECT_EQ(y[1].values, (std::vector<int32_t>{2, -1, 1, 0, 3, -2, 3, -3, 3, -3}));
  // 3e6·x / 2^20 half up: 8.58 -> 9, 363.3 -> 363, -366.2 -> -366, 2861.02 -> 2861.
  // (x − 1) / 2 half up: 1, -2, 0, -1, 2, -3, 63, -64.5 -> -65 (floor), 499, -500.5 -> -501.
  EXPECT_EQ(y[2].values, (std::vector<int32_t>{9, -9, 3, -3, 14, -14, 363, -366, 2861, -2861,
                                               1, -2, 0, -1, 2,  -3,  63,  -65,  499,  -501}));
}

// A multi-threshold by hand: a value equal to a threshold reaches it; channel 1 counts down.
TEST(OpenClRuntime, ThresholdsCountReachedThresholdsAsComputedByHand) {
  REQUIRE_OPENCL_DEVICE();
  IntegerModel m;
  m.layers.push_back(hand_input(3, -1000, 1000));
  m.layers[0].c = 2;
  IntLayer t;
  t.name = "t", t.op = IntOp::IntThreshold, t.inputs = {0};
  t.c = 2, t.h = 1, t.w = 3;
  t.table = {-5, 0, 7, /* channel 1 */ -1000, 2, 2};
  t.requant.requantized = true, t.requant.lo = -1, t.requant.hi = 2;
  t.requant.m = {1, -1}, t.requant.shift = {0}, t.requant.offset = {-1, 2};
  m.layers.push_back(t);
  prove_accumulator_bounds(m);
  const IntTensor x{1, {-6, 0, 7, /* channel 1 */ -1000, 1, 2}};
  // Channel 0: −1 + #{t ≤ x}, reached 0, 2, 3 -> -1, 1, 2. Channel 1: 2 − #{t ≤ x}, reached
  // 1, 1, 3 -> 1, 1, -1.
  const std::vector<int32_t> expected = {-1, 1, 2, 1, 1, -1};
  EXPECT_EQ(run_reference(m, x)[1].values, expected);
  OpenClRuntime runtime(m, kernel_source());
  EXPECT_EQ(runtime.run(x)[1].values, expected);
}

TEST(OpenClRuntime, BrokenKernelSourceThrowsWithTheBuildLog) {
  REQUIRE_OPENCL_DEVICE();
  IntegerModel m;
  m.layers.push_back(hand_input(2, 0, 1));
  const std::string message = runtime_error_of([&] {
    OpenClRuntime runtime(m, "__kernel void bs_conv(__global int* y) { y[0] = undeclared; }");
  });
  EXPECT_CONTAINS(message, "CL_BUILD_PROGRAM_FAILURE");
  EXPECT_CONTAINS(message, "build log");
  EXPECT_CONTAINS(message, "undeclared");  // the compiler's own words
}

TEST(OpenClRuntime, MissingDeviceNumberThrowsWithTheCount) {
  REQUIRE_OPENCL_DEVICE();
  IntegerModel m;
  m.layers.push_back(hand_input(2, 0, 1));
  EXPECT_CONTAINS(runtime_error_of([&] { OpenClRuntime runtime(m, kernel_source(), 99); }),
                  "OpenCL device 99 does not exist");
}

TEST(OpenClRuntime, WeightCodeOutsideItsStorageThrowsNamingTheLayer) {
  REQUIRE_OPENCL_DEVICE();
  IntegerModel m;
  m.layers.push_back(hand_input(2, 0, 1));
  IntLayer conv = hand_conv("conv3", {9}, 2);  // 9 does not fit 4-bit signed codes
  conv.w_bits = 4;
  conv.requant.m = {1}, conv.requant.shift = {0}, conv.requant.hi = 100;
  m.layers.push_back(conv);
  const std::string message = runtime_error_of([&] { OpenClRuntime runtime(m, kernel_source()); });
  EXPECT_CONTAINS(message, "layer 'conv3'");
  EXPECT_CONTAINS(message, "weight code 9");
}

// A bundle's layers keep their weights.bin bytes (packed_weights): the runtime uploads those,
// not a repacking of the codes. A byte changed in them (the codes left alone) moves the device's
// output off the codes' reference and onto the reference of the codes the bytes hold.
TEST(OpenClRuntime, UploadsTheBundlesOwnWeightBytes) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(515);
  const int x = r.input(3, 6, 7, 0, 15, 2);
  const int a = r.conv(x, 5, 3, 1, 1, 1, {8, false}, {true, -50, 50, true, true});  // pairs
  r.conv(a, 4, 3, 1, 1, 1, {4, false}, {false, 0, 0, true, true});
  IntegerModel m = r.model;
  for (IntLayer& L : m.layers)
    if (!L.weights.empty()) L.packed_weights = pack_weight_codes(L.weights, L.w_bits, !L.table.empty());
  expect_layers_equal(m, OpenClRuntime(m, kernel_source()).run(r.sample), run_reference(m, r.sample));
  IntegerModel held = m;  // the bytes say otherwise than the codes
  held.layers[1].packed_weights[0] = static_cast<char>(held.layers[1].packed_weights[0] ^ 0x40);  // ±64
  const std::vector<IntTensor> device = OpenClRuntime(held, kernel_source()).run(r.sample);
  EXPECT_NE(device[1].values, run_reference(m, r.sample)[1].values);
  held.layers[1].weights = unpack_weight_codes(held.layers[1].packed_weights,
                                               static_cast<int64_t>(held.layers[1].weights.size()),
                                               held.layers[1].w_bits, false);
  expect_layers_equal(held, device, run_reference(held, r.sample));
  held.layers[2].packed_weights.pop_back();
  EXPECT_CONTAINS(runtime_error_of([&] { OpenClRuntime runtime(held, kernel_source()); }),
                  "bytes of packed weights for");
}

TEST(KernelSources, WeightStorageAndCommonComeFirstAndEveryKernelIsEmbedded) {
  const std::vector<KernelFile>& files = kernel_files();
  ASSERT_GE(files.size(), 3u);
  EXPECT_STREQ(files[0].name, "weight_storage.h");
  EXPECT_STREQ(files[1].name, "common.cl");
  const std::string source = kernel_source();
  for (const char* k : {"bs_conv", "bs_conv_pairs", "bs_stage_pairs", "bs_linear", "bs_maxpool",
                        "bs_sumpool", "bs_add"})
    EXPECT_CONTAINS(source, std::string("__kernel BS_ATTR void ") + k + "(");
}

TEST(KernelSources, EveryIntegerOpHasADeviceSide) {
  for (const IntOpDef* def : int_op_table()) EXPECT_EQ(device_op(def->op).op, def->op) << def->name;
}

}  // namespace
}  // namespace bitshift
