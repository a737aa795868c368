#pragma once
// ForwardHooks: how quantization changes what a GraphModule computes without a second
// description of the network. The default hooks change nothing (FP32).
#include <torch/types.h>

namespace bitshift {

class ForwardHooks {
 public:
  virtual ~ForwardHooks() = default;
  // The weight a Conv2d/Linear node uses in this forward pass (e.g. fake-quantized, noisy).
  virtual torch::Tensor weight(int node, const torch::Tensor& w) { return w; }
  // The bias a Conv2d/Linear node uses (undefined tensor when the layer has none).
  virtual torch::Tensor bias(int node, const torch::Tensor& b) { return b; }
  // The output of `node` as its consumers see it (e.g. clamped and quantized activations).
  virtual torch::Tensor output(int node, const torch::Tensor& y) { return y; }
  // Whether the hooks compute `node` themselves from its input instead of the graph's op: a
  // quantizer that clamps at zero is a ReLU already, so it replaces the ReLU (one pass less).
  virtual bool replaces(int node) const { return false; }
  virtual torch::Tensor replacement(int node, const torch::Tensor& input) { return input; }
};

}  // namespace bitshift
