#include "quant/uniq_sym.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "quant/rounding.h"
#include "util/error.h"

namespace bitshift {
namespace {

// METHODS §3.3, from delta_normal / delta_positive_normal of quantizer/uniq.py [code].
constexpr std::array<double, 9> kGaussianStep = {
    1.595769121605729,   0.9956866859435065,  0.5860194414434872,
    0.33520061219993685, 0.18813879027991698, 0.10406300944201481,
    0.05686767238235839, 0.03076238758025524, 0.016498958773102656};
constexpr std::array<double, 9> kHalfGaussianStep = {1.22399153, 0.65076985, 0.35340955,
                                                     0.19324868, 0.10548752, 0.0572659,
                                                     0.03087133, 0.01652923, 0.00879047};
constexpr double kMinStep = 1e-8;  // floor for constant tensors (std 0)

double table_step(const std::array<double, 9>& table, int bits) {
  require(bits >= 1, "UniQ needs at least 1 bit, got " + std::to_string(bits));
  if (bits <= 9) return table[bits - 1];
  return table[8] * std::ldexp(1.0, 9 - bits);  // [inferred] beyond the published table
}

}  // namespace

double uniq_gaussian_step(int bits) { return table_step(kGaussianStep, bits); }
double uniq_half_gaussian_step(int bits) { return table_step(kHalfGaussianStep, bits); }

torch::Tensor uniq_symmetric_quantize(const torch::Tensor& v, const torch::Tensor& s, double g,
                                      int64_t levels) {
  const auto sg = grad_scale(s, g);
  const double half = 0.5 * static_cast<double>(levels);
  // Clip before rounding (as the code): the gradient to v is 1 inside [−N·s/2, N·s/2], else 0.
  const auto code = torch::clamp(v / sg + half, 0.0, static_cast<double>(levels));
  return round_ste(code) * sg - sg * half;
}

UniqWeightQuantizer::UniqWeightQuantizer(int bits, Granularity g) : WeightQuantizer(bits, g) {
  step_ = register_parameter("step", torch::ones({1}));
}

void UniqWeightQuantizer::init(const torch::Tensor& w) {
  torch::NoGradGuard no_grad;
  const double delta = uniq_gaussian_step(bits_);
  if (granularity_ == Granularity::GranularityPerChannel && w.dim() >= 2) {
    std::vector<int64_t> shape(w.dim(), 1);  // [C_out, 1, 1, 1] broadcasts over each channel
    shape[0] = w.size(0);
    auto std =
        w.numel() / w.size(0) > 1 ? w.flatten(1).std(1) : torch::zeros({w.size(0)}, w.options());
    step_.set_data((std * delta).clamp_min(kMinStep).view(shape).to(step_.options()));
  } else {
    const double std = w.numel() > 1 ? w.std().item<double>() : 0.0;
    step_.set_data(torch::full({1}, std::max(std * delta, kMinStep), step_.options()));
  }
}

torch::Tensor UniqWeightQuantizer::quantize(const torch::Tensor& w) {
  const bool per_channel = granularity_ == Granularity::GranularityPerChannel && w.dim() >= 2;
  const double n =
      per_channel ? static_cast<double>(w.numel() / w.size(0)) : static_cast<double>(w.numel());
  const double qp = static_cast<double>(std::max((int64_t{1} << (bits_ - 1)) - 1, int64_t{1}));
  return uniq_symmetric_quantize(w, step_, 1.0 / std::sqrt(n * qp), levels());
}

TraceValues UniqWeightQuantizer::trace() const { return {{"step", step_.mean().item<double>()}}; }

UniqActivationQuantizer::UniqActivationQuantizer(int bits, bool is_signed)
    : ActivationQuantizer(bits, is_signed) {
  step_ = register_parameter("step", torch::ones({1}));
}

void UniqActivationQuantizer::observe(const torch::Tensor& x) {
  double step;
  if (signed_) {
    step = (x.numel() > 1 ? x.std().item<double>() : 0.0) * uniq_gaussian_step(bits_);
  } else {
    // ReLU sites hand over the ReLU's input; the quantizer sees (and the code measures) relu(x).
    const auto r = torch::relu(x);
    step = std::sqrt(2.0 * r.square().mean().item<double>()) * uniq_half_gaussian_step(bits_);
  }
  max_init_ = std::max(max_init_, step);
  ++batches_;
}

void UniqActivationQuantizer::finish_calibration() {
  torch::NoGradGuard no_grad;
  if (batches_ == 0) return;
  step_.fill_(std::max(max_init_, 1e-6));
}

torch::Tensor UniqActivationQuantizer::quantize(const torch::Tensor& x) {
  const double numel = static_cast<double>(x.numel());  // includes the batch [code]
  if (signed_) {
    const double qp = static_cast<double>(std::max((int64_t{1} << (bits_ - 1)) - 1, int64_t{1}));
    return uniq_symmetric_quantize(x, step_, 1.0 / std::sqrt(numel * qp), levels());
  }
  const double top = static_cast<double>(levels());
  const auto sg = grad_scale(step_, 1.0 / std::sqrt(numel * top));
  return round_ste(torch::clamp(x / sg, 0.0, top)) * sg;
}

TraceValues UniqActivationQuantizer::trace() const { return {{"step", step_.item<double>()}}; }

IntegerWeights UniqWeightQuantizer::integer_weights(const torch::Tensor& w) const {
  torch::NoGradGuard no_grad;
  const auto half = 0.5 * static_cast<double>(levels());
  const auto k = round_half_up(torch::clamp(w.detach() / step_ + half, 0.0,
                                            static_cast<double>(levels())));
  // s·k − s·N/2 = (s/2)·(2k − N).
  return offset_grid_weights(k, step_ * 0.5, levels());
}

ActivationGrid UniqActivationQuantizer::grid() const {
  const double s = step_.item<double>();
  if (signed_) return {s * 0.5, -levels(), levels(), false, {}};
  return {s, 0, levels(), true, {}};
}

}  // namespace bitshift
