#pragma once
// Per-layer sensitivity, measured: how much the network suffers when only one layer is
// quantized (its weights, or the activations it reads) at one bit-width, with the method's own
// quantizer at its initialisation (calibrated, no training), on a calibration subset. What the
// plan table's sensitivity column and the bit allocator read (issue: which layer can take
// fewer bits). HAWQ's second-order estimate is a faster stand-in for the same numbers.
#include <functional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "graph/graph_module.h"
#include "quant/plan.h"

namespace bitshift {

struct SensitivityConfig {
  std::string method = "nice";
  // "measured": each entry is a quantized evaluation. "hessian" (fast, weights only): HAWQ-V2's
  // ½·(tr(H)/n)·‖Q(W) − W‖², the Hessian trace by Hutchinson (train/hessian_trace.h).
  std::string mode = "measured";
  int hutchinson_samples = 8;
  uint64_t seed = 1;
  Granularity granularity = Granularity::GranularityPerTensor;
  std::vector<int> weight_bits = {1, 2, 3, 4, 6, 8};  // those the method cannot do are skipped
  std::vector<int> activation_bits = {2, 3, 4, 6, 8};
};

// One layer, one operand ("w": its weights; "a": the activations it reads), one bit-width.
struct SensitivityEntry {
  std::string layer;
  std::string operand;  // "w" or "a"
  int bits = 0;
  double loss = 0.0, top1 = 0.0;  // on the calibration images
  double loss_increase = 0.0;     // loss - FP32 loss
  double top1_drop = 0.0;         // FP32 top-1 - top-1, points
  bool estimated = false;         // hessian mode: loss from the estimate, top-1 not measured
};

struct Sensitivity {
  std::string method;
  int64_t images = 0;
  double fp_loss = 0.0, fp_top1 = 0.0;
  std::vector<SensitivityEntry> entries;  // by layer (graph order), operand, bits
};

// `calibration`: the images quantizers calibrate on and the network is scored on. `progress`
// gets (done, total) after each measurement and may return false to cancel (Error thrown).
// The model comes back without quantizers.
Sensitivity measure_sensitivity(GraphModule model, const Dataset& calibration,
                                const Normalization& norm, const SensitivityConfig& config,
                                const std::function<bool(int, int)>& progress = {});

}  // namespace bitshift
