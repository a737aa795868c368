#include "data/batcher.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "util/error.h"

namespace bitshift {

Batcher::Batcher(const Dataset& data, const Normalization& norm, BatchConfig config)
    : data_(data), config_(config), generator_(at::detail::createCPUGenerator(config.seed)) {
  require(config_.batch_size >= 1, "batch size must be at least 1");
  const int64_t c = data_.channels();
  require(static_cast<int64_t>(norm.mean.size()) == c && static_cast<int64_t>(norm.std.size()) == c,
          "dataset '" + data_.name + "' has " + std::to_string(c) +
              " channels but the normalisation has " + std::to_string(norm.mean.size()));
  mean_ = torch::tensor(norm.mean).view({1, c, 1, 1});
  inv_std_ = 1.0 / torch::tensor(norm.std).view({1, c, 1, 1});
  order_ = torch::arange(data_.size(), torch::kLong);
}

int64_t Batcher::num_batches() const {
  const int64_t n = data_.size(), b = config_.batch_size;
  return config_.drop_last ? n / b : (n + b - 1) / b;
}

void Batcher::start_epoch(int64_t epoch) {
  if (!config_.shuffle) return;
  generator_ = at::detail::createCPUGenerator(config_.seed * 1000003ULL + static_cast<uint64_t>(epoch));
  order_ = torch::randperm(data_.size(), generator_, torch::kLong);
}

torch::Tensor Batcher::augment(torch::Tensor raw) const {
  const int64_t b = raw.size(0), h = raw.size(2), w = raw.size(3);
  if (config_.horizontal_flip) {
    auto flip = torch::rand({b}, generator_).lt(0.5).view({b, 1, 1, 1});
    raw = torch::where(flip, raw.flip({3}), raw);
  }
  if (config_.crop_padding > 0) {
    const int64_t p = config_.crop_padding;
    auto padded = torch::constant_pad_nd(raw, {p, p, p, p}, 0);  // [B, C, H+2p, W+2p]
    // Per-sample offsets in [0, 2p]; gather rows then columns with index grids (no loop).
    auto dy = torch::randint(0, 2 * p + 1, {b}, generator_, torch::kLong);
    auto dx = torch::randint(0, 2 * p + 1, {b}, generator_, torch::kLong);
    auto rows = (torch::arange(h, torch::kLong).view({1, h}) + dy.view({b, 1}));  // [B, H]
    auto cols = (torch::arange(w, torch::kLong).view({1, w}) + dx.view({b, 1}));  // [B, W]
    const int64_t c = raw.size(1), pw = padded.size(3);
    auto row_idx = rows.view({b, 1, h, 1}).expand({b, c, h, pw});
    auto picked_rows = padded.gather(2, row_idx);  // [B, C, H, W+2p]
    auto col_idx = cols.view({b, 1, 1, w}).expand({b, c, h, w});
    raw = picked_rows.gather(3, col_idx);
  }
  return raw;
}

Batch Batcher::get(int64_t i) const {
  require(i >= 0 && i < num_batches(), "batch index " + std::to_string(i) + " out of range [0, " +
                                           std::to_string(num_batches()) + ")");
  const int64_t start = i * config_.batch_size;
  const int64_t end = std::min(start + config_.batch_size, data_.size());
  auto idx = order_.slice(0, start, end);
  auto raw = data_.images.index_select(0, idx);
  if (config_.crop_padding > 0 || config_.horizontal_flip) raw = augment(raw);
  Batch batch;
  batch.x = (raw.to(torch::kFloat).mul_(1.0 / 255.0).sub_(mean_)).mul_(inv_std_);
  batch.y = data_.labels.index_select(0, idx);
  return batch;
}

}  // namespace bitshift
