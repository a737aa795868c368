// UniQ (METHODS §3): symmetric levels without zero, half-up rounding, the LSQ-style step
// gradients times UniQ's gradient scale, and the δ_b / δ⁺_b initialisation. Every expected
// value below is worked out by hand in the comments, not with the code under test.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <memory>

#include "quant/method.h"
#include "quant/uniq_sym.h"

using namespace bitshift;

namespace {

constexpr double kUniqSymValueTol = 1e-6;  // float32 levels
constexpr double kUniqSymGradTol = 1e-5;   // float32 sums of a few gradient terms
constexpr double kInitTol = 1e-5;   // std/mean in float32 times the table

// METHODS §3.3, typed in from the table.
constexpr double kDelta[] = {1.595769, 0.995687, 0.586019, 0.335201, 0.188139,
                             0.104063, 0.056868, 0.030762, 0.016499};
constexpr double kDeltaPlus[] = {1.22399, 0.65077, 0.35341, 0.19325, 0.10549,
                                 0.05727, 0.03087, 0.01653, 0.00879};
constexpr double kTableTol = 1e-5;  // the table in METHODS is printed to 5–6 digits

void set_step(const torch::Tensor& step, const torch::Tensor& value) {
  torch::NoGradGuard no_grad;
  step.set_data(value.clone());
}

}  // namespace

TEST(UniqWeights, UniqBinaryWeightsAreHalfStepSigned) {
  UniqWeightQuantizer q(1, Granularity::GranularityPerTensor);  // N = 1
  set_step(q.step_parameter(), torch::tensor({0.5f}));
  // w/s + 1/2 = 1.1, 0.1, 10.5, −9.5, 0.5 → clip [0, 1] → R = 1, 0, 1, 0, 1 (0.5 goes up)
  // → s·(R − 1/2) = ±0.25; w = 0 lands on +s/2.
  auto w = torch::tensor({0.3f, -0.2f, 5.0f, -5.0f, 0.0f});
  auto y = q.quantize(w);
  EXPECT_TRUE(
      torch::allclose(y, torch::tensor({0.25f, -0.25f, 0.25f, -0.25f, 0.25f}), 0, kUniqSymValueTol));
}

TEST(UniqWeights, UniqTwoBitLevelsAreOddHalfStepsAndTiesRoundUp) {
  UniqWeightQuantizer q(2, Granularity::GranularityPerTensor);  // N = 3, levels ±0.5, ±1.5
  set_step(q.step_parameter(), torch::tensor({1.0f}));
  // w + 1.5 = 1.5, 1.99, 2.5, 0.5, 0.49, 4.4, −5.5 → clip → R = 2, 2, 3, 1, 0, 3, 0
  // (half up: 2.5 → 3 and 0.5 → 1, where half-to-even would give 2 and 0) → R − 1.5.
  auto w = torch::tensor({0.0f, 0.49f, 1.0f, -1.0f, -1.01f, 2.9f, -7.0f});
  auto expected = torch::tensor({0.5f, 0.5f, 1.5f, -0.5f, -1.5f, 1.5f, -1.5f});
  EXPECT_TRUE(torch::allclose(q.quantize(w), expected, 0, kUniqSymValueTol));
}

TEST(UniqWeights, UniqWeightStepGradientIsLsqRuleTimesGradScale) {
  UniqWeightQuantizer q(2, Granularity::GranularityPerTensor);  // N = 3, range |w| ≤ 0.75
  set_step(q.step_parameter(), torch::tensor({0.5f}));
  auto w = torch::tensor({0.2f, -0.6f, 0.74f, 1.0f, -2.0f}, torch::requires_grad());
  auto y = q.quantize(w);
  // w/s + 1.5 = 1.9, 0.3, 2.98 → R = 2, 0, 3 → w_q = 0.25, −0.75, 0.75; then above, below.
  const double wq[] = {0.25, -0.75, 0.75, 0.75, -0.75};
  EXPECT_TRUE(torch::allclose(y.detach(), torch::tensor({0.25f, -0.75f, 0.75f, 0.75f, -0.75f}), 0,
                              kUniqSymValueTol));
  y.sum().backward();
  const double s = 0.5, g = 1.0 / std::sqrt(5.0 * 1.0);  // max(2^(b−1) − 1, 1) = 1
  const double inside = (wq[0] - 0.2) / s + (wq[1] + 0.6) / s + (wq[2] - 0.74) / s;
  const double expected = g * (inside + 1.5 - 1.5);  // above: +N/2, below: −N/2
  EXPECT_NEAR(q.step_parameter().grad().item<double>(), expected, kUniqSymGradTol);
  EXPECT_TRUE(torch::equal(w.grad(), torch::tensor({1.0f, 1.0f, 1.0f, 0.0f, 0.0f})));
}

