#include "quant/minmax.h"

#include <torch/torch.h>

#include <algorithm>

#include "quant/rounding.h"

namespace bitshift {

MinMaxActivationQuantizer::MinMaxActivationQuantizer(int bits, bool is_signed)
    : ActivationQuantizer(bits, is_signed) {
  range_ = register_buffer("range", torch::full({1}, 1e-6));
}

void MinMaxActivationQuantizer::split_levels_around_zero() {
  if (signed_) range_.set_data(torch::tensor({-1e-6f, 1e-6f}));
}

void MinMaxActivationQuantizer::observe(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  if (range_.numel() == 2) {
    range_.copy_(torch::stack({torch::min(range_[0], x.min()), torch::max(range_[1], x.max())}));
    return;
  }
  const auto m = signed_ ? x.abs().max() : torch::relu(x).max();
  range_.copy_(torch::max(range_, m.view({1})));
}

MinMaxActivationQuantizer::Levels MinMaxActivationQuantizer::levels() const {
  if (range_.numel() == 2) {
    const double low = std::min(range_[0].item<double>(), -1e-12);
    const double high = std::max(range_[1].item<double>(), 1e-12);
    const int64_t n = (int64_t{1} << bits_) - 1;  // steps from the lowest code to the highest
    // The most codes below zero that keep the smallest value on the lowest one and the largest
    // inside the grid; when none does, one code below zero.
    int64_t k = 1;
    for (int64_t j = 1; j < n; ++j)
      if (-low / static_cast<double>(j) >= high / static_cast<double>(n - j)) k = j;
    const double step = std::max(-low / static_cast<double>(k), high / static_cast<double>(n - k));
    return {step, -k, n - k};
  }
  const int64_t levels = signed_ ? (int64_t{1} << (bits_ - 1)) - 1 : (int64_t{1} << bits_) - 1;
  return {range_.item<double>() / static_cast<double>(levels), signed_ ? -levels : 0, levels};
}

torch::Tensor MinMaxActivationQuantizer::quantize(const torch::Tensor& x) {
  if (range_.numel() == 2) {
    const Levels l = levels();
    const double lo = static_cast<double>(l.lo) * l.step, hi = static_cast<double>(l.hi) * l.step;
    return ste(x, round_half_up(torch::clamp(x, lo, hi) / l.step) * l.step);
  }
  const double levels = signed_ ? (1 << (bits_ - 1)) - 1 : (1 << bits_) - 1;
  const auto step = range_ / levels;
  const auto lo = signed_ ? -range_ : torch::zeros_like(range_);
  return ste(x, round_half_up(torch::max(torch::min(x, range_), lo) / step) * step);
}

TraceValues MinMaxActivationQuantizer::trace() const {
  if (range_.numel() == 2) return {{"min", range_[0].item<double>()}, {"max", range_[1].item<double>()}};
  return {{"max", range_.item<double>()}};
}

ActivationGrid MinMaxActivationQuantizer::grid() const {
  const Levels l = levels();
  return {l.step, l.lo, l.hi, true, {}};
}

}  // namespace bitshift
