// FPGA estimate on a hand-built layer: cycles, LUT-multiplier and adder-tree cost, RAM tiling,
// BOPs, every expected number worked out by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>

#include "../test_util.h"
#include "deploy/estimator.h"
#include "integer/reference_executor.h"

using namespace bitshift;
using bitshift::testing::error_of;

namespace {

// Input 16x8x8 with 4-bit unsigned values, then a 3x3 conv 16 -> 32 (padding 1) at 4 bits.
IntegerModel conv_model() {
  IntegerModel m;
  IntLayer in;
  in.name = "input";
  in.op = IntOp::IntInput;
  in.c = 16, in.h = 8, in.w = 8;
  in.min_value = 0, in.max_value = 15;
  m.layers.push_back(in);
  IntLayer conv;
  conv.name = "conv";
  conv.op = IntOp::IntConv;
  conv.inputs = {0};
  conv.c = 32, conv.h = 8, conv.w = 8;
  conv.kernel = 3, conv.padding = 1;
  conv.w_bits = 4;
  conv.weights.assign(32 * 16 * 9, 1);
  conv.requant.requantized = true;
  conv.requant.m = {1};
  conv.requant.shift = {4};
  conv.requant.lo = 0, conv.requant.hi = 15;
  m.layers.push_back(conv);
  prove_accumulator_bounds(m);
  return m;
}

}  // namespace

TEST(Estimator, ConvLayerByHand) {
  const Estimate e = estimate(conv_model(), device_profile("arria10"), Parallelism{16, 16, 200});
  ASSERT_EQ(e.layers.size(), 1u);
  const LayerEstimate& l = e.layers[0];
  EXPECT_EQ(l.a_bits, 4);
  EXPECT_EQ(l.macs, 294912);    // 32·8·8 outputs × 144 (3·3·16)
  EXPECT_EQ(l.cycles, 1152);    // ⌈144/16⌉ = 9 × ⌈32/16⌉ = 2 × 64
  EXPECT_EQ(l.dsps, 0);         // 4x4-bit products go to LUTs
  // 256 multipliers × 4·4 = 4096; adder tree 16 lanes × 15 × (4+4+8) = 3840; requant 16·64.
  EXPECT_EQ(l.luts, 4096 + 3840 + 1024);
  // Weights 4608·4 = 18432 bits read 256·4 = 1024 bits a cycle: ⌈1024/40⌉ = 26 M20Ks wide,
  // 18 deep (one block deep); line buffer 2·8·16·4 = 1024 bits, 64 wide: 2 blocks.
  EXPECT_EQ(l.ram_blocks, 28);
  EXPECT_NEAR(l.bops, 294912 * (16 + 4 + 4 + std::log2(144.0)), 1e-6);
  EXPECT_NEAR(e.latency_ms, 1152 / 200e6 * 1e3, 1e-12);
  EXPECT_NEAR(e.images_per_second, 200e6 / 1152, 1e-6);
  EXPECT_TRUE(e.fits);
}

TEST(Estimator, EightBitProductsUseTwoMacsPerDspAndCanOverflowTheDevice) {
  IntegerModel m = conv_model();
  m.layers[1].w_bits = 8;
  prove_accumulator_bounds(m);
  // 256 multipliers of 8x4 bits: 128 DSPs.
  EXPECT_EQ(estimate(m, device_profile("zu9eg"), Parallelism{16, 16, 200}).layers[0].dsps, 128);
  // 64 x 64 = 4096 multipliers: 2048 DSPs > Arria 10's 1518.
  const Estimate big = estimate(m, device_profile("arria10"), Parallelism{144, 32, 200});
  EXPECT_EQ(big.dsps, (144 * 32) / 2);
  EXPECT_FALSE(big.fits);
}

TEST(Estimator, UnknownDeviceNamesItAndTheKnownOnes) {
  const std::string e = error_of([] { device_profile("virtex2"); });
  EXPECT_CONTAINS(e, "virtex2");
  EXPECT_CONTAINS(e, "arria10");
  EXPECT_CONTAINS(e, "zu9eg");
}
