// The OpenCL runtime against the integer reference executor, bit for bit, on random models of
// odd shapes: every op, every weight storage, per-channel and shared requantization, windows of
// every shape, pair-conv chains. Skips, loudly, without a device.
#include "../test_util.h"
#include "deploy/host/codec.h"
#include "deploy/host/device_context.h"
#include "opencl_test_util.h"

namespace bitshift {
namespace {

using testing::expect_layers_equal;
using testing::RandomModel;
using testing::window;

TEST(OpenClRuntime, OddShapedConvsAndMaxPoolEqualReferenceForEveryWeightStorage) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(20241);
  const int x = r.input(3, 9, 11, -128, 127, 3);
  // 3 -> 7, 3x3, 8-bit codes, per-channel requantization with ReLU and 3-bit m.
  const int a = r.conv(x, 7, 3, 1, 1, 1, {8, false}, {true, 0, 15, true, true, 8});
  // Depthwise, stride 2, 4-bit packed signed codes, one shift-only scale for every channel.
  const int b = r.conv(a, 7, 3, 2, 1, 7, {4, false}, {true, -8, 7, false, false, 1});
  // 1x1 to 127 channels, 4-bit codes indexing a table.
  const int c = r.conv(b, 127, 1, 1, 0, 1, {4, true}, {true, 0, 255, true, true});
  const int d = r.pool(IntOp::IntMaxPool, c, 2, 2, 0);
  // Depthwise over 127 channels with 3-bit table codes, 12-bit codes (int32 storage), 8-bit
  // table codes.
  const int e = r.conv(d, 127, 3, 1, 1, 127, {3, true}, {true, -100, 100, true, true});
  const int f = r.conv(e, 3, 3, 1, 1, 1, {12, false}, {true, -100, 100, true, true});
  r.conv(f, 1, 2, 1, 0, 1, {8, true}, {false, 0, 0, true, true});  // wide: int32 + bias
  expect_device_matches_reference(r, {3, 1, 5});
}

TEST(OpenClRuntime, ResidualAddsPoolsAndLinearEqualReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(777);
  const int x = r.input(1, 8, 8, 0, 15, 3);
  const int a = r.conv(x, 3, 3, 1, 1, 1, {8, false}, {true, 0, 15, true, true});
  const int b = r.conv(a, 3, 3, 1, 1, 1, {4, false}, {true, 0, 15, true, false});
  const int sum = r.add(a, b, 0, 15, 3);  // both inputs requantized, small m: ties
  const int wide_a = r.conv(sum, 3, 3, 1, 1, 1, {4, false}, {false, 0, 0, true, true});
  const int wide_b = r.conv(sum, 3, 1, 1, 0, 1, {8, false}, {false, 0, 0, true, false});
  const int wide_sum = r.add(wide_a, wide_b, -128, 127);  // int32 accumulator inputs
  const int sum2 = r.pool(IntOp::IntSumPool, wide_sum, 2, 2, 0);
  const int max3 = r.pool(IntOp::IntMaxPool, wide_sum, 3, 2, 1);  // padded windows
  const int global = r.pool(IntOp::IntSumPool, max3, 0, 1, 0);    // kernel 0: the whole map
  r.linear(sum2, 10, {4, true}, {false, 0, 0, true, true});       // logits: wide with bias
  r.linear(global, 7, {8, false}, {true, -128, 127, true, true});
  r.linear(sum2, 1, {2, false}, {true, -8, 7, false, true});
  expect_device_matches_reference(r, {3, 1, 4});
}

TEST(OpenClRuntime, ConcatsSplitsAndShufflesEqualReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(4242);
  const int x = r.input(3, 7, 5, -128, 127, 3);
  const int a = r.conv(x, 5, 3, 1, 1, 1, {8, false}, {true, 0, 15, true, true});
  const int b = r.conv(x, 6, 1, 1, 0, 1, {4, false}, {false, 0, 0, true, true});  // wide
  // Concat of a requantized, a wide and the input layer (unit multipliers: data movement).
  const int cat = r.concat({a, b, x}, {{0, 0, 5}, {1, 0, 6}, {2, 0, 3}}, -8, 7, 2);
  // A split (channels 4..10) and a shuffle (single-channel runs, two inputs interleaved).
  const int split = r.concat({cat}, {{0, 4, 7}}, -8, 7, 0);
  const int shuffle =
      r.concat({split, a}, {{0, 0, 1}, {1, 4, 1}, {0, 6, 1}, {1, 0, 1}, {0, 3, 3}}, 0, 255);
  r.conv(shuffle, 4, 3, 2, 1, 1, {8, false}, {true, -128, 127, true, true});
  expect_device_matches_reference(r, {3, 1, 2});
}

// Every op (bs_conv rather than the pair path: values beyond int16) on small odd shapes: the
// model oclgrind runs (tests/core/deploy/oclgrind_check.sh).
TEST(OpenClRuntime, EveryOpOnSmallOddShapesEqualsReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(5150);
  constexpr int32_t kWide = 40000;  // beyond int16: no layer runs on pairs
  const int x = r.input(3, 5, 7, -kWide, kWide, 2);
  const int a = r.conv(x, 5, 3, 2, 1, 1, {4, false}, {true, -kWide, kWide, true, true});
  const int b = r.conv(x, 5, 3, 2, 1, 5 / 5, {8, true}, {false, 0, 0, true, true});  // wide
  const int dw = r.conv(a, 5, 3, 1, 1, 5, {12, false}, {true, -kWide, kWide, true, true});
  const int sum = r.add(dw, b, -kWide, kWide);
  // 30-bit multipliers (the lowering's largest): products of int32 values reach 2^61.
  const int wide_m = r.conv(a, 4, 1, 1, 0, 1, {8, false}, {true, -kWide, kWide, true, true, 1 << 30});
  const int cat = r.concat({sum, a, wide_m}, {{0, 1, 4}, {1, 0, 3}, {2, 2, 2}}, -2000, 2000);
  const int gate = r.pool(IntOp::IntSumPool, cat, 0, 1, 0);
  const int mul = r.mul(cat, gate, -300, 300);  // products up to 2000 · 24000
  const int thr = r.threshold(mul, 7, -3);
  const int lut = r.lookup(thr, -300, 300);
  const int sp = r.pool(IntOp::IntSumPool, lut, 3, 1, 1);  // padded: the border adds nothing
  const int mp = r.pool(IntOp::IntMaxPool, sp, 2, 2, 1);
  r.linear(mp, 3, {5, false}, {false, 0, 0, true, true});
  expect_device_matches_reference(r, {2, 1});
}

TEST(OpenClRuntime, FpgaBuildWithFixedWorkGroupsPadsTheRangesAndStillEqualsReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(99);
  const int x = r.input(3, 5, 7, -8, 7, 2);  // 5x7 maps: no dimension a multiple of 16
  const int a = r.conv(x, 5, 3, 2, 1, 1, {4, true}, {true, -8, 7, true, true});
  const int b = r.pool(IntOp::IntMaxPool, a, 2, 1, 0);
  const int c = r.add(b, b, -8, 7);
  const int d = r.pool(IntOp::IntSumPool, c, 0, 1, 0);
  r.linear(d, 3, {8, false}, {false, 0, 0, true, true});
  // reqd_work_group_size(16, 1, 1) and num_simd_work_items, as an Intel FPGA build sees them.
  expect_device_matches_reference(r, {2, 3}, "#define BITSHIFT_INTEL_FPGA\n" + kernel_source());
}

// The pair convs' portable multiply-add (what an FPGA or a non-x86 device compiles) and the
// 256-bit x86 one against the reference (the default build here uses the 512-bit one).
TEST(OpenClRuntime, PortableAnd256BitPairMultiplyAddsEqualReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(20241);
  const int x = r.input(3, 9, 11, -128, 127, 3);
  const int a = r.conv(x, 7, 3, 1, 1, 1, {8, false}, {true, -128, 127, true, true, 8});
  const int b = r.conv(a, 17, 3, 2, 1, 1, {4, true}, {true, -8, 7, false, false, 1});
  r.conv(b, 33, 1, 1, 0, 1, {12, false}, {true, 0, 255, true, true});
  expect_device_matches_reference(r, {3, 1}, "#define BS_PORTABLE_MADD\n" + kernel_source());
  // The 256-bit x86 form, which an AVX2 machine without AVX-512 compiles (compiled here only
  // when this machine has AVX2; otherwise the portable form runs again).
  expect_device_matches_reference(r, {3, 1}, "#define BS_NO_AVX512_MADD\n" + kernel_source());
}

// Values beyond 16 bits cannot share a 32-bit lane: such convs run on bs_conv. Were they run on
// pairs, the truncated inputs or weights would differ from the reference.
TEST(OpenClRuntime, ConvsOverWideInputsOrWeightsEqualReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(4242);
  const int x = r.input(3, 6, 7, -40000, 40000, 2);  // beyond int16
  const int a = r.conv(x, 5, 3, 1, 1, 1, {8, false}, {true, -100, 100, true, true});
  const int b = r.conv(a, 4, 3, 1, 1, 1, {17, false}, {true, -100, 100, true, true});  // ±65536
  const int sum = r.pool(IntOp::IntSumPool, b, 2, 1, 0);  // sums: no 16-bit proof
  r.conv(sum, 3, 2, 1, 0, 1, {8, false}, {false, 0, 0, true, true});
  ASSERT_GT(*std::max_element(r.model.layers[2].weights.begin(), r.model.layers[2].weights.end()),
            32767);
  expect_device_matches_reference(r, {2, 3});
}

// Windows as ONNX states them (imported models, Keras' SAME padding): non-square kernels,
// strides per axis, four different pads, dilation, on both conv paths and the pools; a pair conv
// writing the staged input of a pair conv with asymmetric pads.
TEST(OpenClRuntime, NonSquareStridedPaddedDilatedWindowsEqualReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(4242);
  const int x = r.input(3, 10, 13, 0, 15, 3);
  // Pairs: 3x5, stride 1x2, pads (2, 1, 0, 3), dilation 2x1.
  const int a = r.conv(x, 8, window({3, 5}, {1, 2}, {2, 1, 0, 3}, {2, 1}), 1, {4, false},
                       {true, 0, 15, true, true});
  // Pairs again, fed by a: pads (0, 2, 1, 1).
  const int a2 = r.conv(a, 8, window({3, 3}, {1, 1}, {0, 2, 1, 1}, {1, 1}), 1, {8, false},
                        {true, -20, 20, true, true});
  // Depthwise (bs_conv's grouped loop): 2x3, stride 2x1, pads (1, 2, 3, 0), dilation 3x2.
  const int b = r.conv(a2, 8, window({2, 3}, {2, 1}, {1, 2, 3, 0}, {3, 2}), 8, {4, false},
                       {true, -50, 50, true, true});
  // Wide weights (bs_conv's vector loop): 3x2, stride 2x1, pads (0, 1, 1, 0), dilation 1x2.
  const int c = r.conv(b, 5, window({3, 2}, {2, 1}, {0, 1, 1, 0}, {1, 2}), 1, {17, false},
                       {true, -100, 100, true, true});
  const int mp = r.pool(IntOp::IntMaxPool, a2, window({3, 2}, {2, 1}, {1, 0, 1, 1}, {1, 1}));
  const int mc = r.pool(IntOp::IntMaxPool, mp, window({2, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, true));
  const int sp = r.pool(IntOp::IntSumPool, c, window({2, 3}, {1, 2}, {1, 1, 0, 2}, {1, 1}));
  r.linear(sp, 4, {8, false}, {false, 0, 0, true, true});
  // Counts 1..6 at the borders, ceil mode adding windows cut short.
  const int ap = r.avgpool(a2, window({3, 2}, {2, 2}, {2, 1, 1, 0}, {1, 1}, true), -30, 30);
  r.linear(ap, 3, {4, false}, {true, -8, 7, true, true});
  r.linear(mc, 3, {8, false}, {false, 0, 0, true, true});
  expect_device_matches_reference(r, {3, 1});
}

// Pair convs read only by another pair conv stage its input themselves, and inference skips
// outputs nothing else reads: a chain of them (padding, stride 2, odd channel counts) next to a
// pair conv whose output an add also reads.
TEST(OpenClRuntime, InferAndRunOverPairConvChainsEqualReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(31);
  const int x = r.input(2, 9, 9, 0, 255, 4);
  const int a = r.conv(x, 20, 3, 1, 1, 1, {4, false}, {true, 0, 15, true, true});
  const int b = r.conv(a, 20, 3, 1, 1, 1, {8, false}, {true, 0, 15, true, true});
  const int sum = r.add(a, b, 0, 31);  // a is read twice: its own output must stay written
  const int c = r.conv(sum, 17, 3, 2, 1, 1, {4, true}, {true, -8, 7, true, true});
  const int d = r.conv(c, 33, 1, 1, 0, 1, {8, false}, {true, 0, 255, true, true});
  const int e = r.conv(d, 5, 3, 1, 1, 1, {8, false}, {true, -128, 127, true, true});
  r.linear(e, 10, {8, false}, {false, 0, 0, true, true});
  expect_device_matches_reference(r, {4, 1});
  OpenClRuntime runtime(r.model, kernel_source());
  for (int repeat = 0; repeat < 2; ++repeat) {  // staged buffers are reused between batches
    const IntTensor logits = runtime.infer(r.sample);
    EXPECT_EQ(logits.n, r.sample.n);
    EXPECT_EQ(logits.values, run_reference(r.model, r.sample).back().values);
  }
}

}  // namespace
}  // namespace bitshift
