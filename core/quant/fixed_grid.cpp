#include "quant/fixed_grid.h"

#include <torch/torch.h>

#include <algorithm>

#include "quant/rounding.h"
#include "util/error.h"

namespace bitshift {

namespace {

const char* kNoGrid =
    "the fixed-grid method has no grid of its own: its scales and levels come from a quantized "
    "ONNX file (QDQ or QONNX) opened as the model; to quantize a layer anew, pick another "
    "method for it";

}  // namespace

FixedWeightQuantizer::FixedWeightQuantizer(int bits, Granularity g) : WeightQuantizer(bits, g) {
  scale_ = register_buffer("scale", torch::zeros({1}));
  range_ = register_buffer("range", torch::zeros({2}, torch::kInt64));
  table_ = register_buffer("table", torch::zeros({0}, torch::kInt64));
}

void FixedWeightQuantizer::set_grid(const torch::Tensor& scale, int64_t lo, int64_t hi,
                                    std::vector<int64_t> table) {
  require(scale.numel() >= 1 && (scale > 0).all().item<bool>(),
          "a fixed weight grid needs positive scales");
  require(lo <= hi, "a fixed weight grid needs lo <= hi");
  scale_.set_data(scale.detach().to(torch::kFloat32).flatten().clone());
  range_.set_data(torch::tensor({lo, hi}, torch::kInt64));
  table_.set_data(torch::tensor(table, torch::kInt64));
}

void FixedWeightQuantizer::init(const torch::Tensor&) {
  if (!(scale_ > 0).all().item<bool>()) throw Error(kNoGrid);
}

torch::Tensor FixedWeightQuantizer::broadcast_scale(const torch::Tensor& w) const {
  std::vector<int64_t> shape(w.dim(), 1);  // [C_out, 1, 1, 1] broadcasts over each channel
  shape[0] = scale_.numel() > 1 ? scale_.numel() : 1;
  return scale_.to(torch::kFloat64).view(shape);
}

IntegerWeights FixedWeightQuantizer::integer_weights(const torch::Tensor& w) const {
  torch::NoGradGuard no_grad;
  require(scale_.numel() == 1 || scale_.numel() == w.size(0),
          "fixed weight grid: " + std::to_string(scale_.numel()) + " scales for " +
              std::to_string(w.size(0)) + " output channels");
  const auto x = (w.detach().to(torch::kFloat64) / broadcast_scale(w)).contiguous();
  IntegerWeights out;
  out.scale = scale_vector(scale_);
  const int64_t lo = range_[0].item<int64_t>(), hi = range_[1].item<int64_t>();
  if (table_.numel() == 0) {
    out.codes = round_half_up(x).clamp(lo, hi).to(torch::kInt64);
    return out;
  }
  // The nearest entry, ties to the larger: indices split at the midpoints between entries.
  const auto t = table_.to(torch::kFloat64);
  const auto mid = (t.slice(0, 1) + t.slice(0, 0, -1)) / 2.0;
  out.codes = torch::bucketize(x, mid, /*out_int32=*/false, /*right=*/true).to(torch::kInt64);
  out.table.assign(table_.data_ptr<int64_t>(), table_.data_ptr<int64_t>() + table_.numel());
  return out;
}

torch::Tensor FixedWeightQuantizer::quantize(const torch::Tensor& w) {
  const IntegerWeights iw = integer_weights(w);
  auto v = iw.table.empty() ? iw.codes : table_.index({iw.codes});
  const auto q = (v.to(torch::kFloat64) * broadcast_scale(w)).to(w.scalar_type());
  return ste(w, q);
}

TraceValues FixedWeightQuantizer::trace() const {
  return {{"scale", scale_.to(torch::kFloat64).mean().item<double>()}};
}

FixedActivationQuantizer::FixedActivationQuantizer(int bits, bool is_signed)
    : ActivationQuantizer(bits, is_signed) {
  scale_ = register_buffer("scale", torch::zeros({1}));
  range_ = register_buffer("range", torch::tensor({int64_t{0}, int64_t{0}, int64_t{1}}));
  thresholds_ = register_buffer("thresholds", torch::zeros({0}));
}

void FixedActivationQuantizer::set_grid(double scale, int64_t lo, int64_t hi, int64_t stride,
                                        std::vector<double> thresholds) {
  require(scale > 0 && lo < hi && (stride == 1 || stride == 2) && (hi - lo) % stride == 0,
          "a fixed activation grid needs a positive scale, lo < hi and a stride of 1, or 2 "
          "between odd levels");
  require(
      thresholds.empty() || (stride == 1 && static_cast<int64_t>(thresholds.size()) == hi - lo &&
                             std::is_sorted(thresholds.begin(), thresholds.end())),
      "a fixed threshold grid needs hi - lo ascending thresholds");
  thresholds_.set_data(torch::tensor(thresholds, torch::kFloat64).to(torch::kFloat32));
  scale_.fill_(scale);
  range_.set_data(torch::tensor({lo, hi, stride}, torch::kInt64));
}

void FixedActivationQuantizer::finish_calibration() {
  if (!(scale_.item<float>() > 0)) throw Error(kNoGrid);
}

torch::Tensor FixedActivationQuantizer::quantize(const torch::Tensor& x) {
  const ActivationGrid g = grid();
  if (thresholds_.numel() > 0) {  // compared in float32, as the file's MultiThreshold does
    const auto level = torch::bucketize(x.detach().to(torch::kFloat32).contiguous(), thresholds_,
                                        /*out_int32=*/false, /*right=*/true);
    return ste(x, ((level + g.lo).to(torch::kFloat64) * g.scale).to(x.scalar_type()));
  }
  const int64_t stride = range_[2].item<int64_t>();
  // The level's index k from the lowest level, in units of the stride.
  const auto k = round_half_up((x.to(torch::kFloat64) / g.scale - static_cast<double>(g.lo)) /
                               static_cast<double>(stride))
                     .clamp(0, (g.hi - g.lo) / stride);
  const auto v = k * static_cast<double>(stride) + static_cast<double>(g.lo);
  return ste(x, (v * g.scale).to(x.scalar_type()));
}

TraceValues FixedActivationQuantizer::trace() const {
  return {{"scale", static_cast<double>(scale_.item<float>())}};
}

ActivationGrid FixedActivationQuantizer::grid() const {
  return {static_cast<double>(scale_.item<float>()), range_[0].item<int64_t>(),
          range_[1].item<int64_t>(), range_[2].item<int64_t>() == 1 && thresholds_.numel() == 0,
          std::vector<double>(thresholds_.data_ptr<float>(),
                              thresholds_.data_ptr<float>() + thresholds_.numel())};
}

bool FixedActivationQuantizer::subsumes_relu() const {
  // Every negative input lands on the lowest level, which is not below zero.
  return range_[0].item<int64_t>() >= 0 &&
         (thresholds_.numel() == 0 || thresholds_[0].item<float>() > 0);
}

}  // namespace bitshift
