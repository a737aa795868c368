#pragma once
// Lowering against simulation, layer by layer: for every integer layer that carries the codes
// of a quantized graph tensor, the share of its values that differ from round(simulated /
// scale). Fed: each layer runs on the simulation's codes of its inputs, so a flip in one layer
// does not move the layers after it (the lowering's own error); else on its own integers (how
// flips propagate).
#include <torch/types.h>

#include <string>
#include <vector>

#include "integer/integer_model.h"
#include "quant/quantized_network.h"

namespace bitshift {

struct LayerAgreement {
  std::string name;
  IntOp op = IntOp::IntInput;
  double differing = 0.0;  // share of values, 0..1
  int64_t max_diff = 0;    // largest |integer − simulated code|
};

// The graph node whose output an integer layer named after `node` carries: a conv or add is
// named after its own node, but its requantization folds the BatchNorm and ReLU after it.
int simulated_node(const Graph& g, int node);

// `images`: a normalised batch [N, C, H, W]; `net` in evaluation mode, `model` lowered from it.
std::vector<LayerAgreement> layer_agreement(QuantizedNetwork& net, const IntegerModel& model,
                                            const torch::Tensor& images, bool fed = true);

}  // namespace bitshift
