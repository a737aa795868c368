#include "data/batcher.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "data/fit.h"
#include "dist/replicas.h"
#include "data/resized_crop.h"
#include "util/error.h"

namespace bitshift {

namespace {

// SplitMix64 finaliser: decorrelates nearby seeds (seed, seed+1, ...).
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

// `data` after checking it holds images (before anything asks for its channels).
static const Dataset& with_images(const Dataset& data) {
  require(data.on_disk() || (data.images.defined() && data.images.dim() == 4 &&
                             data.images.scalar_type() == torch::kUInt8),
          "dataset '" + data.name + "' must hold uint8 images [N, C, H, W] or image files");
  return data;
}

Batcher::Batcher(const Dataset& data, const Normalization& norm, BatchConfig config)
    : data_(with_images(data)), config_(config), normalize_(norm, data.channels(), data.name) {
  require(config_.batch_size >= 1,
          "batch size must be at least 1, got " + std::to_string(config_.batch_size));
  require(config_.shard_count >= 1 && config_.shard_rank >= 0 &&
              config_.shard_rank < config_.shard_count,
          "shard " + std::to_string(config_.shard_rank) + " of " + std::to_string(config_.shard_count) +
              " is not a valid replica");
  require(config_.crop_padding >= 0,
          "crop padding must be >= 0, got " + std::to_string(config_.crop_padding));
  start_epoch(0);
}

int64_t Batcher::num_batches() const {
  const int64_t n = data_.size(), b = config_.batch_size;
  return config_.drop_last ? n / b : (n + b - 1) / b;
}

void Batcher::start_epoch(int64_t epoch) {
  epoch_ = epoch;
  if (!config_.shuffle) {
    if (!order_.defined()) order_ = torch::arange(data_.size(), torch::kLong);
    return;
  }
  auto gen =
      at::detail::createCPUGenerator(config_.seed * 1000003ULL + static_cast<uint64_t>(epoch));
  order_ = torch::randperm(data_.size(), gen, torch::kLong);
}

at::Generator Batcher::batch_generator(int64_t i, uint64_t stream) const {
  // One generator per batch, from (seed, epoch, i): reproducible and independent of call order.
  return at::detail::createCPUGenerator(mix(mix(config_.seed ^ stream) +
                                            static_cast<uint64_t>(epoch_) * 0x100000001B3ULL +
                                            static_cast<uint64_t>(i)));
}

torch::Tensor Batcher::resized_crops(const torch::Tensor& index, int64_t i, int64_t first,
                                     int64_t batch) const {
  auto gen = batch_generator(i, 0x5A5A5A5AULL);
  const int64_t b = index.numel();
  const auto u = torch::rand({batch, kResizedCropUniforms}, gen)  // drawn up front, whole batch
                     .slice(0, first, first + b)
                     .contiguous();
  const auto idx = index.contiguous();
  const int64_t* ids = idx.data_ptr<int64_t>();
  const float* draws = u.data_ptr<float>();
  const int64_t c = data_.channels(), h = data_.height(), w = data_.width();
  auto out = torch::empty({b, c, h, w}, torch::kUInt8);
  at::parallel_for(0, b, 1, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) {
      const auto image = data_.stored(ids[j]);
      const CropBox box =
          random_resized_crop_box(image.size(1), image.size(2), draws + j * kResizedCropUniforms);
      out[j].copy_(crop_and_fit(image, box, c, h, w));
    }
  });
  return out;
}

torch::Tensor Batcher::augment(torch::Tensor raw, int64_t i, int64_t first, int64_t batch) const {
  auto gen = batch_generator(i, 0xA5A5A5A5ULL);
  const int64_t b = raw.size(0), c = raw.size(1), h = raw.size(2), w = raw.size(3);
  auto mine = [&](const torch::Tensor& draws) { return draws.slice(0, first, first + b); };
  if (config_.horizontal_flip) {
    auto flip = mine(torch::rand({batch}, gen)).lt(0.5).view({b, 1, 1, 1});  // Bernoulli(1/2) per sample
    raw = torch::where(flip, raw.flip({3}), raw);
  }
  if (config_.crop_padding > 0) {
    const int64_t p = config_.crop_padding;
    auto padded = torch::constant_pad_nd(raw, {p, p, p, p}, 0);  // [B, C, H+2p, W+2p]
    // Per-sample offsets in [0, 2p]; gather rows then columns with index grids (no loop).
    auto dy = mine(torch::randint(0, 2 * p + 1, {batch}, gen, torch::kLong));
    auto dx = mine(torch::randint(0, 2 * p + 1, {batch}, gen, torch::kLong));
    auto rows = torch::arange(h, torch::kLong).view({1, h}) + dy.view({b, 1});  // [B, H]
    auto cols = torch::arange(w, torch::kLong).view({1, w}) + dx.view({b, 1});  // [B, W]
    const int64_t pw = padded.size(3);
    auto picked_rows = padded.gather(2, rows.view({b, 1, h, 1}).expand({b, c, h, pw}));
    raw = picked_rows.gather(3, cols.view({b, 1, 1, w}).expand({b, c, h, w}));
  }
  return raw;
}

Batch Batcher::get(int64_t i) const {
  require(i >= 0 && i < num_batches(), "batch index " + std::to_string(i) + " out of range [0, " +
                                           std::to_string(num_batches()) + ")");
  const int64_t start = i * config_.batch_size;
  const int64_t end = std::min(start + config_.batch_size, data_.size());
  const RowRange rows = rows_of(end - start, config_.shard_rank, config_.shard_count);
  const auto idx = order_.slice(0, start + rows.begin, start + rows.end);
  auto raw = config_.random_resized_crop ? resized_crops(idx, i, rows.begin, end - start)
                                         : data_.samples(idx);
  if (config_.crop_padding > 0 || config_.horizontal_flip)
    raw = augment(raw, i, rows.begin, end - start);
  Batch batch;
  batch.x = normalize_(raw);  // (x/255 - mean) / std
  batch.y = data_.labels.index_select(0, idx);
  return batch;
}

}  // namespace bitshift
