#include "quant/minmax.h"

#include <torch/torch.h>

#include "quant/rounding.h"

namespace bitshift {

MinMaxActivationQuantizer::MinMaxActivationQuantizer(int bits, bool is_signed)
    : ActivationQuantizer(bits, is_signed) {
  range_ = register_buffer("range", torch::full({1}, 1e-6));
}

void MinMaxActivationQuantizer::observe(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  const auto m = signed_ ? x.abs().max() : torch::relu(x).max();
  range_.copy_(torch::max(range_, m.view({1})));
}

torch::Tensor MinMaxActivationQuantizer::quantize(const torch::Tensor& x) {
  const double levels = signed_ ? (1 << (bits_ - 1)) - 1 : (1 << bits_) - 1;
  const auto step = range_ / levels;
  const auto lo = signed_ ? -range_ : torch::zeros_like(range_);
  return ste(x, round_half_up(torch::max(torch::min(x, range_), lo) / step) * step);
}

ActivationGrid MinMaxActivationQuantizer::grid() const {
  const int64_t levels = signed_ ? (1 << (bits_ - 1)) - 1 : (1 << bits_) - 1;
  return {range_.item<double>() / static_cast<double>(levels), signed_ ? -levels : 0, levels,
          true, {}};
}

}  // namespace bitshift
