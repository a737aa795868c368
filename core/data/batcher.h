#pragma once
// Fast batching: whole dataset in memory as uint8, a shuffled index per epoch, one index_select
// and one float conversion per batch; augmentation (random crop with padding, horizontal flip)
// done on the whole batch with randomness from a seeded generator, so runs are reproducible.
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "data/dataset.h"

namespace bitshift {

struct BatchConfig {
  int64_t batch_size = 128;
  bool shuffle = true;
  bool drop_last = false;
  int crop_padding = 0;  // random crop after zero padding by this many pixels (0 = off)
  bool horizontal_flip = false;
  uint64_t seed = 0;
};

struct Batch {
  torch::Tensor x;  // float [B, C, H, W], normalised
  torch::Tensor y;  // int64 [B]
};

class Batcher {
 public:
  Batcher(const Dataset& data, const Normalization& norm, BatchConfig config);

  int64_t num_batches() const;
  // Draws this epoch's order (deterministic in seed and epoch).
  void start_epoch(int64_t epoch);
  // Batch i of the current epoch.
  Batch get(int64_t i) const;

 private:
  torch::Tensor augment(torch::Tensor raw) const;  // uint8 [B, C, H, W] -> same shape

  Dataset data_;
  BatchConfig config_;
  torch::Tensor mean_, inv_std_;  // float [1, C, 1, 1]
  torch::Tensor order_;           // int64 [N]
  mutable at::Generator generator_;
};

}  // namespace bitshift
