#include "quant/gradual_schedule.h"

#include <cmath>

#include "util/error.h"

namespace bitshift {

GradualSchedule::GradualSchedule(const QuantizedNetwork& net, double epochs_per_stage,
                                 bool freeze_done_stages)
    : layers_(net.hooks->quantized_layers()),
      epochs_per_stage_(epochs_per_stage),
      freeze_done_stages_(freeze_done_stages) {
  require(epochs_per_stage > 0.0,
          "epochs per stage must be positive, got " + std::to_string(epochs_per_stage));
  for (const auto& s : net.hooks->sites()) {
    // A site belongs to the last layer at or before it (a conv's own output, read by a table,
    // is that conv's); sites before the first quantized layer (the input) are never gradual.
    int stage = -1;
    for (size_t k = 0; k < layers_.size(); ++k)
      if (layers_[k] <= s.node) stage = static_cast<int>(k);
    site_stage_[s.node] = stage;
  }
  const Graph& g = net.model->graph();
  for (int layer : layers_) {
    std::vector<torch::Tensor> params = {net.model->weight(layer)};
    if (net.model->bias(layer).defined()) params.push_back(net.model->bias(layer));
    for (int c : g.consumers(layer))
      if (g.node(c).kind == OpKind::BatchNorm2d) {
        auto bn = net.model->batchnorm(c);
        params.push_back(bn->weight);
        params.push_back(bn->bias);
      }
    stage_parameters_.push_back(params);
  }
}

int GradualSchedule::stage_at(double epoch_progress) const {
  const int k = static_cast<int>(std::floor(epoch_progress / epochs_per_stage_ + 1e-9));
  return std::min(std::max(k, 0), num_stages());
}

void GradualSchedule::apply(QuantizedNetwork& net, double epoch_progress) const {
  const int stage = stage_at(epoch_progress);
  if (freeze_done_stages_)
    for (int k = 0; k < num_stages(); ++k)
      for (auto p : stage_parameters_[k]) {
        const bool frozen = k < stage;
        if (p.requires_grad() == !frozen) continue;
        p.set_requires_grad(!frozen);
        // No gradient at all, not a zero one: SGD would still apply momentum and weight decay.
        if (frozen) p.mutable_grad() = torch::Tensor();
      }
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
  for (auto p : net.model->parameters()) p.set_requires_grad(true);
  for (int layer : net.hooks->quantized_layers())
    net.hooks->weight_quantizer(layer)->set_state(QuantState::QuantStateQuantized);
  for (const auto& s : net.hooks->sites())
    net.hooks->activation_quantizer(s.node)->set_state(QuantState::QuantStateQuantized);
}

}  // namespace bitshift
