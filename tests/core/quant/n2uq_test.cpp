// N2UQ (METHODS §4): LTQ thresholds at segment midpoints with uniform outputs, the G-STE
// slopes and parameter gradients, signed sites, calibration, and the per-channel weight
// quantizer. Every expected value below is worked out by hand in the comments.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <memory>

#include "quant/method.h"
#include "quant/n2uq.h"

using namespace bitshift;

namespace {

constexpr double kN2uqValueTol = 1e-5;     // float32 levels up to ~5
constexpr double kN2uqGradTol = 1e-5;      // float32 gradients
constexpr double kDelta2 = 2.0 / 3.0;  // Δ at 2 bits: n = 3 steps over 2.0

void set_value(const torch::Tensor& p, const torch::Tensor& v) {
  torch::NoGradGuard no_grad;
  p.copy_(v);
}

// 2-bit quantizer with a = 0.5, 1.0, 0.25 and start 0: B = 0, 0.5, 1.5, 1.75 and midpoint
// thresholds T = 0.25, 1.0, 1.625 (all exact in float32).
std::shared_ptr<N2uqActivationQuantizer> unequal_intervals() {
  auto q = std::make_shared<N2uqActivationQuantizer>(2, false);
  set_value(q->interval_parameter(), torch::tensor({0.5f, 1.0f, 0.25f}));
  return q;
}

}  // namespace

TEST(N2uqActivations, N2uqDefaultLevelsAreUniformOnZeroToTwo) {
  N2uqActivationQuantizer q(2, false);
  // a = Δ = 2/3: thresholds 1/3, 1, 5/3 → counts 0, 0, 1, 1, 2, 3, 3 → ·Δ.
  auto x = torch::tensor({-1.0f, 0.2f, 0.5f, 0.9f, 1.2f, 1.9f, 5.0f});
  const double d = kDelta2;
  auto expected = torch::tensor({0.0, 0.0, d, d, 2 * d, 2.0, 2.0}, torch::kFloat);
  EXPECT_TRUE(torch::allclose(q.quantize(x), expected, 0, kN2uqValueTol));
}

TEST(N2uqActivations, N2uqUnequalIntervalsPutThresholdsAtSegmentMidpoints) {
  auto holder = unequal_intervals();
  auto& q = *holder;
  auto x = torch::tensor({0.24f, 0.3f, 0.99f, 1.2f, 1.62f, 1.7f, 3.0f});
  const double d = kDelta2;  // counts 0, 1, 1, 2, 2, 3, 3
  auto expected = torch::tensor({0.0, d, d, 2 * d, 2 * d, 2.0, 2.0}, torch::kFloat);
  EXPECT_TRUE(torch::allclose(q.quantize(x), expected, 0, kN2uqValueTol));
}

TEST(N2uqActivations, N2uqInputExactlyOnAThresholdGoesUp) {
  auto holder = unequal_intervals();
  auto& q = *holder;
  // On T_i, f(u)/Δ is exactly i − ½; half up gives level i.
  auto x = torch::tensor({0.25f, 1.0f, 1.625f});
  const double d = kDelta2;
  EXPECT_TRUE(
      torch::allclose(q.quantize(x), torch::tensor({d, 2 * d, 2.0}, torch::kFloat), 0, kN2uqValueTol));
}

