#pragma once
// Real-valued weight levels (UNIQ's k-quantiles) as an integer table: each level rounded onto the
// finest step whose accumulator bound, Σ|table[code]|·max|x| per output channel, stays within
// 2^30 (half of int32: room for a bias). Entries have at most 16 bits (the OpenCL pair path
// multiplies 16-bit values) and at least 8 (then the bound proof decides).
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace bitshift {

struct RoundedLevels {
  std::vector<int64_t> table;  // round(level / step), one entry per code
  double step = 1.0;           // real value of one table unit
  int bits = 8;                // entries lie in ±(2^(bits−1) − 1)
  double worst_steps = 0.0;    // largest |table·step − level| / step (at most 0.5)
};

// `codes`: the layer's weight codes [C_out, ...] (indices into `levels`); `max_input`: the
// largest |value| the layer's input takes.
RoundedLevels round_weight_levels(const std::vector<double>& levels, const torch::Tensor& codes,
                                  int64_t max_input);

}  // namespace bitshift
