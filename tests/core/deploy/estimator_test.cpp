// FPGA estimate on hand-built layers: cycles, DSP packing, LUT multipliers, adder trees,
// requantization, tables, RAM tiling, BOPs, latency and throughput. Every expected number is
// worked out by hand in the comments, not by the code under test.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>

#include "../test_util.h"
#include "deploy/estimator.h"
#include "integer/reference_executor.h"

using namespace bitshift;
using bitshift::testing::error_of;

namespace {

IntLayer input_layer(int64_t c, int64_t h, int64_t w, int64_t lo, int64_t hi) {
  IntLayer in;
  in.name = "input";
  in.op = IntOp::IntInput;
  in.c = c, in.h = h, in.w = w;
  in.min_value = lo, in.max_value = hi;
  return in;
}

Requant relu4(std::vector<int32_t> m) {
  Requant r;
  r.requantized = true;
  r.m = std::move(m);
  r.shift = {4};
  r.lo = 0, r.hi = 15;
  return r;
}

// Input 16x8x8 with 4-bit unsigned values, then a 3x3 conv 16 -> 32 (padding 1) at w_bits,
// every weight 1, requantized shift-only (m = 1) to [0, 15].
IntegerModel conv_model(int w_bits = 4) {
  IntegerModel m;
  m.layers.push_back(input_layer(16, 8, 8, 0, 15));
  IntLayer conv;
  conv.name = "conv";
  conv.op = IntOp::IntConv;
  conv.inputs = {0};
  conv.c = 32, conv.h = 8, conv.w = 8;
  conv.window = IntWindow::square(3, 1, 1);
  conv.w_bits = w_bits;
  conv.weights.assign(32 * 16 * 9, 1);
  conv.requant = relu4({1});
  m.layers.push_back(conv);
  prove_accumulator_bounds(m);
  return m;
}

const Parallelism kP16{16, 16, 200};

}  // namespace

TEST(Estimator, ConvLayerWithLutMultipliersByHand) {
  const Estimate e = estimate(conv_model(), device_profile("arria10"), kP16);
  ASSERT_EQ(e.layers.size(), 1u);
  const LayerEstimate& l = e.layers[0];
  EXPECT_EQ(l.a_bits, 4);     // [0, 15]
  EXPECT_EQ(l.macs, 294912);  // 32·8·8 outputs × fan-in 144 (3·3·16)
  EXPECT_EQ(l.cycles, 1152);  // ⌈144/16⌉ = 9 × ⌈32/16⌉ = 2 × 8·8
  // Accumulator: Σ|w|·max|x| = 144·15 = 2160 < 2^12 → 13 bits signed.
  EXPECT_EQ(l.acc_bits, 13);
  EXPECT_TRUE(l.lut_multipliers);  // 4x4-bit products go to LUTs
  EXPECT_EQ(l.dsps, 0);
  EXPECT_EQ(l.luts_mul, 4096);     // 16·16 multipliers × 4·4
  EXPECT_EQ(l.luts_adder, 3328);   // 16 lanes × (15·13 tree + 13 accumulator)
  EXPECT_EQ(l.luts_requant, 416);  // m = 1 is shift-only: 16 lanes × 2 × 13
  EXPECT_EQ(l.luts, 4096 + 3328 + 416);
  // Weights 4608·4 = 18432 bits read 256·4 = 1024 bits a cycle, 18 deep: ⌈1024/40⌉ = 26
  // M20K of 512x40. Line buffer 2·8·16·4 = 1024 bits, 16·4 = 64 wide, 16 deep: 2 of 512x40.
  EXPECT_EQ(l.ram_weights, 26);
  EXPECT_EQ(l.ram_buffer, 2);
  EXPECT_EQ(l.buffer_bits, 1024);
  EXPECT_EQ(l.weight_bits, 18432);
  // BOPs = MACs·(b_w·b_a + b_w + b_a + log2 fan_in) = 294912·(16 + 4 + 4 + log2 144).
  EXPECT_NEAR(l.bops, 294912 * (24 + std::log2(144.0)), 1e-6);
  EXPECT_NEAR(e.latency_ms, 1152 / 200e6 * 1e3, 1e-12);
  EXPECT_NEAR(e.images_per_second, 200e6 / 1152, 1e-6);
  EXPECT_NEAR(e.lut_use, 7840.0 / 427200, 1e-12);
  EXPECT_NEAR(e.ram_use, 28.0 / 2713, 1e-12);
  EXPECT_TRUE(e.fits);
}

