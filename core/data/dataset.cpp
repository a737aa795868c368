#include "data/dataset.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>

#include "data/fit.h"
#include "util/error.h"

namespace bitshift {

Dataset Dataset::head(int64_t n) const {
  Dataset out = *this;
  n = std::clamp<int64_t>(n, 0, size());  // a negative slice end would count from the end
  if (images.defined()) out.images = images.slice(0, 0, n);
  out.labels = labels.slice(0, 0, n);
  return out;
}

Dataset Dataset::random_subset(int64_t n, uint64_t seed) const {
  n = std::clamp<int64_t>(n, 0, size());
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const torch::Tensor index =
      std::get<0>(torch::randperm(size(), gen, torch::kInt64).slice(0, 0, n).sort());
  Dataset out = *this;
  out.images = samples(index);  // fitted already
  out.files = nullptr;
  out.fit_c = out.fit_h = out.fit_w = 0;
  out.labels = labels.index_select(0, index);
  out.name = name + " (" + std::to_string(n) + " random)";
  return out;
}

torch::Tensor Dataset::samples(const torch::Tensor& index) const {
  if (!on_disk()) {
    auto raw = images.index_select(0, index);
    return fitted() ? fit_images(raw, fit_c, fit_h, fit_w) : raw;
  }
  const auto idx = index.contiguous();
  const int64_t* ids = idx.data_ptr<int64_t>();
  auto out = torch::empty({idx.numel(), fit_c, fit_h, fit_w}, torch::kUInt8);
  at::parallel_for(0, idx.numel(), 1, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j)
      out[j].copy_(fit_images(files->decode(ids[j]).unsqueeze(0), fit_c, fit_h, fit_w)[0]);
  });
  return out;
}

torch::Tensor Dataset::stored(int64_t i) const {
  require(i >= 0 && i < size(), "sample " + std::to_string(i) + " out of range [0, " +
                                    std::to_string(size()) + ") in dataset '" + name + "'");
  return on_disk() ? files->decode(i) : images[i];
}

Normalization measure_normalization(const Dataset& data) {
  Normalization norm;
  const int64_t c = data.channels();
  // Bounded memory: never convert more than 2^22 pixels (32 MiB as doubles) at once.
  const int64_t chunk =
      std::clamp<int64_t>((int64_t{1} << 22) / (c * data.height() * data.width()), 1, 4096);
  // In memory every image; on disk up to kOnDiskImages evenly spaced ones (classes are stored
  // one after the other, so the first ones would be one class).
  // Photos from a folder (one class after another) in memory: up to kPhotoImages evenly spaced.
  constexpr int64_t kOnDiskImages = 1000, kPhotoImages = 10000;
  const int64_t n = data.on_disk() ? std::min(data.size(), kOnDiskImages)
                    : data.photos  ? std::min(data.size(), kPhotoImages)
                                   : data.size();
  std::vector<int64_t> spaced(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) spaced[k] = k * data.size() / n;
  const auto picked = torch::tensor(spaced, torch::kLong);
  std::vector<double> sum(c, 0.0), sum_sq(c, 0.0);
  double count = 0;
  for (int64_t i = 0; i < n; i += chunk) {
    const auto index = picked.slice(0, i, std::min(i + chunk, n));
    auto x = data.samples(index).to(torch::kDouble) / 255.0;
    auto s = x.sum({0, 2, 3});
    auto s2 = (x * x).sum({0, 2, 3});
    for (int64_t k = 0; k < c; ++k) {
      sum[k] += s[k].item<double>();
      sum_sq[k] += s2[k].item<double>();
    }
    count += static_cast<double>(x.size(0) * x.size(2) * x.size(3));
  }
  for (int64_t k = 0; k < c; ++k) {
    const double mean = sum[k] / count;
    const double var = std::max(sum_sq[k] / count - mean * mean, 1e-12);
    norm.mean.push_back(static_cast<float>(mean));
    norm.std.push_back(static_cast<float>(std::sqrt(var)));
  }
  return norm;
}

}  // namespace bitshift
