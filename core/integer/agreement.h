#pragma once
// How closely an IntegerModel reproduces the fake-quantized simulation it was lowered from:
// top-1 of both on the same images and the share of images where their top-1 classes agree.
#include <cstdint>
#include <functional>
#include <string>

#include "data/dataset.h"
#include "integer/integer_model.h"
#include "quant/quantized_network.h"

namespace bitshift {

struct Agreement {
  int64_t images = 0;
  double simulated_top1 = 0.0;  // percent
  double integer_top1 = 0.0;    // percent
  double agreement = 0.0;       // percent of images with the same top-1 class
  int64_t disagreements = 0;
  // The same comparison against the simulation evaluated in float64 (when asked for): float32
  // rounding inside the simulation moves a value across a rounding threshold now and then,
  // which the exact integers do not follow; on deep networks this noise alone costs ~1 % (the
  // float32 simulation at batch 100 and at batch 7 disagree on 1.6 % of EfficientNet-B0's
  // images). float64_images is 0 when not measured or the model has no float64 kernels.
  int64_t float64_images = 0;
  double float64_agreement = 0.0;  // percent
  int64_t float64_disagreements = 0;
  std::string executor = "reference executor";  // or "OpenCL device <name>": what ran the integers
};

// Runs an integer model on an input batch and returns its output layer (the logits). Defaults
// to the C++ reference executor; the OpenCL runtime can stand in.
using IntegerRunner = std::function<IntTensor(const IntTensor& input)>;

// While alive, `net` evaluates in float64 with its weights quantized as they are in float32
// (the codes a bundle holds): the simulation free of float32 rounding in its activations, the
// reference the integers are measured against beside the float32 one. Restores float32.
class Float64Simulation {
 public:
  explicit Float64Simulation(QuantizedNetwork& net);
  ~Float64Simulation();
  Float64Simulation(const Float64Simulation&) = delete;
  Float64Simulation& operator=(const Float64Simulation&) = delete;

 private:
  QuantizedNetwork& net_;
};

// Images done so far of the total; false stops the measurement (it throws Error "cancelled").
using AgreementProgress = std::function<bool(int64_t done, int64_t total)>;

// The first `limit` images of `data` (0 = all) through the simulation (evaluation mode; with
// `float64`, again in float64: slow for depthwise convolutions) and through `model`.
Agreement measure_agreement(QuantizedNetwork& net, const IntegerModel& model, const Dataset& data,
                            const Normalization& norm, int64_t limit = 0,
                            const IntegerRunner& runner = {}, bool float64 = false,
                            const AgreementProgress& progress = {});

}  // namespace bitshift