TEST(N2uqActivations, N2uqGsteSlopeIsScale2DeltaOverIntervalInEachSegment) {
  auto holder = unequal_intervals();
  auto& q = *holder;
  set_value(q.scale1_parameter(), torch::tensor({2.0f}));
  set_value(q.scale2_parameter(), torch::tensor({1.5f}));
  // u = 2x = −0.5 (below start), 0.3 (segment 1), 1.2 (2), 1.7 (3), 2.5 (above B_3).
  auto x = torch::tensor({-0.25f, 0.15f, 0.6f, 0.85f, 1.25f}, torch::requires_grad());
  auto y = q.quantize(x);
  // Counts 0, 1, 2, 3, 3 → 1.5·Δ·count.
  EXPECT_TRUE(
      torch::allclose(y.detach(), torch::tensor({0.0f, 1.0f, 2.0f, 3.0f, 3.0f}), 0, kN2uqValueTol));
  y.sum().backward();
  // ∂out/∂u = 1.5·Δ/a⁺_i = 2, 1, 4 in segments 1…3, 0 outside; ∂out/∂x = scale1·∂out/∂u.
  auto expected = torch::tensor({0.0f, 2 * 2.0f, 2 * 1.0f, 2 * 4.0f, 0.0f});
  EXPECT_TRUE(torch::allclose(x.grad(), expected, 0, kN2uqGradTol));
}

TEST(N2uqActivations, N2uqGsteIsPlainSteWithEqualIntervals) {
  N2uqActivationQuantizer q(3, false);
  auto x = torch::tensor({-0.5f, 0.1f, 0.9f, 1.95f, 2.5f}, torch::requires_grad());
  q.quantize(x).sum().backward();
  EXPECT_TRUE(
      torch::allclose(x.grad(), torch::tensor({0.0f, 1.0f, 1.0f, 1.0f, 0.0f}), 0, kN2uqGradTol));
}

TEST(N2uqActivations, N2uqParameterGradientsFollowGste) {
  auto holder = unequal_intervals();
  auto& q = *holder;
  // One u = 1.2 in segment 2 (B_1 = 0.5, a⁺_2 = 1): y = 2Δ.
  auto out = q.quantize(torch::tensor({1.2f}));
  out.sum().backward();
  const double d = kDelta2;
  // ∂/∂a_1 = −Δ/a⁺_2 (a later segment); ∂/∂a_2 = −Δ/a⁺_2²·(u − B_1); ∂/∂a_3 = 0.
  auto ga = torch::tensor({-d / 1.0, -d * (1.2 - 0.5), 0.0}, torch::kFloat);
  EXPECT_TRUE(torch::allclose(q.interval_parameter().grad(), ga, 0, kN2uqGradTol));
  EXPECT_NEAR(q.start_parameter().grad().item<double>(), -d, kN2uqGradTol);
  EXPECT_NEAR(q.scale2_parameter().grad().item<double>(), 2 * d, kN2uqGradTol);          // = y
  EXPECT_NEAR(q.scale1_parameter().grad().item<double>(), d / 1.0 * 1.2, kN2uqGradTol);  // f′(u)·x
}

TEST(N2uqActivations, N2uqCollapsedIntervalGetsNoGradient) {
  N2uqActivationQuantizer q(2, false);
  set_value(q.interval_parameter(), torch::tensor({0.5f, 0.0005f, 1.0f}));  // a⁺_2 = 1e-3
  // B = 0, 0.5, 0.501, 1.501; u = 1.0 is in segment 3.
  q.quantize(torch::tensor({1.0f})).sum().backward();
  auto ga = torch::tensor({-kDelta2, 0.0, -kDelta2 * (1.0 - 0.501)}, torch::kFloat);
  EXPECT_TRUE(torch::allclose(q.interval_parameter().grad(), ga, 0, kN2uqGradTol));
}

