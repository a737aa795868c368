#include "quant/n2uq.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "quant/rounding.h"
#include "util/error.h"

namespace bitshift {
namespace {

constexpr double kMinScale = 1e-8;  // floor of S_c (an all-zero channel)
constexpr double kMinSpan = 1e-6;   // calibration ranges below this keep the defaults

// The q-quantile of t (nearest rank), by kthvalue: no size limit, unlike torch::quantile.
double nearest_rank_quantile(const torch::Tensor& t, double q) {
  const auto flat = t.flatten().to(torch::kFloat);
  const int64_t n = flat.numel();
  const int64_t k = std::clamp<int64_t>(std::llround(q * static_cast<double>(n - 1)) + 1, 1, n);
  return std::get<0>(flat.kthvalue(k)).item<double>();
}

}  // namespace

N2uqActivationQuantizer::N2uqActivationQuantizer(int bits, bool is_signed)
    : ActivationQuantizer(bits, is_signed) {
  start_ = register_parameter("start", torch::full({1}, is_signed ? -1.0 : 0.0));
  a_ = register_parameter("a", torch::full({intervals()}, output_step()));
  scale1_ = register_parameter("scale1", torch::ones({1}));
  scale2_ = register_parameter("scale2", torch::ones({1}));
}

void N2uqActivationQuantizer::observe(const torch::Tensor& x) {
  if (x.numel() == 0) return;
  if (signed_) {
    lo_sum_ += nearest_rank_quantile(x, 1.0 - kCalibrationQuantile);
    hi_sum_ += nearest_rank_quantile(x, kCalibrationQuantile);
  } else {
    // ReLU sites hand over the ReLU's input: measure what the quantizer will see.
    hi_sum_ += nearest_rank_quantile(torch::relu(x), kCalibrationQuantile);
  }
  ++batches_;
}

void N2uqActivationQuantizer::finish_calibration() {
  torch::NoGradGuard no_grad;
  if (batches_ == 0) return;
  const double lo = signed_ ? lo_sum_ / batches_ : 0.0, hi = hi_sum_ / batches_;
  const double span = hi - lo;
  if (!(span > kMinSpan)) return;
  const double s1 = kOutputRange / span;
  scale1_.fill_(s1);
  scale2_.fill_(1.0 / s1);
  start_.fill_(lo * s1);
  a_.fill_(output_step());
}

N2uqActivationQuantizer::Intervals N2uqActivationQuantizer::intervals_now() const {
  Intervals iv;
  iv.a_pos = torch::where(a_ > kMinInterval, a_, torch::full_like(a_, kMinInterval));
  iv.bounds = torch::cat({torch::zeros({1}, iv.a_pos.options()), iv.a_pos.cumsum(0)}) + start_;
  iv.thresholds = iv.bounds.slice(0, 0, intervals()) + iv.a_pos * 0.5;
  return iv;
}

torch::Tensor N2uqActivationQuantizer::quantize(const torch::Tensor& x) {
  const int64_t n = intervals();
  const double delta = output_step();
  const auto u = x * scale1_;
  const auto [a_pos, bounds, thresholds] = intervals_now();

  const auto ud = u.detach().contiguous();
  // bucketize(right = true) counts the boundaries ≤ u: y = Δ·#{i : u ≥ T_i} (half up at ties).
  const auto count = torch::bucketize(ud, thresholds.detach().contiguous(), false, true);
  const auto y = count.to(u.scalar_type()) * delta;

  // Segment of u: seg = #{j : B_j < u} in 0…n + 1; u is in segment seg for 1 ≤ seg ≤ n.
  const auto seg = torch::bucketize(ud, bounds.detach().contiguous(), false, false);
  const auto idx = (seg - 1).clamp(0, n - 1);  // zero-based segment, clamped for the gathers
  const auto flat = idx.flatten();
  const auto a_sel = a_pos.index_select(0, flat).reshape(u.sizes());
  const auto b_sel = bounds.index_select(0, flat).reshape(u.sizes());
  const auto f_mid = (u - b_sel) * delta / a_sel + idx.to(u.scalar_type()) * delta;
  const auto f = torch::where(seg == 0, torch::zeros_like(f_mid),
                              torch::where(seg > n, torch::full_like(f_mid, kOutputRange), f_mid));

  auto out = y + (f - f.detach());  // y carries no gradient: y.detach() + f − f.detach()
  if (signed_) {
    // Levels Δ·(k + R(start/Δ)) (see the header), the rounding straight-through.
    const auto shift = round_half_up(start_.detach() / delta) * delta;
    out = out + start_ + (shift - start_.detach());
  }
  return out * scale2_;
}

int64_t N2uqActivationQuantizer::first_level() const {
  if (!signed_) return 0;
  return static_cast<int64_t>(std::floor(start_.item<double>() / output_step() + 0.5));
}

ActivationGrid N2uqActivationQuantizer::grid() const {
  torch::NoGradGuard no_grad;
  const double s1 = scale1_.item<double>(), s2 = scale2_.item<double>();
  if (!(s1 > 0) || !(s2 > 0))
    throw Error("N2UQ's scale1 " + std::to_string(s1) + " and scale2 " + std::to_string(s2) +
                " must be positive for an integer form");
  const int64_t n = intervals();
  // The thresholds T_i exactly as quantize() computes them, in units of x: T_i / scale1.
  const auto t = intervals_now().thresholds.to(torch::kFloat64).contiguous();
  ActivationGrid g;
  g.scale = s2 * output_step();
  g.lo = first_level();
  g.hi = g.lo + n;
  g.affine = false;
  for (int64_t i = 0; i < n; ++i) g.thresholds.push_back(t[i].item<double>() / s1);
  return g;
}

TraceValues N2uqActivationQuantizer::trace() const {
  torch::NoGradGuard no_grad;
  const double span = a_.clamp_min(kMinInterval).sum().item<double>();
  return {{"start", start_.item<double>()},
          {"span", span},
          {"scale1", scale1_.item<double>()},
          {"scale2", scale2_.item<double>()}};
}

N2uqWeightQuantizer::N2uqWeightQuantizer(int bits, Granularity g) : WeightQuantizer(bits, g) {}

double N2uqWeightQuantizer::gamma() const {
  return static_cast<double>((int64_t{1} << bits_) - 1) /
         static_cast<double>(int64_t{1} << (bits_ - 1));
}

torch::Tensor N2uqWeightQuantizer::channel_scale(const torch::Tensor& w) const {
  torch::NoGradGuard no_grad;
  const auto wd = w.detach();
  if (wd.dim() < 2) return (wd.abs().mean() * gamma()).clamp_min(kMinScale).reshape({1});
  std::vector<int64_t> shape(wd.dim(), 1);
  shape[0] = wd.size(0);
  return (wd.abs().flatten(1).mean(1) * gamma()).clamp_min(kMinScale).view(shape);
}

void N2uqWeightQuantizer::init(const torch::Tensor& w) { last_scale_ = channel_scale(w); }

torch::Tensor N2uqWeightQuantizer::quantize(const torch::Tensor& w) {
  // Per output channel regardless of granularity_: the released code has only this mode.
  const auto scale = channel_scale(w);
  last_scale_ = scale;
  const double levels = static_cast<double>((int64_t{1} << bits_) - 1);
  const auto normalised = w / scale;  // gradient 1/S_c, no clipping mask
  torch::Tensor q;
  {
    torch::NoGradGuard no_grad;
    const auto clipped = normalised.detach().clamp(-kClip / 2, kClip / 2);
    const auto k = round_half_up((clipped + kClip / 2) * (levels / kClip));
    q = scale * (k * (kClip / levels) - kClip / 2);
  }
  return ste(normalised, q);
}

TraceValues N2uqWeightQuantizer::trace() const {
  return {{"scale", last_scale_.defined() ? last_scale_.mean().item<double>() : 0.0}};
}

IntegerWeights N2uqWeightQuantizer::integer_weights(const torch::Tensor& w) const {
  torch::NoGradGuard no_grad;
  const auto scale = channel_scale(w);
  const int64_t n = (int64_t{1} << bits_) - 1;
  const auto clipped = (w.detach() / scale).clamp(-kClip / 2, kClip / 2);
  const auto k = round_half_up((clipped + kClip / 2) * (static_cast<double>(n) / kClip));
  // S·(k·C/n − C/2) = (S·C/(2n))·(2k − n).
  return offset_grid_weights(k, scale * (kClip / (2.0 * static_cast<double>(n))), n);
}

}  // namespace bitshift
