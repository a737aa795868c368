#pragma once
// The conformance network every export bundle carries in conformance/ (FORMAT.md): a small
// synthetic IntegerModel and input whose golden outputs pin what real networks' test vectors
// leave open. Its requantizations land exactly on ties, positive and negative (a reader rounding
// half-even or away from zero fails them); its weights are stored as an odd count of nibbles,
// as 5-7-bit codes in bytes and as >8-bit codes in int32; it has a grouped conv with several
// channels per group, a padded max pool over windows of negative values (padding is not 0), and
// every other op: add, concat, mul with a broadcast gate, lookup, sum pools, linear. Torch-free.
#include "integer/integer_model.h"

namespace bitshift {

// The same model every time (fixed seed); ranges proven.
IntegerModel conformance_model();
// Its input batch (fixed seed), within the input layer's range.
IntTensor conformance_input(const IntegerModel& model);

}  // namespace bitshift