TEST(Estimator, SameConvOnZu9egTilesIntoBram18) {
  const LayerEstimate l = estimate(conv_model(), device_profile("zu9eg"), kP16).layers[0];
  // Weights 1024 wide, 18 deep: ⌈1024/36⌉ = 29 RAMB18 (512x36) < 15·2 = 30 as RAMB36 512x72.
  // Line buffer 64 wide, 16 deep: two RAMB18 512x36 (or one RAMB36 512x72 = 2 units).
  EXPECT_EQ(l.ram_weights, 29);
  EXPECT_EQ(l.ram_buffer, 2);
  EXPECT_EQ(l.luts, 7840);  // logic does not depend on the vendor
}

TEST(Estimator, EightBitWeightsPackTwoProductsPerDspAndOddLanesDoNotPairOnXilinx) {
  const IntegerModel m = conv_model(8);
  // 256 multipliers of 8x4 bits: Arria 10 two per block (128); DSP48E2 two per slice when a
  // pair of lanes shares the activation: 16 × ⌈16/2⌉ = 128.
  EXPECT_EQ(estimate(m, device_profile("arria10"), kP16).layers[0].dsps, 128);
  EXPECT_EQ(estimate(m, device_profile("zu9eg"), kP16).layers[0].dsps, 128);
  // Three lanes: Arria 10 ⌈48/2⌉ = 24; DSP48E2 16 × ⌈3/2⌉ = 32.
  const Parallelism p3{16, 3, 200};
  EXPECT_EQ(estimate(m, device_profile("arria10"), p3).layers[0].dsps, 24);
  EXPECT_EQ(estimate(m, device_profile("zu9eg"), p3).layers[0].dsps, 32);
}

TEST(Estimator, TooManyDspsDoesNotFitAndSaysWhich) {
  // vec 144 x lanes 32 = 4608 products of 8x4 bits: 2304 blocks > Arria 10's 1518.
  const Estimate e = estimate(conv_model(8), device_profile("arria10"), Parallelism{144, 32, 200});
  EXPECT_EQ(e.dsps, 2304);
  EXPECT_NEAR(e.dsp_use, 2304.0 / 1518, 1e-12);
  EXPECT_FALSE(e.dsps_fit);
  // Weights 36864 bits read all at once (4608·8 wide, 1 deep): ⌈36864/40⌉ = 922 M20K; line
  // buffer 1024 bits, 144·4 = 576 wide: ⌈576/40⌉ = 15. 937 ≤ 2713.
  EXPECT_EQ(e.ram_blocks, 937);
  EXPECT_TRUE(e.ram_fits);
  EXPECT_TRUE(e.luts_fit);
  EXPECT_FALSE(e.fits);
  EXPECT_CONTAINS(estimate_table(e), "DOES NOT FIT");
  EXPECT_FALSE(estimate_json(e).at("dsps_fit").get<bool>());
}

TEST(Estimator, GeneralRequantMultiplierTakesDspsShiftOnlyDoesNot) {
  IntegerModel m = conv_model();
  m.layers[1].requant.m = {3000};  // 12 bits, not a power of two
  const LayerEstimate a = estimate(m, device_profile("arria10"), kP16).layers[0];
  // One 13 x 12-bit product a lane: half an Arria 10 block, 16 lanes → 8 blocks.
  EXPECT_EQ(a.dsps_requant, 8);
  EXPECT_EQ(a.luts_requant, 800);  // 16 × 2 × (13 + 12)
  // DSP48E2: 13 bits > 8, no packing: one slice a lane.
  EXPECT_EQ(estimate(m, device_profile("zu9eg"), kP16).layers[0].dsps_requant, 16);
}

TEST(Estimator, LinearLogitsByHand) {
  IntegerModel m;
  m.layers.push_back(input_layer(64, 1, 1, -128, 127));
  IntLayer fc;
  fc.name = "fc";
  fc.op = IntOp::IntLinear;
  fc.inputs = {0};
  fc.c = 10;
  fc.w_bits = 8;
  for (int o = 0; o < 10; ++o)
    for (int j = 0; j < 64; ++j) fc.weights.push_back(j % 3 - 1);  // -1, 0, 1, -1, ...
  for (int o = 0; o < 10; ++o) fc.bias.push_back(100 * (o + 1));
  m.layers.push_back(fc);  // not requantized: int32 logits
  prove_accumulator_bounds(m);
  const Estimate e = estimate(m, device_profile("zu9eg"), Parallelism{16, 16, 100});
  const LayerEstimate& l = e.layers[0];
  EXPECT_EQ(l.a_bits, 8);
  EXPECT_EQ(l.lanes, 10);  // clamped to 10 outputs
  EXPECT_EQ(l.cycles, 4);  // ⌈64/16⌉ × ⌈10/10⌉ × 1
  // 64 weights a row, 43 of them ±1 (j % 3 ≠ 1: 22 + 21); bound 43·128 + 1000 = 6504 < 2^13.
  EXPECT_EQ(l.acc_bits, 14);
  EXPECT_EQ(l.dsps, 80);    // 8x8 bits: 16 × ⌈10/2⌉ DSP48E2, no requant multiplier
  EXPECT_EQ(l.luts, 2240);  // 10 lanes × (15·14 + 14)
  // 640·8 = 5120 bits, 160·8 = 1280 wide, 4 deep: ⌈1280/36⌉ = 36 RAMB18 (18 RAMB36 ties).
  EXPECT_EQ(l.ram_blocks, 36);
  EXPECT_NEAR(l.bops, 640.0 * (64 + 8 + 8 + 6), 1e-9);  // log2 64 = 6
  EXPECT_NEAR(l.latency_ms, 4 / 100e6 * 1e3, 1e-15);
}

