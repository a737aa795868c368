#include "quant/gradual_schedule.h"

#include <cmath>

#include "util/error.h"

namespace bitshift {

GradualSchedule::GradualSchedule(const QuantizedNetwork& net, double epochs_per_stage)
    : layers_(net.hooks->quantized_layers()), epochs_per_stage_(epochs_per_stage) {
  require(epochs_per_stage > 0.0,
          "epochs per stage must be positive, got " + std::to_string(epochs_per_stage));
  for (const auto& s : net.hooks->sites()) {
    int stage = -1;  // sites before the first quantized layer (the input) are never gradual
    for (size_t k = 0; k < layers_.size(); ++k)
      if (layers_[k] < s.node) stage = static_cast<int>(k);
    site_stage_[s.node] = stage;
  }
}

int GradualSchedule::stage_at(double epoch_progress) const {
  const int k = static_cast<int>(std::floor(epoch_progress / epochs_per_stage_ + 1e-9));
  return std::min(std::max(k, 0), num_stages());
}

void GradualSchedule::apply(QuantizedNetwork& net, double epoch_progress) const {
  const int stage = stage_at(epoch_progress);
  for (int k = 0; k < num_stages(); ++k) {
    const QuantState s = k < stage    ? QuantState::QuantStateQuantized
                         : k == stage ? QuantState::QuantStateNoisy
                                      : QuantState::QuantStateOff;
    net.hooks->weight_quantizer(layers_[k])->set_state(s);
  }
  for (const auto& [node, site_stage] : site_stage_)
    net.hooks->activation_quantizer(node)->set_state(
        site_stage < stage ? QuantState::QuantStateQuantized : QuantState::QuantStateNoisy);
}

void quantize_all(QuantizedNetwork& net) {
  for (int layer : net.hooks->quantized_layers())
    net.hooks->weight_quantizer(layer)->set_state(QuantState::QuantStateQuantized);
  for (const auto& s : net.hooks->sites())
    net.hooks->activation_quantizer(s.node)->set_state(QuantState::QuantStateQuantized);
}

}  // namespace bitshift
