// UNIQ: k-quantile thresholds and levels, equal-mass bins, the quantize/STE path and the
// CDF-domain training noise (METHODS §2.1–2.2).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "quant/method.h"
#include "quant/nice.h"
#include "quant/uniq.h"

using namespace bitshift;

namespace {

constexpr double kQuantileTol = 1e-4;  // hand-typed quantiles carry 4–7 decimals
// Standard normal quantiles, typed from tables: z(0.625), z(0.75), z(0.875).
constexpr double kZ625 = 0.3186394, kZ75 = 0.6744898, kZ875 = 1.1503494;

// Two values ±a/√2 around m have mean m and (unbiased) std a.
torch::Tensor with_mean_std(double m, double a) {
  return torch::tensor({m - a / std::sqrt(2.0), m + a / std::sqrt(2.0)}, torch::kFloat);
}

}  // namespace

TEST(KQuantile, ThresholdsAreGaussianQuantiles) {
  KQuantileQuantizer q(2, Granularity::GranularityPerTensor);  // k = 4
  q.init(with_mean_std(0.0, 1.0));
  EXPECT_NEAR(q.mean(), 0.0, 1e-6);
  EXPECT_NEAR(q.std(), 1.0, 1e-6);
  const auto t = q.thresholds();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_NEAR(t[0], -kZ75, kQuantileTol);
  EXPECT_NEAR(t[1], 0.0, kQuantileTol);
  EXPECT_NEAR(t[2], kZ75, kQuantileTol);
  // Levels are the bin medians F⁻¹((i + ½)/k).
  const auto l = q.levels();
  ASSERT_EQ(l.size(), 4u);
  EXPECT_NEAR(l[0], -kZ875, kQuantileTol);
  EXPECT_NEAR(l[1], -kZ625, kQuantileTol);
  EXPECT_NEAR(l[2], kZ625, kQuantileTol);
  EXPECT_NEAR(l[3], kZ875, kQuantileTol);
}

TEST(KQuantile, ThresholdsFollowTheFittedMeanAndStd) {
  KQuantileQuantizer q(2, Granularity::GranularityPerTensor);
  q.init(with_mean_std(2.0, 0.5));
  const auto t = q.thresholds();
  const auto l = q.levels();
  EXPECT_NEAR(t[0], 2.0 - 0.5 * kZ75, kQuantileTol);
  EXPECT_NEAR(t[2], 2.0 + 0.5 * kZ75, kQuantileTol);
  EXPECT_NEAR(l[0], 2.0 - 0.5 * kZ875, kQuantileTol);
  EXPECT_NEAR(l[3], 2.0 + 0.5 * kZ875, kQuantileTol);
}

TEST(KQuantile, StdHasAFloor) {
  KQuantileQuantizer q(4, Granularity::GranularityPerTensor);
  q.init(torch::full({10}, 0.25f));
  EXPECT_NEAR(q.std(), KQuantileQuantizer::kMinStd, 1e-9);
  // Every level is still finite and ordered.
  const auto l = q.levels();
  for (size_t i = 1; i < l.size(); ++i) EXPECT_LT(l[i - 1], l[i]);
}

TEST(KQuantile, EachBinGetsAnEqualShareOfGaussianSamples) {
  torch::manual_seed(7);
  constexpr int64_t kSamples = 100000;
  // Binomial std of a bin's share at n = 100k, p = 1/8 is 0.001; μ, σ are estimated too.
  constexpr double kShareTol = 0.006;
  KQuantileQuantizer q(3, Granularity::GranularityPerTensor);  // k = 8
  auto w = torch::randn({kSamples}) * 0.3 + 0.1;
  q.init(w);
  auto out = q.quantize(w).detach();
  const auto levels = q.levels();
  double total = 0.0;
  for (double level : levels) {
    const double share =
        out.eq(static_cast<float>(level)).to(torch::kDouble).mean().item<double>();
    EXPECT_NEAR(share, 1.0 / 8.0, kShareTol) << "level " << level;
    total += share;
  }
  EXPECT_NEAR(total, 1.0, 1e-12);  // every output is one of the k levels
}

