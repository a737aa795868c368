#include "quant/quantizer.h"

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

}  // namespace bitshift