TEST(Estimator, LookupTableWeightsMultiplyTheirEntriesAndCostATableCopyPerMultiplier) {
  IntegerModel m = conv_model();
  IntLayer& conv = m.layers[1];
  for (int i = 0; i < 16; ++i) conv.table.push_back((i - 8) * 16);  // -128 … 112: int8
  conv.weights.assign(conv.weights.size(), 15);                     // every weight 112
  prove_accumulator_bounds(m);
  const LayerEstimate l = estimate(m, device_profile("arria10"), kP16).layers[0];
  EXPECT_EQ(l.w_bits, 4);
  EXPECT_EQ(l.mac_w_bits, 8);
  EXPECT_FALSE(l.lut_multipliers);
  EXPECT_EQ(l.dsps, 128);         // 256 products of 8x4 bits, two a block
  EXPECT_EQ(l.luts_table, 2048);  // 256 copies × 8 output bits × ⌈16/64⌉ LUT6
  // Bound 144·112·15 = 241920 < 2^18 → 19 bits.
  EXPECT_EQ(l.acc_bits, 19);
  EXPECT_EQ(l.luts_adder, 4864);          // 16 × (15·19 + 19)
  EXPECT_EQ(l.luts_requant, 608);         // 16 × 2 × 19
  EXPECT_EQ(l.weight_bits, 18432 + 128);  // codes + 16 × 8-bit table
  // BOPs count the 8-bit table value, as quant/cost.cpp does for PoT+LUT layers.
  EXPECT_NEAR(l.bops, 294912 * (32 + 8 + 4 + std::log2(144.0)), 1e-6);

  // UNIQ's quantiles on a 12-bit table (±2047): 12-bit multiplier operands and table copies.
  for (int i = 0; i < 16; ++i) conv.table[static_cast<size_t>(i)] = (i - 8) * 255;  // -2040 … 1785
  prove_accumulator_bounds(m);
  const LayerEstimate wide = estimate(m, device_profile("arria10"), kP16).layers[0];
  EXPECT_EQ(wide.mac_w_bits, 12);
  EXPECT_EQ(wide.luts_table, 3072);          // 256 copies × 12 bits × ⌈16/64⌉
  EXPECT_EQ(wide.weight_bits, 18432 + 192);  // codes + 16 × 12-bit table
}

TEST(Estimator, ResidualAddTakesTwoRequantProductsALane) {
  IntegerModel m;
  m.layers.push_back(input_layer(8, 4, 4, 0, 15));
  IntLayer add;
  add.name = "add";
  add.op = IntOp::IntAdd;
  add.inputs = {0, 0};
  add.c = 8, add.h = 4, add.w = 4;
  add.requant = relu4({3});
  add.requant.m2 = {5};
  m.layers.push_back(add);
  prove_accumulator_bounds(m);
  const Estimate e = estimate(m, device_profile("arria10"), kP16);
  const LayerEstimate& l = e.layers[0];
  EXPECT_EQ(l.lanes, 8);
  EXPECT_EQ(l.cycles, 16);  // ⌈8·4·4 / 8⌉
  EXPECT_EQ(l.macs, 0);
  EXPECT_EQ(l.bops, 0);
  // m ∈ {3, 5}: 3 bits; 2 products of 4x3 bits a lane: 16 halves of a block → 8.
  EXPECT_EQ(l.dsps, 8);
  EXPECT_EQ(l.luts, 168);  // 8 lanes × 3 × (4 + 3)
  EXPECT_EQ(l.ram_blocks, 0);
  // Powers of two (4 and 1) need no multiplier: 8 × 3 × 4 LUTs.
  m.layers[1].requant.m = {4};
  m.layers[1].requant.m2 = {1};
  const LayerEstimate s = estimate(m, device_profile("zu9eg"), kP16).layers[0];
  EXPECT_EQ(s.dsps, 0);
  EXPECT_EQ(s.luts, 96);
}

