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
  std::string executor = "reference executor";  // or "OpenCL device <name>": what ran the integers
};

// Runs an integer model on an input batch and returns its output layer (the logits). Defaults
// to the C++ reference executor; the OpenCL runtime can stand in.
using IntegerRunner = std::function<IntTensor(const IntTensor& input)>;

// The first `limit` images of `data` (0 = all) through the simulation (evaluation mode) and
// through `model`.
Agreement measure_agreement(QuantizedNetwork& net, const IntegerModel& model, const Dataset& data,
                            const Normalization& norm, int64_t limit = 0,
                            const IntegerRunner& runner = {});

}  // namespace bitshift