TEST(N2uqActivations, N2uqSignedSiteShiftsLevelsByStart) {
  N2uqActivationQuantizer q(2, true);
  EXPECT_EQ(q.start_parameter().item<float>(), -1.0f);  // signed default: u in [−1, 1]
  // a = 0.5, 1, 0.5 (exact thresholds): B = −1, −0.5, 0.5, 1; T = −0.75, 0, 0.75.
  set_value(q.interval_parameter(), torch::tensor({0.5f, 1.0f, 0.5f}));
  auto x = torch::tensor({-2.0f, -0.5f, 0.0f, 0.5f, 3.0f}, torch::requires_grad());
  auto y = q.quantize(x);
  // counts 0, 1, 2 (0 is on T_2: up), 2, 3 → y = count·Δ, then + Δ·R(start/Δ) = Δ·R(−1.5) = −Δ
  // (Δ = 2/3): the levels −2/3, 0, 2/3, 4/3 keep zero among them.
  const double t = 1.0 / 3.0;
  EXPECT_TRUE(torch::allclose(y.detach(), torch::tensor({-2 * t, 0.0, 2 * t, 2 * t, 4 * t},
                                                        torch::kFloat),
                              0, kN2uqValueTol));
  y.sum().backward();
  // ∂/∂start = 1 (the shift) − Δ/a⁺_k inside segment k: 1, 1 − 4/3, 1 − 2/3, 1 − 2/3, 1.
  EXPECT_NEAR(q.start_parameter().grad().item<double>(), 1 - t + t + t + 1, kN2uqGradTol);
}

TEST(N2uqActivations, N2uqCalibrationMapsUnsignedRangeOntoZeroToTwo) {
  N2uqActivationQuantizer q(2, false);
  // 1000 values with the top ten at 4: the 99.9% (999th of 1000) value is 4, the ReLU removes
  // the negatives → scale1 = 2/4, scale2 = 2, start 0.
  q.observe(torch::cat({torch::linspace(-2, 3, 990), torch::full({10}, 4.0f)}));
  q.finish_calibration();
  EXPECT_NEAR(q.scale1_parameter().item<double>(), 0.5, kN2uqValueTol);
  EXPECT_NEAR(q.scale2_parameter().item<double>(), 2.0, kN2uqValueTol);
  EXPECT_NEAR(q.start_parameter().item<double>(), 0.0, kN2uqValueTol);
  // x = 1 → u = 0.5 → level 1 → 2·Δ; x = 4 → top → 4.
  auto y = q.quantize(torch::tensor({1.0f, 4.0f}));
  EXPECT_TRUE(torch::allclose(y, torch::tensor({2 * kDelta2, 4.0}, torch::kFloat), 0, kN2uqValueTol));
}

TEST(N2uqActivations, N2uqCalibrationMapsSignedRangeOntoStartPlusTwo) {
  N2uqActivationQuantizer q(2, true);
  // 0.1% (2nd of 1000) = −3 and 99.9% (999th) = 5: span 8 → scale1 = 1/4, start = −3/4, scale2 = 4.
  q.observe(
      torch::cat({torch::full({10}, -3.0f), torch::linspace(-1, 1, 980), torch::full({10}, 5.0f)}));
  q.finish_calibration();
  EXPECT_NEAR(q.scale1_parameter().item<double>(), 0.25, kN2uqValueTol);
  EXPECT_NEAR(q.start_parameter().item<double>(), -0.75, kN2uqValueTol);
  EXPECT_NEAR(q.scale2_parameter().item<double>(), 4.0, kN2uqValueTol);
  // The ends of the observed range reach the lowest and highest levels, 4·Δ·(k + R(start/Δ))
  // with Δ = 2/3 and R(−9/8) = −1: 4·(0 − 2/3) and 4·(2 − 2/3), a whole step apart from zero.
  EXPECT_TRUE(torch::allclose(q.quantize(torch::tensor({-3.0f, 5.0f})),
                              torch::tensor({-8.0f / 3, 16.0f / 3}), 0, kN2uqValueTol));
}

TEST(N2uqActivations, N2uqWithoutCalibrationKeepsCodeDefaults) {
  N2uqActivationQuantizer q(4, false);
  q.finish_calibration();
  EXPECT_EQ(q.scale1_parameter().item<float>(), 1.0f);
  EXPECT_EQ(q.scale2_parameter().item<float>(), 1.0f);
  EXPECT_EQ(q.start_parameter().item<float>(), 0.0f);
  EXPECT_EQ(q.interval_parameter().numel(), 15);
  EXPECT_NEAR(q.interval_parameter()[7].item<double>(), 2.0 / 15.0, kN2uqValueTol);
}

