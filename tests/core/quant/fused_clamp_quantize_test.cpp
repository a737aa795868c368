// The fused clamp-quantize path against its autograd reference, on odd shapes and layouts.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "quant/fused_clamp_quantize.h"

using namespace bitshift;

namespace {
// Values agree to float rounding (the reference's STE sum can be one ulp off the grid value).
constexpr double kValueTol = 1e-5;
constexpr double kGradTol = 1e-4;  // relative, on a sum over up to ~1e5 elements

void compare(const torch::Tensor& x0, double levels, bool is_signed) {
  auto c1 = torch::full({1}, 1.7f, torch::requires_grad());
  auto c2 = torch::full({1}, 1.7f, torch::requires_grad());
  auto x1 = x0.clone().requires_grad_(true), x2 = x0.clone().requires_grad_(true);
  auto g = torch::randn(x0.sizes()).contiguous(x0.suggest_memory_format());
  auto fused = clamp_quantize(x1, c1, levels, is_signed);
  auto ref = clamp_quantize_reference(x2, c2, levels, is_signed);
  EXPECT_LE((fused - ref).abs().max().item<double>(), kValueTol);
  EXPECT_EQ(fused.suggest_memory_format(), x0.suggest_memory_format());
  (fused * g).sum().backward();
  (ref * g).sum().backward();
  // The reference multiplies and divides by L/c on the way back: equal to float rounding.
  EXPECT_TRUE(torch::allclose(x1.grad(), x2.grad(), 1e-6, 1e-6));
  const double gc = c2.grad().item<double>();
  EXPECT_NEAR(c1.grad().item<double>(), gc, kGradTol * std::max(1.0, std::abs(gc)));
}
}  // namespace

TEST(FusedClampQuantize, MatchesReferenceUnsignedOnOddShapes) {
  torch::manual_seed(3);
  for (auto shape : std::vector<std::vector<int64_t>>{{1}, {3, 7}, {2, 127, 5, 3}, {64, 16, 28, 28}})
    compare(torch::randn(shape) * 1.5, 15.0, false);
}

TEST(FusedClampQuantize, MatchesReferenceSignedAndChannelsLast) {
  torch::manual_seed(4);
  auto x = (torch::randn({8, 3, 7, 9}) * 2).contiguous(torch::MemoryFormat::ChannelsLast);
  compare(x, 7.0, true);
  compare(x, 1.0, true);
}

TEST(FusedClampQuantize, HalfwayValuesRoundUp) {
  auto c = torch::full({1}, 3.0f);
  auto y = clamp_quantize(torch::tensor({0.5f, 1.5f, 2.5f, -0.5f}), c, 3.0, true);
  EXPECT_TRUE(torch::equal(y, torch::tensor({1.0f, 2.0f, 3.0f, 0.0f}))) << y;
}