TEST(Estimator, PoolsStreamTheirInputAndBufferLines) {
  IntegerModel m;
  m.layers.push_back(input_layer(16, 8, 8, 0, 15));
  IntLayer mp;
  mp.name = "maxpool";
  mp.op = IntOp::IntMaxPool;
  mp.inputs = {0};
  mp.c = 16, mp.h = 4, mp.w = 4;
  mp.window = IntWindow::square(2, 2);
  m.layers.push_back(mp);
  IntLayer gap;
  gap.name = "avgpool";
  gap.op = IntOp::IntSumPool;
  gap.inputs = {1};
  gap.c = 16;
  gap.window = IntWindow::whole_map();  // the whole 4x4 map
  m.layers.push_back(gap);
  prove_accumulator_bounds(m);
  const Estimate e = estimate(m, device_profile("arria10"), kP16);
  ASSERT_EQ(e.layers.size(), 2u);
  const LayerEstimate& p = e.layers[0];
  EXPECT_EQ(p.cycles, 64);        // ⌈16·8·8 / 16⌉
  EXPECT_EQ(p.luts, 128);         // 16 lanes × 2 × 4 bits
  EXPECT_EQ(p.buffer_bits, 512);  // (2−1)·8·16·4
  EXPECT_EQ(p.ram_blocks, 2);     // 64 wide, 8 deep: ⌈64/40⌉ = 2 M20K
  const LayerEstimate& g = e.layers[1];
  EXPECT_EQ(g.cycles, 16);   // ⌈16·4·4 / 16⌉
  EXPECT_EQ(g.acc_bits, 8);  // 16 values of ≤ 15: ≤ 240
  EXPECT_EQ(g.luts, 128);    // 16 accumulators × 8 bits
  EXPECT_EQ(g.ram_blocks, 0);
  // Sequential latency 64 + 16 = 80 cycles; the pipeline is bound by the max pool's 64.
  EXPECT_EQ(e.latency_cycles, 80);
  EXPECT_EQ(e.bottleneck_cycles, 64);
  EXPECT_EQ(e.bottleneck_layer, "maxpool");
  EXPECT_NEAR(e.sequential_images_per_second, 200e6 / 80, 1e-6);
  EXPECT_NEAR(e.images_per_second, 200e6 / 64, 1e-6);
}

TEST(Estimator, TableAndJsonNameTheFormulasAndTotals) {
  const Estimate e = estimate(conv_model(), device_profile("arria10"), kP16);
  const std::string t = estimate_table(e);
  EXPECT_CONTAINS(t, "Intel Arria 10 GX 1150");
  EXPECT_CONTAINS(t, "sequential latency (sum of layer cycles): 1152 cycles");
  EXPECT_CONTAINS(t, "pipelined throughput bound (max layer cycles, 'conv')");
  EXPECT_CONTAINS(t, "ceil(K^2*C_in/groups / vec) * ceil(C_out / lanes) * H_out * W_out");
  EXPECT_CONTAINS(t, "FINN-R");
  EXPECT_CONTAINS(t, "WP486");
  EXPECT_CONTAINS(t, "UNIQ");
  EXPECT_CONTAINS(t, "7840 / 427200");
  EXPECT_CONTAINS(t, "fits the device");
  const nlohmann::json j = estimate_json(e);
  EXPECT_EQ(j.at("device_id"), "arria10");
  EXPECT_EQ(j.at("luts").get<int64_t>(), 7840);
  EXPECT_EQ(j.at("ram_blocks").get<int64_t>(), 28);
  EXPECT_EQ(j.at("available").at("ram_unit"), "M20K");
  EXPECT_EQ(j.at("latency_cycles").get<int64_t>(), 1152);
  EXPECT_EQ(j.at("bottleneck_layer"), "conv");
  EXPECT_TRUE(j.at("fits").get<bool>());
  EXPECT_EQ(j.at("layers").at(0).at("luts_mul").get<int64_t>(), 4096);
  EXPECT_TRUE(j.at("formulas").contains("ram_weights"));
}

TEST(Estimator, CycleConversionsAtTheClock) {
  EXPECT_NEAR(cycles_to_ms(200000, 200), 1.0, 1e-12);  // 200k cycles at 200 MHz = 1 ms
  EXPECT_NEAR(images_per_second(1000, 250), 250000, 1e-9);
  EXPECT_EQ(images_per_second(0, 250), 0);
}

TEST(Estimator, RejectsBadParallelismAndUnprovenRanges) {
  const IntegerModel m = conv_model();
  const std::string bad = error_of([&] {
    estimate(m, device_profile("arria10"), Parallelism{0, 16, 200});
  });
  EXPECT_CONTAINS(bad, "vec 0");
  IntegerModel unproven = conv_model();
  unproven.layers[0].min_value = unproven.layers[0].max_value = 0;
  const std::string e = error_of([&] { estimate(unproven, device_profile("zu9eg"), kP16); });
  EXPECT_CONTAINS(e, "'conv'");
  EXPECT_CONTAINS(e, "prove_accumulator_bounds");
}
