#pragma once
// The C++ integer reference executor: runs an IntegerModel exactly as the arithmetic contract
// says (int32 accumulators, int64 products and shifts, half-up rounding, saturation). Its
// outputs are the golden values every other executor (OpenCL, the bundle's host program) must
// reproduce byte for byte. Torch-free.
#include <cstdint>
#include <vector>

#include "integer/integer_model.h"
#include "integer/ops/op_common.h"  // requantize()

namespace bitshift {

// Every layer's output for a batch of input values (layers[0]'s shape, n samples); throws
// Error naming the layer if an input value lies outside the input layer's range.
std::vector<IntTensor> run_reference(const IntegerModel& model, const IntTensor& input);

// Top-1 class per sample from the output layer (real = value·scale[c]).
std::vector<int64_t> predicted_classes(const IntegerModel& model, const IntTensor& output);

// Proves from the actual weights that no accumulator leaves int32: fills every layer's
// min_value/max_value (inputs' ranges propagated) and throws Error naming the first layer whose
// bound Σ|w|·max|x| + |bias| exceeds 2^31 − 1, with the bound.
void prove_accumulator_bounds(IntegerModel& model);

}  // namespace bitshift
