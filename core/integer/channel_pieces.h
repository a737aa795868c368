#pragma once
// A value laid side by side as runs of channels of integer layers: what concat, channel split
// and channel shuffle make of their inputs before a grid closes them into one concat layer
// (integer/lowering.cpp). Torch-free.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "integer/integer_model.h"

namespace bitshift {

// A clamp to [lo, hi] in real units that the graph applies after a value (ReLU: [0, inf),
// ReLU6: [0, 6], clip: its bounds); it folds into the clamp of the requantization that closes
// the value onto a grid.
struct Clamp {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();

  bool any() const { return std::isfinite(lo) || std::isfinite(hi); }
  Clamp within(double a, double b) const { return {std::max(lo, a), std::min(hi, b)}; }
  // The clamp on codes of step `scale` (> 0) that are already on [code_lo, code_hi]: the
  // bounds rounded half up as the grid rounds, intersected.
  int64_t code_lo(double scale, int64_t code_lo) const {
    return std::isfinite(lo) ? std::max<int64_t>(code_lo, static_cast<int64_t>(std::floor(lo / scale + 0.5)))
                             : code_lo;
  }
  int64_t code_hi(double scale, int64_t code_hi) const {
    return std::isfinite(hi) ? std::min<int64_t>(code_hi, static_cast<int64_t>(std::floor(hi / scale + 0.5)))
                             : code_hi;
  }
  bool operator==(const Clamp& o) const { return lo == o.lo && hi == o.hi; }
  bool operator!=(const Clamp& o) const { return !(*this == o); }
};

// Channels [first, first + count) of integer layer `layer`:
// real[k] = scale[k]·value[first + k] + offset[k], then the clamp.
struct ChannelPiece {
  int layer = 0;
  int64_t first = 0, count = 0;
  std::vector<double> scale, offset;  // count entries each
  Clamp clamp;
};

// Channels [begin, end) of side-by-side runs.
std::vector<ChannelPiece> channel_slice(const std::vector<ChannelPiece>& in, int64_t begin,
                                        int64_t end);

// ShuffleNet's channel shuffle: output channel o is input channel (o % g)·(C/g) + o / g;
// consecutive channels of one layer stay one run.
std::vector<ChannelPiece> channel_shuffle(const std::vector<ChannelPiece>& in, int64_t groups);

// Appends `p` to concat L's runs, its layer to L's inputs if new.
void add_run(IntLayer& L, const ChannelPiece& p);

}  // namespace bitshift
