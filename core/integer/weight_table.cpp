#include "integer/weight_table.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace bitshift {

namespace {

constexpr int kMaxTableBits = 16;
constexpr int kMinTableBits = 8;
constexpr double kAccumulatorBudget = 1073741824.0;  // 2^30

RoundedLevels rounded(const std::vector<double>& levels, int bits) {
  double max_abs = 0.0;
  for (double v : levels) max_abs = std::max(max_abs, std::abs(v));
  RoundedLevels r;
  r.bits = bits;
  r.step = std::max(max_abs, 1e-12) / static_cast<double>((int64_t{1} << (bits - 1)) - 1);
  for (double v : levels) {
    const double q = std::floor(v / r.step + 0.5);
    r.table.push_back(static_cast<int64_t>(q));
    r.worst_steps = std::max(r.worst_steps, std::abs(q * r.step - v) / r.step);
  }
  return r;
}

}  // namespace

RoundedLevels round_weight_levels(const std::vector<double>& levels, const torch::Tensor& codes,
                                  int64_t max_input) {
  // How often each code occurs in each output channel: the bound is Σ_code count·|entry|.
  const auto flat = codes.reshape({codes.size(0), -1}).to(torch::kInt64);
  const auto n = static_cast<int64_t>(levels.size());
  const auto counts = torch::zeros({flat.size(0), n}, torch::kFloat64)
                          .scatter_add_(1, flat, torch::ones(flat.sizes(), torch::kFloat64));
  for (int bits = kMaxTableBits; bits > kMinTableBits; --bits) {
    const RoundedLevels r = rounded(levels, bits);
    const auto magnitude = torch::tensor(r.table, torch::kInt64).abs().to(torch::kFloat64);
    const double bound = (counts.matmul(magnitude)).max().item<double>() *
                         static_cast<double>(std::max<int64_t>(max_input, 1));
    if (bound <= kAccumulatorBudget) return r;
  }
  return rounded(levels, kMinTableBits);
}

}  // namespace bitshift
