#pragma once
// How lowering turns real requantization factors into the contract's integers: per channel a
// multiplier m and a shift (the largest shift keeping |m| <= 2^30 and the offset <= 2^60), and
// the offset on the multiplied scale. Torch-free.
#include <string>
#include <vector>

#include "integer/integer_model.h"

namespace bitshift {

// Sets L.requant.m (and m2 when M has two rows), shift from the real factors M[input][channel]
// (input scale / output scale) and the channels' offsets in output steps (empty = none). Adds
// a note when every multiplier is a power of two. Throws Error naming the layer when a factor
// exceeds 2^30 (an output step far finer than the input's).
void choose_multipliers(IntLayer& L, const std::vector<std::vector<double>>& M,
                        const std::vector<double>& offset_steps, std::vector<std::string>& notes);

// L.requant.offset[c] = round(offset_steps[c]·2^shift[c]); throws Error naming the channel when
// it exceeds 2^60.
void set_offsets(IntLayer& L, const std::vector<double>& offset_steps);

}  // namespace bitshift