TEST(UniqWeights, UniqPerChannelStepGradientScalesByNumelPerChannel) {
  UniqWeightQuantizer q(2, Granularity::GranularityPerChannel);
  // Channel 0 all above its range (s = 0.5), channel 1 all below (s = 1): each element gives
  // ±N/2 = ±1.5, and g = 1/sqrt((8/2)·1) = 0.5, so the steps get ±4·1.5·0.5 = ±3.
  set_step(q.step_parameter(), torch::tensor({0.5f, 1.0f}).view({2, 1, 1, 1}));
  auto w = torch::cat({torch::full({1, 1, 2, 2}, 2.0f), torch::full({1, 1, 2, 2}, -5.0f)});
  auto y = q.quantize(w);
  EXPECT_TRUE(
      torch::allclose(y.flatten(1).select(1, 0), torch::tensor({0.75f, -1.5f}), 0, kUniqSymValueTol));
  y.sum().backward();
  EXPECT_TRUE(torch::allclose(q.step_parameter().grad().flatten(), torch::tensor({3.0f, -3.0f}), 0,
                              kUniqSymGradTol));
}

TEST(UniqWeights, UniqWeightInitIsStdTimesGaussianTable) {
  // w = ±1, ±3: mean 0, unbiased variance (1 + 1 + 9 + 9)/3 = 20/3.
  const double std = std::sqrt(20.0 / 3.0);
  for (int b = 1; b <= 8; ++b) {
    UniqWeightQuantizer q(b, Granularity::GranularityPerTensor);
    q.init(torch::tensor({1.0f, -1.0f, 3.0f, -3.0f}));
    EXPECT_NEAR(q.step_parameter().item<double>(), std * kDelta[b - 1], kInitTol * std)
        << b << " bit";
  }
}

TEST(UniqWeights, UniqPerChannelInitUsesEachChannelsStd) {
  UniqWeightQuantizer q(4, Granularity::GranularityPerChannel);
  // Channel 0: ±1 (unbiased std sqrt(4/3)); channel 1: ±3 (std 3·sqrt(4/3)).
  auto c0 = torch::tensor({1.0f, -1.0f, 1.0f, -1.0f}).view({1, 1, 2, 2});
  q.init(torch::cat({c0, 3 * c0}));
  EXPECT_EQ(q.step_parameter().sizes(), (std::vector<int64_t>{2, 1, 1, 1}));
  const double std0 = std::sqrt(4.0 / 3.0);
  EXPECT_NEAR(q.step_parameter()[0].item<double>(), std0 * kDelta[3], kInitTol);
  EXPECT_NEAR(q.step_parameter()[1].item<double>(), 3 * std0 * kDelta[3], kInitTol);
}

TEST(UniqTables, UniqStepTablesMatchMethodsAndHalveBeyondNineBits) {
  for (int b = 1; b <= 9; ++b) {
    EXPECT_NEAR(uniq_gaussian_step(b), kDelta[b - 1], kTableTol) << b;
    EXPECT_NEAR(uniq_half_gaussian_step(b), kDeltaPlus[b - 1], kTableTol) << b;
  }
  EXPECT_NEAR(uniq_gaussian_step(11), kDelta[8] / 4, kTableTol);  // [inferred] extrapolation
  EXPECT_NEAR(uniq_half_gaussian_step(16), kDeltaPlus[8] / 128, kTableTol);
}

TEST(UniqActivations, UniqUnsignedActivationLevelsRoundHalfUp) {
  UniqActivationQuantizer q(2, false);  // levels 0…3 steps
  set_step(q.step_parameter(), torch::tensor({0.5f}));
  // x/s = −2, 0.5, 1, 1.5, 2.5, 3, 18 → clip [0, 3] → R = 0, 1, 1, 2, 3, 3, 3 → ·0.5.
  auto x = torch::tensor({-1.0f, 0.25f, 0.5f, 0.75f, 1.25f, 1.5f, 9.0f});
  auto expected = torch::tensor({0.0f, 0.5f, 0.5f, 1.0f, 1.5f, 1.5f, 1.5f});
  EXPECT_TRUE(torch::allclose(q.quantize(x), expected, 0, kUniqSymValueTol));
}

