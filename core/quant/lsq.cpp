#include "quant/lsq.h"

#include <torch/torch.h>

#include <cmath>

#include "quant/rounding.h"

namespace bitshift {

torch::Tensor lsq_quantize(const torch::Tensor& v, const torch::Tensor& s, double g, int64_t qn,
                           int64_t qp) {
  const auto sg = grad_scale(s, g);
  return round_ste(torch::clamp(v / sg, -static_cast<double>(qn), static_cast<double>(qp))) * sg;
}

LsqWeightQuantizer::LsqWeightQuantizer(int bits, Granularity g) : WeightQuantizer(bits, g) {
  step_ = register_parameter("step", torch::ones({1}));
}

void LsqWeightQuantizer::init(const torch::Tensor& w) {
  torch::NoGradGuard no_grad;
  const double root = std::sqrt(static_cast<double>(qp()));
  if (granularity_ == Granularity::GranularityPerChannel) {
    std::vector<int64_t> shape(w.dim(), 1);  // [C_out, 1, 1, 1] broadcasts over each channel
    shape[0] = w.size(0);
    step_.set_data((2.0 * w.abs().flatten(1).mean(1) / root).clamp_min(1e-8).view(shape));
  } else {
    step_.fill_(std::max(2.0 * w.abs().mean().item<double>() / root, 1e-8));
  }
}

torch::Tensor LsqWeightQuantizer::quantize(const torch::Tensor& w) {
  const double n = granularity_ == Granularity::GranularityPerChannel
                       ? static_cast<double>(w.numel() / w.size(0))
                       : static_cast<double>(w.numel());
  return lsq_quantize(w, step_, 1.0 / std::sqrt(n * qp()), qn(), qp());
}

TraceValues LsqWeightQuantizer::trace() const { return {{"step", step_.mean().item<double>()}}; }

LsqActivationQuantizer::LsqActivationQuantizer(int bits, bool is_signed)
    : ActivationQuantizer(bits, is_signed) {
  step_ = register_parameter("step", torch::ones({1}));
}

void LsqActivationQuantizer::observe(const torch::Tensor& x) {
  // The quantizer sits after the ReLU for unsigned sites: measure what it will see.
  abs_mean_sum_ += (signed_ ? x.abs() : torch::relu(x)).mean().item<double>();
  ++batches_;
}

void LsqActivationQuantizer::finish_calibration() {
  torch::NoGradGuard no_grad;
  if (batches_ == 0) return;
  step_.fill_(std::max(2.0 * abs_mean_sum_ / batches_ / std::sqrt(static_cast<double>(qp())), 1e-6));
}

torch::Tensor LsqActivationQuantizer::quantize(const torch::Tensor& x) {
  // g = 1/sqrt(N·Q_P) with N the features of one sample (LSQ's "number of features").
  const double n = static_cast<double>(x.numel() / std::max<int64_t>(x.size(0), 1));
  return lsq_quantize(x, step_, 1.0 / std::sqrt(n * qp()), qn(), qp());
}

TraceValues LsqActivationQuantizer::trace() const { return {{"step", step_.item<double>()}}; }

IntegerWeights LsqWeightQuantizer::integer_weights(const torch::Tensor& w) const {
  torch::NoGradGuard no_grad;
  IntegerWeights out;
  out.codes = round_half_up(torch::clamp(w.detach() / step_, -static_cast<double>(qn()),
                                         static_cast<double>(qp())))
                  .to(torch::kInt64);
  out.scale = scale_vector(step_);
  return out;
}

ActivationGrid LsqActivationQuantizer::grid() const {
  return {step_.item<double>(), -qn(), qp(), true, {}};
}

}  // namespace bitshift
