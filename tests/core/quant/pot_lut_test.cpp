// PoT+LUT (METHODS §5, reconstructed): codes index an int8 table, power-of-two scales, the LUT
// gradient, half-up rounding, and the power-of-two activation step.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "quant/method.h"
#include "quant/pot_lut.h"

using namespace bitshift;

namespace {

constexpr double kPotLutGradTol = 1e-5;
const std::vector<int64_t> kUniformGrid = {-127, -110, -93, -76, -59, -42, -25, -8,
                                           8,    25,   42,  59,  76,  93,  110, 127};

void set_parameter(torch::Tensor p, const torch::Tensor& value) {
  torch::NoGradGuard g;
  p.set_data(value.to(torch::kFloat).clone());
}

}  // namespace

TEST(PotLut, InitIsTheUniformInt8GridAndTheSmallestCoveringPowerOfTwo) {
  PotLutWeightQuantizer q(4, Granularity::GranularityPerChannel);
  // Channel maxima 1, 0.5 and exactly 127·2^-8: exponents ceil(log2(max/127)) = −6, −7, −8.
  auto w = torch::tensor({{1.0f, -0.25f}, {0.1f, -0.5f}, {127.0f / 256.0f, 0.0f}});
  q.init(w);
  EXPECT_EQ(q.table(), kUniformGrid);
  EXPECT_EQ(q.exponents(), (std::vector<int64_t>{-6, -7, -8}));
  EXPECT_EQ(q.exponent_parameter().sizes(), (std::vector<int64_t>{3, 1}));
  // Per tensor: one exponent from the layer's max.
  PotLutWeightQuantizer t(4, Granularity::GranularityPerTensor);
  t.init(w);
  EXPECT_EQ(t.exponents(), (std::vector<int64_t>{-6}));
}

TEST(PotLut, CodesIndexTheTableExactly) {
  torch::manual_seed(13);
  PotLutWeightQuantizer q(4, Granularity::GranularityPerChannel);
  auto w = torch::randn({8, 4, 3, 3}) * torch::linspace(0.01, 1.0, 8).view({8, 1, 1, 1});
  q.init(w);
  auto y = q.quantize(w).detach();
  auto codes = q.codes(w);
  EXPECT_EQ(codes.scalar_type(), torch::kLong);
  EXPECT_EQ(codes.sizes(), w.sizes());
  EXPECT_GE(codes.min().item<int64_t>(), 0);
  EXPECT_LE(codes.max().item<int64_t>(), 15);
  auto table = torch::tensor(q.table(), torch::kLong).to(torch::kFloat);
  auto rebuilt = q.scales().detach() * table.index({codes});
  EXPECT_TRUE(torch::equal(y, rebuilt));
  // And each code is a nearest entry: |w/s − L[code]| ≤ |w/s − L_j| for every j.
  auto x = w / q.scales().detach();
  auto best = (x.unsqueeze(-1) - table).abs().amin(-1);
  EXPECT_TRUE(torch::equal((x - table.index({codes})).abs(), best));
}

TEST(PotLut, ScalesAreExactPowersOfTwoRoundedHalfUp) {
  PotLutWeightQuantizer q(4, Granularity::GranularityPerChannel);
  q.init(torch::ones({4, 2}));
  set_parameter(q.exponent_parameter(), torch::tensor({-6.5, -6.49, -5.5, 2.5}).view({4, 1}));
  EXPECT_EQ(q.exponents(), (std::vector<int64_t>{-6, -6, -5, 3}));
  auto s = q.scales().detach().view(-1);
  for (int64_t c = 0; c < 4; ++c) {
    int e = 0;
    EXPECT_EQ(std::frexp(s[c].item<double>(), &e), 0.5);  // mantissa 1/2: a power of two
    EXPECT_EQ(s[c].item<double>(), std::ldexp(1.0, static_cast<int>(q.exponents()[c])));
  }
}

TEST(PotLut, TableEntriesAreIntegersInTheInt8Range) {
  PotLutWeightQuantizer q(4, Granularity::GranularityPerTensor);
  q.init(torch::ones({4}));
  set_parameter(q.table_parameter(), torch::tensor({200.3, -300.0, 12.5, -12.5, 0.49, -0.5, 7.2,
                                                    -7.7, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 127.4,
                                                    -128.6}));
  EXPECT_EQ(q.table(), (std::vector<int64_t>{127, -128, 13, -12, 0, 0, 7, -8, 1, 2, 3, 4, 5, 6,
                                             127, -128}));
  // The forward pass only ever produces s·(those integers).
  torch::manual_seed(2);
  auto w = torch::randn({1000}) * 2.0;
  auto y = q.quantize(w).detach() / q.scales().detach();
  EXPECT_TRUE(torch::equal(y, y.round()));
  EXPECT_GE(y.min().item<double>(), -128.0);
  EXPECT_LE(y.max().item<double>(), 127.0);
}