TEST(UniqActivations, UniqActivationStepGradientCountsTheBatchInNumel) {
  UniqActivationQuantizer q(2, false);
  set_step(q.step_parameter(), torch::tensor({0.5f}));
  auto x = torch::tensor({{0.2f, 0.6f, 5.0f}, {-1.0f, 1.4f, 0.3f}}, torch::requires_grad());
  auto y = q.quantize(x);
  // x/s = 0.4, 1.2, 10, −2, 2.8, 0.6 → x_q = 0, 0.5, 1.5 (above), 0 (below), 1.5, 0.5.
  EXPECT_TRUE(torch::allclose(y.detach(), torch::tensor({{0.0f, 0.5f, 1.5f}, {0.0f, 1.5f, 0.5f}}),
                              0, kUniqSymValueTol));
  y.sum().backward();
  const double s = 0.5, g = 1.0 / std::sqrt(6.0 * 3.0);  // numel 6 includes the batch of 2
  const double inside = (0.0 - 0.2) / s + (0.5 - 0.6) / s + (1.5 - 1.4) / s + (0.5 - 0.3) / s;
  EXPECT_NEAR(q.step_parameter().grad().item<double>(), g * (inside + 3.0 + 0.0), kUniqSymGradTol);
  EXPECT_TRUE(torch::equal(x.grad(), torch::tensor({{1.0f, 1.0f, 0.0f}, {0.0f, 1.0f, 1.0f}})));
}

TEST(UniqActivations, UniqActivationInitIsMaxOverBatchesOfPostReluSigmaTimesHalfGaussianTable) {
  UniqActivationQuantizer q(4, false);
  // observe() gets the ReLU's input. Batch 1: relu → 0, 2, 0, 1: mean x² = 5/4, σ̂ = sqrt(2.5)
  // (without the ReLU it would be sqrt(11), larger than batch 2). Batch 2: relu → 3, 0, 0, 0:
  // mean x² = 9/4, σ̂ = sqrt(4.5). The max wins.
  q.observe(torch::tensor({-4.0f, 2.0f, -1.0f, 1.0f}));
  q.observe(torch::tensor({3.0f, -3.0f, 0.0f, 0.0f}));
  q.finish_calibration();
  EXPECT_NEAR(q.step_parameter().item<double>(), std::sqrt(4.5) * kDeltaPlus[3], kInitTol);
}

TEST(UniqActivations, UniqSignedActivationUsesSymmetricWeightStyleQuantizer) {
  UniqActivationQuantizer q(2, true);  // N = 3: ±0.5, ±1.5 at s = 1
  set_step(q.step_parameter(), torch::tensor({1.0f}));
  // x + 1.5 = 1.3, 1.5, 2.2, −1.5 → R = 1, 2 (tie up), 2, 0 (clipped) → R − 1.5.
  auto x = torch::tensor({-0.2f, 0.0f, 0.7f, -3.0f});
  EXPECT_TRUE(
      torch::allclose(q.quantize(x), torch::tensor({-0.5f, 0.5f, 0.5f, -1.5f}), 0, kUniqSymValueTol));
  // Both above the range: ∂/∂s = +N/2 each, g = 1/sqrt(2·max(2^1 − 1, 1)).
  auto above = torch::tensor({5.0f, 6.0f});
  q.quantize(above).sum().backward();
  EXPECT_NEAR(q.step_parameter().grad().item<double>(), 2 * 1.5 / std::sqrt(2.0), kUniqSymGradTol);
}

TEST(UniqActivations, UniqSignedActivationInitIsMaxOverBatchesOfStdTimesGaussianTable) {
  UniqActivationQuantizer q(3, true);
  q.observe(torch::tensor({1.0f, -1.0f, 1.0f, -1.0f}));  // unbiased std sqrt(4/3)
  q.observe(torch::tensor({2.0f, -2.0f, 2.0f, -2.0f}));  // 2·sqrt(4/3): the max
  q.finish_calibration();
  EXPECT_NEAR(q.step_parameter().item<double>(), 2 * std::sqrt(4.0 / 3.0) * kDelta[2], kInitTol);
}

TEST(UniqFactory, UniqSymIdMakesUniqQuantizers) {
  auto w = make_weight_quantizer("uniq-sym", 1, Granularity::GranularityPerChannel);
  auto a = make_activation_quantizer("uniq-sym", 2, false);
  EXPECT_NE(std::dynamic_pointer_cast<UniqWeightQuantizer>(w), nullptr);
  EXPECT_NE(std::dynamic_pointer_cast<UniqActivationQuantizer>(a), nullptr);
}
