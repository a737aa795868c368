#include "data/dataset.h"

#include <torch/torch.h>

#include <algorithm>

#include "data/fit.h"

namespace bitshift {

Dataset Dataset::head(int64_t n) const {
  Dataset out = *this;
  n = std::clamp<int64_t>(n, 0, size());  // a negative slice end would count from the end
  out.images = images.slice(0, 0, n);
  out.labels = labels.slice(0, 0, n);
  return out;
}

torch::Tensor Dataset::samples(const torch::Tensor& index) const {
  auto raw = images.index_select(0, index);
  return fitted() ? fit_images(raw, fit_c, fit_h, fit_w) : raw;
}

Normalization measure_normalization(const Dataset& data) {
  Normalization norm;
  const int64_t chunk = 4096;  // bounded memory: never convert the whole set to float at once
  const int64_t c = data.channels();
  std::vector<double> sum(c, 0.0), sum_sq(c, 0.0);
  double count = 0;
  for (int64_t i = 0; i < data.size(); i += chunk) {
    const auto index = torch::arange(i, std::min(i + chunk, data.size()), torch::kLong);
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