TEST(PotLut, NearestEntryRoundsHalfUpAtAnExactMidpoint) {
  PotLutWeightQuantizer q(4, Granularity::GranularityPerTensor);
  q.init(torch::ones({4}));
  set_parameter(q.exponent_parameter(), torch::zeros({1}));                 // s = 1
  set_parameter(q.table_parameter(), torch::arange(-8, 8).flip(0));        // 7…−8, unsorted order
  auto y = q.quantize(torch::tensor({0.5f, -0.5f, 2.5f, -2.5f, 1.49f, 9.0f, -9.0f})).detach();
  EXPECT_TRUE(torch::equal(y, torch::tensor({1.0f, 0.0f, 3.0f, -2.0f, 1.0f, 7.0f, -8.0f}))) << y;
  // On the initial grid, 16.5 is the midpoint of 8 and 25: it goes to 25.
  q.init(torch::ones({4}));
  set_parameter(q.exponent_parameter(), torch::zeros({1}));
  EXPECT_EQ(q.quantize(torch::tensor({16.5f, 16.49f})).detach()[0].item<float>(), 25.0f);
  EXPECT_EQ(q.quantize(torch::tensor({16.5f, 16.49f})).detach()[1].item<float>(), 8.0f);
}

TEST(PotLut, LutGradientEqualsTheHandSum) {
  PotLutWeightQuantizer q(4, Granularity::GranularityPerTensor);
  q.init(torch::ones({4}));                                   // uniform grid
  set_parameter(q.exponent_parameter(), torch::full({1}, -1.0));  // s = 1/2
  // w/s = 8 → 8 (code 8), 9 → 8, 24 → 25 (code 9), −8 → −8 (code 7), 140 → 127 (code 15, outside).
  auto w = torch::tensor({4.0f, 4.5f, 12.0f, -4.0f, 70.0f}, torch::requires_grad());
  auto c = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f});
  auto y = q.quantize(w);
  EXPECT_TRUE(torch::equal(q.codes(w), torch::tensor({8, 8, 9, 7, 15}, torch::kLong)));
  (y * c).sum().backward();
  // ∂/∂L_j = Σ_{code = j} c_i·s.
  auto expected = torch::zeros({16});
  expected[8] = (1.0 + 2.0) * 0.5;
  expected[9] = 3.0 * 0.5;
  expected[7] = 4.0 * 0.5;
  expected[15] = 5.0 * 0.5;
  EXPECT_TRUE(torch::allclose(q.table_parameter().grad(), expected, 0.0, kPotLutGradTol))
      << q.table_parameter().grad();
  // ∂/∂w: 1 inside [min L, max L]·s, 0 outside.
  EXPECT_TRUE(torch::equal(w.grad(), torch::tensor({1.0f, 2.0f, 3.0f, 4.0f, 0.0f})));
  // ∂/∂t = s·ln 2·Σ c_i·(L[code_i] − inside_i·w_i/s) = ½·ln 2·(0 − 2 + 3 + 0 + 5·127).
  EXPECT_NEAR(q.exponent_parameter().grad().item<double>(), 0.5 * std::log(2.0) * 636.0, 1e-3);
}

TEST(PotLut, ActivationStepIsTheSmallestCoveringPowerOfTwo) {
  PotLutActivationQuantizer u(8, false);
  u.observe(torch::tensor({-30.0f, 10.0f}));  // unsigned: max of relu(x) = 10
  u.observe(torch::tensor({2.0f}));
  u.finish_calibration();
  EXPECT_EQ(u.exponent(), -4);  // 255/16 ≥ 10 > 255/32
  PotLutActivationQuantizer s(8, true);
  s.observe(torch::tensor({-10.0f, 3.0f}));  // signed: max |x| = 10
  s.finish_calibration();
  EXPECT_EQ(s.exponent(), -3);  // 127/8 ≥ 10 > 127/16
  PotLutActivationQuantizer exact(8, false);
  exact.observe(torch::tensor({255.0f / 32.0f}));
  exact.finish_calibration();
  EXPECT_EQ(exact.exponent(), -5);
}

TEST(PotLut, ActivationRoundsHalfUpAndClampsWithTheLsqGradient) {
  PotLutActivationQuantizer a(8, false);
  set_parameter(a.exponent_parameter(), torch::full({1}, -1.0));  // step 1/2
  auto x = torch::tensor({1.25f, -1.0f, 200.0f, 0.2f}, torch::requires_grad());
  auto y = a.quantize(x);
  EXPECT_TRUE(torch::equal(y.detach(), torch::tensor({1.5f, 0.0f, 127.5f, 0.0f}))) << y;
  y.sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), torch::tensor({1.0f, 0.0f, 0.0f, 1.0f})));
  // ∂/∂t = s·ln 2·Σ (R(v) − v inside, Q_P above, 0 below): ½·ln 2·(0.5 + 255 − 0.4).
  EXPECT_NEAR(a.exponent_parameter().grad().item<double>(), 0.5 * std::log(2.0) * 255.1, 1e-3);
  PotLutActivationQuantizer s(8, true);  // step 1
  auto ys = s.quantize(torch::tensor({-2.5f, 2.5f, -200.0f, 200.0f})).detach();
  EXPECT_TRUE(torch::equal(ys, torch::tensor({-2.0f, 3.0f, -128.0f, 127.0f}))) << ys;
}

TEST(PotLut, FactoryMakesBothQuantizers) {
  auto wq = make_weight_quantizer("pot-lut", 4, Granularity::GranularityPerChannel);
  EXPECT_NE(std::dynamic_pointer_cast<PotLutWeightQuantizer>(wq), nullptr);
  auto aq = make_activation_quantizer("pot-lut", 8, false);
  EXPECT_NE(std::dynamic_pointer_cast<PotLutActivationQuantizer>(aq), nullptr);
}
