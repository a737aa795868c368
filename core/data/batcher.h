#pragma once
// Fast batching: a shuffled index per epoch, one index_select (or per-image decoding for images
// on disk) and one float conversion per batch; augmentation (random crop with padding,
// random-resized crop, horizontal flip) with randomness from a generator seeded per batch, so
// runs are reproducible whichever thread makes which batch.
#include <torch/types.h>

#include "data/dataset.h"
#include "data/normalization.h"

namespace bitshift {

struct BatchConfig {
  int64_t batch_size = 128;
  bool shuffle = true;
  bool drop_last = false;
  int crop_padding = 0;  // random crop after zero padding by this many pixels (0 = off)
  bool horizontal_flip = false;
  // torchvision's RandomResizedCrop (data/resized_crop.h) from the stored image, then resized to
  // the dataset's channels()×height()×width(): the usual training crop for photos.
  bool random_resized_crop = false;
  uint64_t seed = 0;
  // Data-parallel replicas: this one's rows of every batch (dist/replicas.h rows_of). The
  // batch's images, order and augmentation draws are the whole batch's, so the replicas'
  // rows together are exactly what one process would get.
  int shard_rank = 0, shard_count = 1;
};

struct Batch {
  torch::Tensor x;  // float [B, C, H, W], normalised
  torch::Tensor y;  // int64 [B]
};

class Batcher {
 public:
  // Throws Error if the normalisation does not have one mean/std per channel of `data`, or the
  // configuration is invalid. Starts at epoch 0.
  Batcher(const Dataset& data, const Normalization& norm, BatchConfig config);

  int64_t num_batches() const;
  // Draws this epoch's order (deterministic in seed and epoch; identity if !shuffle).
  void start_epoch(int64_t epoch);
  // Batch i of the current epoch. Deterministic in (seed, epoch, i), whatever the call order,
  // and safe to call from several threads at once.
  Batch get(int64_t i) const;

 private:
  // `raw` holds rows [first, first + raw.size(0)) of batch i, which has `b` images; the draws
  // are made for all b, so a shard's rows are augmented as in the whole batch.
  torch::Tensor augment(torch::Tensor raw, int64_t i, int64_t first, int64_t b) const;
  // uint8 [index.numel(), C, H, W]: rows [first, first + index.numel()) of batch i (b images).
  torch::Tensor resized_crops(const torch::Tensor& index, int64_t i, int64_t first, int64_t b) const;
  at::Generator batch_generator(int64_t i, uint64_t stream) const;

  Dataset data_;
  BatchConfig config_;
  PixelNormalizer normalize_;
  torch::Tensor order_;          // int64 [N]
  int64_t epoch_ = 0;
};

}  // namespace bitshift
