#include "quant/quantizer.h"

#include <torch/torch.h>

#include "util/error.h"

namespace bitshift {

torch::Tensor WeightQuantizer::forward(const torch::Tensor& w) {
  switch (state_) {
    case QuantState::QuantStateOff: return w;
    case QuantState::QuantStateNoisy: return is_training() ? noisy(w) : quantize(w);
    case QuantState::QuantStateQuantized: return quantize(w);
  }
  return w;
}

torch::Tensor ActivationQuantizer::forward(const torch::Tensor& x) {
  switch (state_) {
    case QuantState::QuantStateOff: return x;
    case QuantState::QuantStateNoisy: return clamp_only(x);
    case QuantState::QuantStateQuantized: return quantize(x);
  }
  return x;
}

IntegerWeights WeightQuantizer::integer_weights(const torch::Tensor& w) const {
  throw Error("this weight quantizer has no integer form");
}

ActivationGrid ActivationQuantizer::grid() const {
  throw Error("this activation quantizer has no uniform output grid (integer export needs one)");
}

torch::Tensor scale_vector(const torch::Tensor& s) {
  return s.detach().to(torch::kFloat64).flatten().contiguous();
}

IntegerWeights offset_grid_weights(const torch::Tensor& k, const torch::Tensor& scale,
                                   int64_t levels) {
  IntegerWeights out;
  out.codes = k.to(torch::kInt64);
  out.scale = scale_vector(scale);
  for (int64_t i = 0; i <= levels; ++i) out.table.push_back(2 * i - levels);
  // A b-bit code indexes 2^b entries; levels = 2^b - 1, so the table is exactly full.
  return out;
}

}  // namespace bitshift
