#include "quant/pot_lut.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "quant/rounding.h"

namespace bitshift {

namespace {

// Index of the nearest table entry for each x (all detached). Entries are compared through
// their sorted order and the midpoints between neighbours: x on a midpoint goes to the larger
// entry (half up), and with integer entries and power-of-two scales the comparison is exact.
torch::Tensor nearest_code(const torch::Tensor& x, const torch::Tensor& table) {
  const auto sorted = table.sort();
  const auto& values = std::get<0>(sorted);
  const auto& order = std::get<1>(sorted);
  const int64_t k = values.size(0);
  const auto mid = ((values.slice(0, 1, k) + values.slice(0, 0, k - 1)) * 0.5).to(x.scalar_type());
  const auto position = torch::bucketize(x, mid, /*out_int32=*/false, /*right=*/true);
  return order.index({position});
}

std::vector<int64_t> to_int_vector(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kLong).contiguous().view(-1);
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

}  // namespace

// ---------------------------------------------------------------------------------- weights

PotLutWeightQuantizer::PotLutWeightQuantizer(int bits, Granularity g) : WeightQuantizer(bits, g) {
  table_ = register_parameter("table", torch::zeros({entries()}));
  exponent_ = register_parameter("exponent", torch::zeros({1}));
}

void PotLutWeightQuantizer::init(const torch::Tensor& w) {
  torch::NoGradGuard no_grad;
  const auto wd = w.detach().to(torch::kDouble);
  const bool per_channel = granularity_ == Granularity::GranularityPerChannel && w.dim() >= 1;
  const auto max_abs = per_channel ? wd.abs().reshape({w.size(0), -1}).amax(1)
                                   : wd.abs().max().reshape({1});
  // Smallest power of two s with max|w|/s ≤ 127; the floor keeps all-zero channels finite.
  const auto t = torch::ceil(torch::log2(max_abs.clamp_min(1e-8) / double(kTableMax)));
  if (per_channel) {
    std::vector<int64_t> shape(w.dim(), 1);  // [C_out, 1, 1, 1] broadcasts over each channel
    shape[0] = w.size(0);
    exponent_.set_data(t.to(torch::kFloat).view(shape));
  } else {
    exponent_.set_data(t.to(torch::kFloat));
  }
  // The uniform int8 grid R(127·(2j − (K−1))/(K−1)), rounded half up.
  const int64_t k = entries();
  std::vector<float> grid(k);
  for (int64_t j = 0; j < k; ++j) {
    const double v = double(kTableMax) * double(2 * j - (k - 1)) / double(k - 1);
    grid[j] = static_cast<float>(std::floor(v + 0.5));
  }
  table_.copy_(torch::tensor(grid));
}

torch::Tensor PotLutWeightQuantizer::integer_table() const {
  const auto rounded = torch::clamp(round_half_up(table_), double(kTableMin), double(kTableMax));
  return ste(table_, rounded);
}

torch::Tensor PotLutWeightQuantizer::scales() const {
  return torch::exp2(round_ste(exponent_));
}

torch::Tensor PotLutWeightQuantizer::codes(const torch::Tensor& w) const {
  torch::NoGradGuard no_grad;
  return nearest_code(w.detach() / scales(), integer_table());
}

std::vector<int64_t> PotLutWeightQuantizer::table() const {
  torch::NoGradGuard no_grad;
  return to_int_vector(integer_table());
}

std::vector<int64_t> PotLutWeightQuantizer::exponents() const {
  torch::NoGradGuard no_grad;
  return to_int_vector(round_half_up(exponent_));
}

torch::Tensor PotLutWeightQuantizer::quantize(const torch::Tensor& w) {
  const auto s = scales();               // gradient to t: s·ln 2 per unit of s
  const auto lut = integer_table();      // gradient to L through the STE
  torch::Tensor code, inside;
  {
    torch::NoGradGuard no_grad;
    const auto x = w.detach() / s.detach();
    const auto l = lut.detach();
    code = nearest_code(x, l);
    inside = (x >= l.min()).logical_and(x <= l.max()).to(w.scalar_type());
  }
  // Value s·L̂[code] (x − x.detach() is exactly 0). Gradients: w ← inside; L_j ← Σ s over the
  // weights coded j; s ← L̂[code] − inside·w/s (LSQ's rule for a codebook).
  const auto x = w / s;
  return s * (lut.index({code}) + inside * (x - x.detach()));
}

TraceValues PotLutWeightQuantizer::trace() const {
  torch::NoGradGuard no_grad;
  const auto lut = integer_table();
  return {{"exponent", round_half_up(exponent_).mean().item<double>()},
          {"table_min", lut.min().item<double>()},
          {"table_max", lut.max().item<double>()}};
}

// ------------------------------------------------------------------------------ activations

PotLutActivationQuantizer::PotLutActivationQuantizer(int bits, bool is_signed)
    : ActivationQuantizer(bits, is_signed) {
  exponent_ = register_parameter("exponent", torch::zeros({1}));
}

void PotLutActivationQuantizer::observe(const torch::Tensor& x) {
  if (x.numel() == 0) return;
  // The quantizer sits after the ReLU for unsigned sites: measure what it will see.
  const auto seen = signed_ ? x.detach().abs() : torch::relu(x.detach());
  max_ = std::max(max_, seen.max().item<double>());
  ++batches_;
}

void PotLutActivationQuantizer::finish_calibration() {
  torch::NoGradGuard no_grad;
  if (batches_ == 0) return;
  // The smallest power-of-two step whose Q_P levels cover the observed maximum.
  exponent_.fill_(std::ceil(std::log2(std::max(max_, 1e-8) / static_cast<double>(qp()))));
}

int64_t PotLutActivationQuantizer::exponent() const {
  torch::NoGradGuard no_grad;
  return round_half_up(exponent_).item<int64_t>();
}

torch::Tensor PotLutActivationQuantizer::quantize(const torch::Tensor& x) {
  const auto s = torch::exp2(round_ste(exponent_));
  const auto v = torch::clamp(x / s, -static_cast<double>(qn()), static_cast<double>(qp()));
  return round_ste(v) * s;
}

torch::Tensor PotLutActivationQuantizer::clamp_only(const torch::Tensor& x) {
  const auto s = torch::exp2(round_ste(exponent_));
  return torch::max(torch::min(x, s * static_cast<double>(qp())), -s * static_cast<double>(qn()));
}

TraceValues PotLutActivationQuantizer::trace() const {
  return {{"step", std::ldexp(1.0, static_cast<int>(exponent()))}};
}

IntegerWeights PotLutWeightQuantizer::integer_weights(const torch::Tensor& w) const {
  IntegerWeights out;
  out.codes = codes(w);
  torch::NoGradGuard no_grad;
  out.scale = scale_vector(scales());
  out.table = table();
  return out;
}

ActivationGrid PotLutActivationQuantizer::grid() const {
  return {std::ldexp(1.0, static_cast<int>(exponent())), -qn(), qp(), true, {}};
}

}  // namespace bitshift
