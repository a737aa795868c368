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

}  // namespace bitshift
