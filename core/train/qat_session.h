#pragma once
// A QAT session: FP32 model + QuantPlan + method hyper-parameters -> calibrated, fine-tuned,
// quantized network, with value snapshots for the studio (loss, accuracy, every layer's
// clamp/step values, weight and activation quantization-error histograms).
#include <string>
#include <vector>

#include "data/dataset.h"
#include "quant/quantized_network.h"
#include "train/evaluate.h"
#include "train/trainer.h"

namespace bitshift {

struct QatConfig {
  TrainConfig train;              // fine-tuning: epochs, optimizer, lr, seed, limits...
  QuantPlan plan;
  double epochs_per_stage = 0.0;  // gradual methods; 0 = the stages share half the epochs
  int calibration_batches = 16;
  int64_t trace_every = 20;       // steps between snapshots carrying traces
  int histogram_bins = 41;
};

struct LayerTrace {
  std::string name;  // layer (weights) or site node (activations)
  std::string kind;  // "weight" or "activation"
  TraceValues values;
};

struct ErrorHistogram {
  std::string name;
  std::string kind;   // "weight" or "activation"
  double lo = 0.0, hi = 0.0;  // the bins span [lo, hi]
  std::vector<int64_t> counts;
};

struct QatSnapshot {
  TrainSnapshot train;
  int stage = 0;        // gradual stage (num_stages when all are quantized)
  int num_stages = 0;
  std::vector<LayerTrace> traces;
  std::vector<ErrorHistogram> histograms;
};

struct QatResult {
  TrainResult train;
  EvalResult fp32;       // before quantization
  EvalResult quantized;  // every quantizer hard, eval mode
  QuantizedNetwork net;
  int num_stages = 0;
};

// Quantization-error histogram of `error` values over [−max|e|, +max|e|].
ErrorHistogram error_histogram(const std::string& name, const std::string& kind,
                               const torch::Tensor& error, int bins);

// Runs the session on `model` (modified in place: quantizers are attached). When `progress`
// returns false the session stops at once: train.cancelled is set and `quantized` is not
// evaluated (a JobControl's proceed() makes the same callback pause and resume).
Result<QatResult> run_qat(GraphModule model, const DatasetPair& data, const QatConfig& config,
                          const ProgressFn<QatSnapshot>& progress = {});

}  // namespace bitshift
