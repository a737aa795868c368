#include "quant/nice.h"

#include <torch/torch.h>

#include "quant/fused_clamp_quantize.h"
#include "quant/rounding.h"

namespace bitshift {

NiceWeightQuantizer::NiceWeightQuantizer(int bits, Granularity g) : WeightQuantizer(bits, g) {
  clamp_ = register_buffer("clamp", torch::ones({1}));
}

void NiceWeightQuantizer::init(const torch::Tensor& w) {
  torch::NoGradGuard no_grad;
  const double mean = w.mean().item<double>(), std = w.std().item<double>();
  // The sign follows the mean's (basic_clamp in the released code), then the magnitude.
  const double c = std::abs(mean > 0 ? mean + kStdCutoff * std : mean - kStdCutoff * std);
  clamp_.fill_(std::max(c, 1e-8));
}

torch::Tensor NiceWeightQuantizer::quantize(const torch::Tensor& w) {
  const auto c = clamp_;
  const auto delta = c / static_cast<double>(levels());
  auto q = round_half_up(torch::clamp(w, -c, c) / delta) * delta;
  return ste(w, q);
}

torch::Tensor NiceWeightQuantizer::noisy(const torch::Tensor& w) {
  torch::Tensor mixed;
  {
    torch::NoGradGuard no_grad;
    const auto c = clamp_;
    const auto delta = c / static_cast<double>(levels());
    auto hard = round_half_up(torch::clamp(w, -c, c) / delta) * delta;
    auto noise = (torch::rand_like(w) - 0.5) * delta;  // U(-Δ/2, Δ/2)
    auto soft = torch::max(torch::min(w + noise, c), -c);
    auto mask = torch::rand_like(w).lt(kNoiseProbability);
    mixed = torch::where(mask, soft, hard);
  }
  return ste(w, mixed);
}

TraceValues NiceWeightQuantizer::trace() const { return {{"clamp", clamp()}}; }

NiceActivationClamp::NiceActivationClamp(int bits, bool is_signed)
    : ActivationQuantizer(bits, is_signed) {
  clamp_ = register_parameter("clamp", torch::ones({1}));
}

void NiceActivationClamp::observe(const torch::Tensor& x) {
  const double m = x.mean().item<double>(), s = x.std().item<double>();
  if (!seen_) {
    mean_ = m, std_ = s, seen_ = true;
  } else {
    mean_ = kMomentum * mean_ + (1 - kMomentum) * m;
    std_ = kMomentum * std_ + (1 - kMomentum) * s;
  }
}

void NiceActivationClamp::finish_calibration() {
  torch::NoGradGuard no_grad;
  // Signed sites are clamped symmetrically, so their clamp covers |mean| + k·std.
  const double c = signed_ ? std::abs(mean_) + kStdCutoff * std_ : mean_ + kStdCutoff * std_;
  clamp_.fill_(std::max(c, 1e-3));
}

torch::Tensor NiceActivationClamp::clamped(const torch::Tensor& x) const {
  const auto c = clamp_.abs();
  // relu(x) - relu(x - c): the clamped ReLU, whose gradient to c is 1 above the clamp.
  if (!signed_) return torch::relu(x) - torch::relu(x - c);
  return torch::relu(x + c) - torch::relu(x - c) - c;
}

torch::Tensor NiceActivationClamp::clamp_only(const torch::Tensor& x) { return clamped(x); }

torch::Tensor NiceActivationClamp::quantize(const torch::Tensor& x) {
  // A signed 1-bit site keeps one level a side ({-c, 0, c}) rather than none.
  const double levels = signed_ ? std::max(1, (1 << (bits_ - 1)) - 1) : (1 << bits_) - 1;
  // One pass forward and one backward (tests/bench/clamp_quantize_bench: 1.3 ms against the
  // autograd reference's 7-10 ms on 128x16x28x28), equal to clamp_quantize_reference().
  return clamp_quantize(x, clamp_.abs(), levels, signed_);
}

TraceValues NiceActivationClamp::trace() const { return {{"clamp", clamp_.abs().item<double>()}}; }

IntegerWeights NiceWeightQuantizer::integer_weights(const torch::Tensor& w) const {
  torch::NoGradGuard no_grad;
  const auto delta = clamp_ / static_cast<double>(levels());
  IntegerWeights out;
  out.codes = round_half_up(torch::clamp(w.detach(), -clamp_, clamp_) / delta).to(torch::kInt64);
  out.scale = scale_vector(delta);
  return out;
}

ActivationGrid NiceActivationClamp::grid() const {
  const double c = clamp_.abs().item<double>();
  const int64_t levels = signed_ ? std::max(1, (1 << (bits_ - 1)) - 1) : (1 << bits_) - 1;
  return {c / static_cast<double>(levels), signed_ ? -levels : 0, levels, true, {}};
}

torch::Tensor nice_quantize_bias(const torch::Tensor& b, const torch::Tensor& accumulator_step) {
  const double limit = static_cast<double>((int64_t{1} << (kNiceBiasBits - 1)) - 1);
  const auto step = accumulator_step.detach().to(b.dtype());
  const auto q = torch::clamp(round_half_up(b.detach() / step), -limit, limit) * step;
  return ste(b, q);
}

}  // namespace bitshift
