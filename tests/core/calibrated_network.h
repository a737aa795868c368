#pragma once
// Quantized networks the lowering, import and interop tests share: the first images of a
// dataset as one normalized batch, and a shipped baseline with a calibrated plan (no training).
#include <torch/torch.h>

#include <string>
#include <vector>

#include "data/batcher.h"
#include "data/registry.h"
#include "graph/graph_module.h"
#include "quant/method.h"
#include "quant/quantized_network.h"
#include "train/model_source.h"

namespace bitshift::testing {

// The first n images of `data`, normalized, in one batch [n, C, H, W].
inline torch::Tensor first_images(const Dataset& data, const Normalization& norm, int64_t n) {
  BatchConfig bc;
  bc.batch_size = n;
  bc.shuffle = false;
  Batcher b(data.head(n), norm, bc);
  b.start_epoch(0);
  return b.get(0).x;
}

// `net` calibrated on the first 512 training images, in evaluation mode.
inline void calibrate_on(QuantizedNetwork& net, const Dataset& train, const Normalization& norm) {
  const Dataset calib = train.head(512);
  BatchConfig bc;
  bc.batch_size = 128;
  bc.shuffle = false;
  Batcher b(calib, norm, bc);
  b.start_epoch(0);
  std::vector<torch::Tensor> batches;
  for (int64_t i = 0; i < b.num_batches(); ++i) batches.push_back(to_channels_last(b.get(i).x));
  calibrate(net, batches);
  net.model->eval();
}

// A zoo model's shipped FP32 baseline (or a model file) with a calibrated plan: every layer
// quantized (the edges too), no training. `fitted`: the data fitted to the model's input (a
// model file for another image shape).
inline QuantizedNetwork calibrated(const std::string& model, const std::string& bits,
                                   const DatasetPair& data, Normalization* norm,
                                   const std::string& method = "minmax",
                                   DatasetPair* fitted = nullptr) {
  LoadedModel lm = load_model(model, data, "fashion-mnist");
  *norm = lm.normalization;
  if (fitted) *fitted = lm.data;
  auto net = attach_quantizers(
      lm.module, make_plan(lm.module->graph(), method, bits, EdgePolicy::EdgePolicyQuantized));
  calibrate_on(net, lm.data.train, lm.normalization);
  return net;
}

}  // namespace bitshift::testing
