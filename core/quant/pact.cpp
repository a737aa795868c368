#include "quant/pact.h"

#include <torch/torch.h>

#include "quant/rounding.h"

namespace bitshift {

torch::Tensor MaxAbsWeightQuantizer::quantize(const torch::Tensor& w) {
  const double levels = static_cast<double>((int64_t{1} << (bits_ - 1)) - 1);
  torch::Tensor scale;
  {
    torch::NoGradGuard no_grad;
    std::vector<int64_t> shape(w.dim(), 1);  // [C_out, 1, 1, 1] broadcasts over each channel
    shape[0] = w.size(0);
    auto m = granularity_ == Granularity::GranularityPerChannel
                 ? std::get<0>(w.abs().flatten(1).max(1)).view(shape)
                 : w.abs().max();
    scale = m.clamp_min(1e-12) / levels;
    last_max_ = m.max().item<double>();
  }
  return ste(w, round_half_up(w / scale) * scale);
}

PactActivationQuantizer::PactActivationQuantizer(int bits, bool is_signed)
    : ActivationQuantizer(bits, is_signed) {
  alpha_ = register_parameter("alpha", torch::full({1}, kInitialAlpha));
}

torch::Tensor PactActivationQuantizer::quantize(const torch::Tensor& x) {
  const auto a = alpha_.abs();
  // Unsigned: relu(x) - relu(x - α); signed sites are clipped to [-α, α].
  auto y = signed_ ? torch::relu(x + a) - torch::relu(x - a) - a : torch::relu(x) - torch::relu(x - a);
  const double levels = signed_ ? (1 << (bits_ - 1)) - 1 : (1 << bits_) - 1;
  torch::Tensor q;
  {
    torch::NoGradGuard no_grad;
    const auto scale = levels / a;
    q = round_half_up(y * scale) / scale;
  }
  return ste(y, q);  // PACT's rule: ∂y_q/∂α = ∂y/∂α (1 where x ≥ α), no step term
}

IntegerWeights MaxAbsWeightQuantizer::integer_weights(const torch::Tensor& w) const {
  torch::NoGradGuard no_grad;
  const double levels = static_cast<double>((int64_t{1} << (bits_ - 1)) - 1);
  std::vector<int64_t> shape(w.dim(), 1);
  shape[0] = w.size(0);
  auto m = granularity_ == Granularity::GranularityPerChannel
               ? std::get<0>(w.abs().flatten(1).max(1)).view(shape)
               : w.abs().max();
  const auto scale = m.clamp_min(1e-12) / levels;
  IntegerWeights out;
  out.codes = round_half_up(w.detach() / scale).to(torch::kInt64);
  out.scale = scale_vector(scale);
  return out;
}

ActivationGrid PactActivationQuantizer::grid() const {
  const int64_t levels = signed_ ? (1 << (bits_ - 1)) - 1 : (1 << bits_) - 1;
  return {alpha_.abs().item<double>() / static_cast<double>(levels), signed_ ? -levels : 0,
          levels, true, {}};
}

}  // namespace bitshift