TEST(KQuantile, QuantizeGivesTheBinMedianWithAStraightThroughGradient) {
  KQuantileQuantizer q(2, Granularity::GranularityPerTensor);
  q.init(with_mean_std(0.0, 1.0));
  // Far tails clip to the outer levels; a value exactly on the middle threshold (0) goes to the
  // upper bin, as floor(F(w)·k) does.
  auto w = torch::tensor({-9.0f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 9.0f}, torch::requires_grad());
  auto y = q.quantize(w);
  auto expected = torch::tensor({-kZ875, -kZ875, -kZ625, kZ625, kZ625, kZ875, kZ875},
                                torch::kDouble);
  EXPECT_TRUE(torch::allclose(y.detach().to(torch::kDouble), expected, 0.0, kQuantileTol)) << y;
  y.sum().backward();
  EXPECT_TRUE(torch::equal(w.grad(), torch::ones({7}))) << w.grad();
}

TEST(KQuantile, NoiseStaysWithinHalfABinInTheCdfDomain) {
  torch::manual_seed(3);
  constexpr int64_t kSamples = 200000;
  constexpr double kCdfRoundTripTol = 1e-5;  // float erf/erfinv round trip
  constexpr double kMomentTol = 0.002;
  KQuantileQuantizer q(2, Granularity::GranularityPerTensor);  // half a bin = 1/8
  auto w = torch::randn({kSamples}) * 0.05;
  q.init(w);
  q.train();
  auto w_grad = w.clone().requires_grad_(true);
  auto noisy = q.noisy(w_grad);
  const double half_bin = 1.0 / 8.0;
  auto d = (q.cdf(noisy.detach().to(torch::kDouble)) - q.cdf(w.to(torch::kDouble)));
  EXPECT_LE(d.abs().max().item<double>(), half_bin + kCdfRoundTripTol);
  // Every element is perturbed (no mask) by e ~ U(−1/8, 1/8): mean 0, std (1/8)/√3 where the
  // clip to (ε, 1 − ε) cannot act, i.e. F(w) at least half a bin from 0 and 1.
  EXPECT_GT(noisy.detach().ne(w).to(torch::kDouble).mean().item<double>(), 0.999);
  auto u = q.cdf(w.to(torch::kDouble));
  auto interior = d.masked_select(u.gt(half_bin).logical_and(u.lt(1.0 - half_bin)));
  EXPECT_NEAR(interior.mean().item<double>(), 0.0, kMomentTol);
  EXPECT_NEAR(interior.std().item<double>(), half_bin / std::sqrt(3.0), kMomentTol);
  // The noisy values stay strictly inside the CDF clip (ε, 1 − ε): finite.
  EXPECT_TRUE(torch::isfinite(noisy).all().item<bool>());
  noisy.sum().backward();
  EXPECT_TRUE(torch::equal(w_grad.grad(), torch::ones({kSamples})));
}

TEST(KQuantile, NoisyStateAddsNoiseOnlyInTraining) {
  torch::manual_seed(5);
  KQuantileQuantizer q(3, Granularity::GranularityPerTensor);
  auto w = torch::randn({1000});
  q.init(w);
  q.set_state(QuantState::QuantStateNoisy);
  q.eval();
  EXPECT_TRUE(torch::equal(q.forward(w).detach(), q.quantize(w).detach()));
  q.train();
  EXPECT_FALSE(torch::equal(q.forward(w).detach(), q.quantize(w).detach()));
}

TEST(KQuantile, FactoryMakesUniqWeightsAndUniformActivationClamps) {
  auto wq = make_weight_quantizer("uniq", 4, Granularity::GranularityPerTensor);
  EXPECT_NE(std::dynamic_pointer_cast<KQuantileQuantizer>(wq), nullptr);
  auto aq = make_activation_quantizer("uniq", 8, false);
  EXPECT_NE(std::dynamic_pointer_cast<NiceActivationClamp>(aq), nullptr);
}
