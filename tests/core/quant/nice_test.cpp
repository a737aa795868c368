// NICE: weight clamp init, grid, noise statistics, activation clamp and its gradient.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "quant/nice.h"

using namespace bitshift;

TEST(NiceWeights, ClampIsMeanPlusKStdAndLevelsAreSymmetricWithZero) {
  NiceWeightQuantizer q(3, Granularity::GranularityPerTensor);
  auto w = torch::tensor({1.0f, -1.0f, 1.0f, -1.0f});  // mean 0, std (unbiased) 2/sqrt(3)
  q.init(w);
  EXPECT_NEAR(q.clamp(), 3.45 * std::sqrt(4.0 / 3.0), 1e-6);
  EXPECT_EQ(q.levels(), 3);  // 3 bits: codes -3..3
  // With c = 3 the step is 1: values round half up onto the grid and clamp at ±3.
  q.init(torch::zeros({2}));
  torch::NoGradGuard g;
  q.named_buffers()["clamp"].fill_(3.0);
  auto out = q.quantize(torch::tensor({0.5f, -0.5f, 1.49f, 2.5f, 7.0f, -9.0f}));
  EXPECT_TRUE(torch::equal(out, torch::tensor({1.0f, 0.0f, 1.0f, 3.0f, 3.0f, -3.0f}))) << out;
}

TEST(NiceWeights, NoiseTouchesFivePercentWithinHalfABinAndLeavesTheRestOnTheGrid) {
  torch::manual_seed(11);
  NiceWeightQuantizer q(4, Granularity::GranularityPerTensor);
  auto w = torch::randn({200000}) * 0.1;
  q.init(w);
  const double delta = q.step();
  q.train();
  auto noisy = q.noisy(w).detach();
  auto hard = q.quantize(w).detach();
  auto off_grid = noisy.ne(hard);
  const double fraction = off_grid.to(torch::kDouble).mean().item<double>();
  constexpr double kFractionTol = 0.003;  // binomial std at n=200k is 0.0005
  EXPECT_NEAR(fraction, 0.05, kFractionTol);
  // Noisy weights stay within ±Δ/2 of the FP weight (then clamped to ±c).
  auto dev = (noisy - w.clamp(-q.clamp(), q.clamp())).abs().masked_select(off_grid);
  EXPECT_LE(dev.max().item<double>(), delta / 2 + 1e-7);
  // The rest are exactly on the grid: integer multiples of Δ.
  auto codes = hard / delta;
  EXPECT_LT((codes - codes.round()).abs().max().item<double>(), 1e-4);
}

TEST(NiceActivations, ClampStartsAtMeanPlusFiveStdOfThePreActivation) {
  NiceActivationClamp a(4, false);
  a.observe(torch::tensor({0.0f, 2.0f}));  // mean 1, std sqrt(2)
  a.finish_calibration();
  EXPECT_NEAR(a.trace()[0].second, 1.0 + 5.0 * std::sqrt(2.0), 1e-6);
}

TEST(NiceActivations, GradientToClampIsOneAboveAndQuantErrorInside) {
  NiceActivationClamp a(2, false);  // 3 steps over [0, c]
  {
    torch::NoGradGuard g;
    a.clamp_parameter().fill_(3.0);  // step 1
  }
  auto x = torch::tensor({-1.0f, 1.4f, 5.0f}, torch::requires_grad());
  auto y = a.quantize(x);
  EXPECT_TRUE(torch::equal(y.detach(), torch::tensor({0.0f, 1.0f, 3.0f})));
  y.sum().backward();
  // dy/dc: 0 below 0, (y_q - y)/c inside = (1 - 1.4)/3, 1 above the clamp (METHODS §1.3).
  EXPECT_NEAR(a.clamp_parameter().grad().item<double>(), (1.0 - 1.4) / 3.0 + 1.0, 1e-6);
  // dy/dx: 1 inside (0, c), 0 elsewhere.
  EXPECT_TRUE(torch::equal(x.grad(), torch::tensor({0.0f, 1.0f, 0.0f})));
}

TEST(NiceBias, SixteenBitOnTheAccumulatorGridWithStraightThroughGradient) {
  // Δ_b = Δ_a·Δ_w = 0.5·0.25 = 0.125 per channel; ±(2^15 − 1) codes.
  const auto step = torch::tensor({0.125, 0.0625}, torch::kFloat64);
  auto b = torch::tensor({0.30f, 1e6f}, torch::requires_grad());
  auto q = nice_quantize_bias(b, step);
  // 0.30 / 0.125 = 2.4 -> 2 -> 0.25; 1e6 clamps at 32767·0.0625 = 2047.9375.
  EXPECT_FLOAT_EQ(q[0].item<float>(), 0.25f);
  EXPECT_FLOAT_EQ(q[1].item<float>(), 2047.9375f);
  q.sum().backward();
  EXPECT_TRUE(torch::equal(b.grad(), torch::ones({2})));
  // Half up, not half to even: 2.5 steps -> 3 steps, -2.5 -> -2.
  auto ties = nice_quantize_bias(torch::tensor({0.3125f, -0.3125f}), torch::tensor({0.125}));
  EXPECT_TRUE(torch::equal(ties, torch::tensor({0.375f, -0.25f}))) << ties;
}
