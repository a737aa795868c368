#pragma once
// The gradual quantization of NICE (and UNIQ): one stage per quantized weight layer, from the
// input to the output, `epochs_per_stage` epochs each (fractional allowed). At stage k: layers
// before k hard-quantized (still trained through the STE), layer k noisy, later layers FP32;
// activations after layer k and later are clamped but not quantized. After the last stage
// everything is hard-quantized. With `freeze_done_stages` (UNIQ), layers before k also stop
// training: their weights, bias and BatchNorm leave the optimiser's reach.
#include <torch/types.h>

#include <map>
#include <vector>

#include "quant/quantized_network.h"

namespace bitshift {

class GradualSchedule {
 public:
  GradualSchedule(const QuantizedNetwork& net, double epochs_per_stage,
                  bool freeze_done_stages = false);

  int num_stages() const { return static_cast<int>(layers_.size()); }
  // Stage index at a fractional epoch position; num_stages() once all are done.
  int stage_at(double epoch_progress) const;
  // Sets every quantizer's state (and, when freezing, every stage's trainability) for the stage
  // at `epoch_progress`.
  void apply(QuantizedNetwork& net, double epoch_progress) const;
  double epochs_per_stage() const { return epochs_per_stage_; }

 private:
  std::vector<int> layers_;      // quantized weight layers in graph order (the stages)
  std::map<int, int> site_stage_;  // activation site node -> stage of the layer before it
  std::vector<std::vector<torch::Tensor>> stage_parameters_;  // weight, bias, BatchNorm
  double epochs_per_stage_;
  bool freeze_done_stages_;
};

// Every quantizer hard-quantized (non-gradual methods, evaluation, export); unfreezes every
// parameter a freezing schedule froze.
void quantize_all(QuantizedNetwork& net);

}  // namespace bitshift
