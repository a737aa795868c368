#pragma once
// A value laid side by side as runs of channels of integer layers: what concat, channel split
// and channel shuffle make of their inputs before a grid closes them into one concat layer
// (integer/lowering.cpp). Torch-free.
#include <cstdint>
#include <vector>

#include "integer/integer_model.h"

namespace bitshift {

// Channels [first, first + count) of integer layer `layer`:
// real[k] = scale[k]·value[first + k] + offset[k], then ReLU (and a cap) if set.
struct ChannelPiece {
  int layer = 0;
  int64_t first = 0, count = 0;
  std::vector<double> scale, offset;  // count entries each
  bool relu = false;
  double cap = 0.0;
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