TEST(N2uqWeights, N2uqTwoBitWeightLevelsAreThirdsOfChannelScale) {
  N2uqWeightQuantizer q(2, Granularity::GranularityPerChannel);
  // Channel 0: mean|w| = 0.625, S = 1.5·0.625 = 0.9375; w/S = 0, 1.07, −1.07, 0.53 → clip
  //   → (·+1)·1.5 = 1.5, 3, 0, 2.3 → R = 2 (tie up), 3, 0, 2 → (2R/3 − 1)·S.
  // Channel 1: mean|w| = 1.825, S = 2.7375; w/S = 1.1, −1.1, 0.11, −0.37
  //   → 3, 0, 1.66, 0.95 → R = 3, 0, 2, 1.
  auto w = torch::tensor({{0.0f, 1.0f, -1.0f, 0.5f}, {3.0f, -3.0f, 0.3f, -1.0f}});
  const double s0 = 0.9375, s1 = 2.7375, t = 1.0 / 3.0;
  auto expected =
      torch::tensor({{t * s0, s0, -s0, t * s0}, {s1, -s1, t * s1, -t * s1}}, torch::kFloat);
  EXPECT_TRUE(torch::allclose(q.quantize(w), expected, 0, kN2uqValueTol));
}

TEST(N2uqWeights, N2uqWeightGradientIsUpstreamOverChannelScaleWithoutClipMask) {
  N2uqWeightQuantizer q(2, Granularity::GranularityPerTensor);  // still per channel
  auto w = torch::tensor({{0.0f, 1.0f, -1.0f, 0.5f}, {3.0f, -3.0f, 0.3f, -1.0f}},
                         torch::requires_grad());
  auto upstream = torch::arange(1, 9, torch::kFloat).view({2, 4});
  (q.quantize(w) * upstream).sum().backward();
  // ∂L/∂w = upstream/S_c, also for the clipped ±1.07 and ±1.1 entries.
  auto scales = torch::tensor({0.9375f, 2.7375f}).view({2, 1});
  EXPECT_TRUE(torch::allclose(w.grad(), upstream / scales, 0, kN2uqGradTol));
}

TEST(N2uqWeights, N2uqBinaryWeightsAreSignTimesMeanAbs) {
  N2uqWeightQuantizer q(1, Granularity::GranularityPerChannel);  // γ_1 = 1, levels ±S
  // mean|w| = 1: (clip(w) + 1)·½ = 0.75, 0, 0.5, 1 → R = 1, 0, 1 (tie up), 1 → 2R − 1.
  auto w = torch::tensor({{0.5f, -1.5f, 0.0f, 2.0f}});
  EXPECT_TRUE(
      torch::allclose(q.quantize(w), torch::tensor({{1.0f, -1.0f, 1.0f, 1.0f}}), 0, kN2uqValueTol));
}

TEST(N2uqWeights, N2uqGammaIsLevelsOverHalfTheCodes) {
  EXPECT_DOUBLE_EQ(N2uqWeightQuantizer(2, Granularity::GranularityPerTensor).gamma(), 1.5);
  EXPECT_DOUBLE_EQ(N2uqWeightQuantizer(3, Granularity::GranularityPerTensor).gamma(), 1.75);
  EXPECT_DOUBLE_EQ(N2uqWeightQuantizer(4, Granularity::GranularityPerTensor).gamma(), 1.875);
}

TEST(N2uqFactory, N2uqIdMakesN2uqQuantizers) {
  auto w = make_weight_quantizer("n2uq", 2, Granularity::GranularityPerTensor);
  auto a = make_activation_quantizer("n2uq", 2, true);
  EXPECT_NE(std::dynamic_pointer_cast<N2uqWeightQuantizer>(w), nullptr);
  EXPECT_NE(std::dynamic_pointer_cast<N2uqActivationQuantizer>(a), nullptr);
}
