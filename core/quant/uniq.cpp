#include "quant/uniq.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>


namespace bitshift {

namespace {

std::vector<double> to_vector(const torch::Tensor& t) {
  auto c = t.to(torch::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// Value exactly q, gradient 1 to w. ste()'s w + (q − w) can miss an arbitrary real level by an
// ulp; the integer lowering and the tests want the levels themselves.
torch::Tensor exact_ste(const torch::Tensor& w, const torch::Tensor& q) {
  return q + (w - w.detach());
}

}  // namespace

KQuantileQuantizer::KQuantileQuantizer(int bits, Granularity g) : WeightQuantizer(bits, g) {
  // f32 buffers: checkpoints store f32/i64 only. Thresholds and levels are computed from them
  // in double.
  mean_ = register_buffer("mean", torch::zeros({1}));
  std_ = register_buffer("std", torch::ones({1}));
}

void KQuantileQuantizer::init(const torch::Tensor& w) {
  torch::NoGradGuard no_grad;
  const auto wd = w.detach().to(torch::kDouble);
  mean_.fill_(wd.mean().item<double>());
  // The released code's torch .std() (unbiased); one element has no spread: use the floor.
  const double s = wd.numel() > 1 ? wd.std().item<double>() : 0.0;
  std_.fill_(std::max(s, kMinStd));
}

torch::Tensor KQuantileQuantizer::cdf(const torch::Tensor& x) const {
  const double mu = mean(), sigma = std();
  return 0.5 * (1.0 + torch::erf((x - mu) / (sigma * M_SQRT2)));
}

torch::Tensor KQuantileQuantizer::inverse_cdf(const torch::Tensor& u) const {
  const double mu = mean(), sigma = std();
  return mu + sigma * M_SQRT2 * torch::erfinv(2.0 * u - 1.0);
}

torch::Tensor KQuantileQuantizer::thresholds_tensor() const {
  const auto i = torch::arange(1, bins(), mean_.options().dtype(torch::kDouble));  // 1…k−1
  return inverse_cdf(i / static_cast<double>(bins()));
}

torch::Tensor KQuantileQuantizer::levels_tensor() const {
  const auto i = torch::arange(0, bins(), mean_.options().dtype(torch::kDouble));  // 0…k−1
  return inverse_cdf((i + 0.5) / static_cast<double>(bins()));
}

std::vector<double> KQuantileQuantizer::thresholds() const {
  torch::NoGradGuard no_grad;
  return to_vector(thresholds_tensor());
}

std::vector<double> KQuantileQuantizer::levels() const {
  torch::NoGradGuard no_grad;
  return to_vector(levels_tensor());
}

torch::Tensor KQuantileQuantizer::quantize(const torch::Tensor& w) {
  torch::Tensor q;
  {
    torch::NoGradGuard no_grad;
    const auto opts = w.options();
    // Bin index = number of thresholds ≤ w = floor(F(w)·k), in 0…k−1 (so already clipped).
    const auto bin = torch::bucketize(w.detach(), thresholds_tensor().to(opts),
                                      /*out_int32=*/false, /*right=*/true);
    q = levels_tensor().to(opts).index({bin});
  }
  return exact_ste(w, q);
}

torch::Tensor KQuantileQuantizer::noisy(const torch::Tensor& w) {
  torch::Tensor out;
  {
    torch::NoGradGuard no_grad;
    const double half_bin = 0.5 / static_cast<double>(bins());
    auto e = (torch::rand_like(w) * 2.0 - 1.0) * half_bin;  // U(−1/(2k), 1/(2k))
    auto u = torch::clamp(cdf(w.detach()) + e, kNoiseEpsilon, 1.0 - kNoiseEpsilon);
    out = inverse_cdf(u);
  }
  return exact_ste(w, out);
}

TraceValues KQuantileQuantizer::trace() const { return {{"mean", mean()}, {"std", std()}}; }

IntegerWeights KQuantileQuantizer::integer_weights(const torch::Tensor& w) const {
  torch::NoGradGuard no_grad;
  IntegerWeights out;
  out.codes = torch::bucketize(w.detach(), thresholds_tensor().to(w.options()),
                               /*out_int32=*/false, /*right=*/true);
  out.real_levels = levels();  // real quantiles: the lowering picks the table's precision
  return out;
}

}  // namespace bitshift
