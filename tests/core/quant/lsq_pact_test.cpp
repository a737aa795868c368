// LSQ and PACT: levels and the step/alpha gradients of METHODS §6, by hand.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "quant/lsq.h"
#include "quant/pact.h"

using namespace bitshift;

TEST(Lsq, StepGradientFollowsLsqRuleTimesGradScale) {
  // 2-bit signed: Q_N = 2, Q_P = 1; s = 0.5; g = 1/sqrt(N·Q_P) with N = 4.
  LsqWeightQuantizer q(2, Granularity::GranularityPerTensor);
  {
    torch::NoGradGuard g;
    q.step_parameter().fill_(0.5);
  }
  auto w = torch::tensor({0.2f, -0.3f, 2.0f, -5.0f}, torch::requires_grad());
  auto y = q.quantize(w);
  // R(0.4)=0, R(-0.6)=-1, clip(4)=1, clip(-10)=-2 -> times s.
  EXPECT_TRUE(torch::allclose(y.detach(), torch::tensor({0.0f, -0.5f, 0.5f, -1.0f})));
  y.sum().backward();
  const double g = 1.0 / std::sqrt(4.0 * 1.0);
  // inside: R(v/s) - v/s = 0 - 0.4 and -1 + 0.6; above: Q_P = 1; below: -Q_N = -2.
  const double expected = g * ((0.0 - 0.4) + (-1.0 + 0.6) + 1.0 - 2.0);
  EXPECT_NEAR(q.step_parameter().grad().item<double>(), expected, 1e-6);
  EXPECT_TRUE(torch::equal(w.grad(), torch::tensor({1.0f, 1.0f, 0.0f, 0.0f})));
}

TEST(Lsq, InitIsTwiceMeanAbsOverRootQp) {
  LsqWeightQuantizer q(3, Granularity::GranularityPerTensor);  // Q_P = 3
  q.init(torch::tensor({1.0f, -3.0f}));
  EXPECT_NEAR(q.trace()[0].second, 2.0 * 2.0 / std::sqrt(3.0), 1e-6);
}

TEST(Lsq, PerChannelStepsHaveOnePerOutputChannel) {
  LsqWeightQuantizer q(4, Granularity::GranularityPerChannel);
  auto w = torch::stack({torch::full({2, 3, 3}, 0.1f), torch::full({2, 3, 3}, 1.0f)});
  q.init(w);
  EXPECT_EQ(q.step_parameter().sizes(), (std::vector<int64_t>{2, 1, 1, 1}));
  EXPECT_NEAR(q.step_parameter()[1].item<double>() / q.step_parameter()[0].item<double>(), 10.0, 1e-4);
}

TEST(Pact, AlphaGradientIsOneOnlyAboveAlpha) {
  PactActivationQuantizer a(2, false);
  {
    torch::NoGradGuard g;
    a.alpha_parameter().fill_(3.0);
  }
  auto x = torch::tensor({-1.0f, 1.4f, 2.5f, 4.0f, 6.0f}, torch::requires_grad());
  auto y = a.quantize(x);
  // Step α/3 = 1; 2.5 rounds half up to 3; above α clips to 3.
  EXPECT_TRUE(torch::equal(y.detach(), torch::tensor({0.0f, 1.0f, 3.0f, 3.0f, 3.0f})));
  y.sum().backward();
  EXPECT_NEAR(a.alpha_parameter().grad().item<double>(), 2.0, 1e-6);  // two inputs >= α
}
