#include "quant/dorefa.h"

#include <torch/torch.h>

#include "quant/rounding.h"

namespace bitshift {

namespace {
torch::Tensor quantize_k(const torch::Tensor& r, int k) {
  const double n = static_cast<double>((int64_t{1} << k) - 1);
  return round_ste(r * n) / n;
}
}  // namespace

torch::Tensor DorefaWeightQuantizer::quantize(const torch::Tensor& w) {
  if (bits_ == 1) {
    // DoReFa's 1-bit case: sign(w) scaled by E|w|, with a straight-through gradient.
    const auto e = w.abs().mean().detach();
    return ste(w, torch::where(w >= 0, e, -e));
  }
  const auto t = torch::tanh(w);
  const auto r = t / (2.0 * t.abs().max().detach()) + 0.5;
  return 2.0 * quantize_k(r, bits_) - 1.0;
}

torch::Tensor DorefaActivationQuantizer::quantize(const torch::Tensor& x) {
  // Signed sites (the network input) are mapped from [-1, 1] onto DoReFa's [0, 1] range.
  if (signed_) return 2.0 * quantize_k(torch::clamp((x + 1.0) / 2.0, 0.0, 1.0), bits_) - 1.0;
  return quantize_k(torch::clamp(x, 0.0, 1.0), bits_);
}

IntegerWeights DorefaWeightQuantizer::integer_weights(const torch::Tensor& w) const {
  torch::NoGradGuard no_grad;
  if (bits_ == 1) {  // ±E|w|: code 1 for w >= 0, table {-1, 1}
    IntegerWeights out;
    out.codes = (w.detach() >= 0).to(torch::kInt64);
    out.scale = scale_vector(w.abs().mean().reshape({1}));
    out.table = {-1, 1};
    return out;
  }
  const int64_t n = (int64_t{1} << bits_) - 1;
  const auto t = torch::tanh(w.detach());
  const auto r = t / (2.0 * t.abs().max()) + 0.5;
  // 2·R(r·n)/n − 1 = (2k − n)/n.
  return offset_grid_weights(round_half_up(r * static_cast<double>(n)),
                             torch::full({1}, 1.0 / static_cast<double>(n), w.options()), n);
}

ActivationGrid DorefaActivationQuantizer::grid() const {
  const int64_t n = (int64_t{1} << bits_) - 1;
  // Signed sites: 2k/n − 1 = (2k − n)/n, the odd values in [−n, n] in units of 1/n.
  if (signed_) return {1.0 / static_cast<double>(n), -n, n, false, {}};
  return {1.0 / static_cast<double>(n), 0, n, true, {}};
}

}  // namespace bitshift
