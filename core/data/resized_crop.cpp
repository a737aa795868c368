#include "data/resized_crop.h"

#include <algorithm>
#include <cmath>

namespace bitshift {

CropBox random_resized_crop_box(int64_t H, int64_t W, const float* u) {
  const double area = static_cast<double>(H) * static_cast<double>(W);
  const double log_lo = std::log(kResizedCropMinRatio), log_hi = std::log(kResizedCropMaxRatio);
  for (int t = 0; t < kResizedCropTries; ++t) {
    const float* v = u + 4 * t;
    const double target = area * (kResizedCropMinScale + (1.0 - kResizedCropMinScale) * v[0]);
    const double aspect = std::exp(log_lo + (log_hi - log_lo) * v[1]);
    const auto w = static_cast<int64_t>(std::lround(std::sqrt(target * aspect)));
    const auto h = static_cast<int64_t>(std::lround(std::sqrt(target / aspect)));
    if (w <= 0 || w > W || h <= 0 || h > H) continue;
    // Uniform integer offsets in [0, H-h] and [0, W-w].
    const int64_t top = std::min<int64_t>(H - h, static_cast<int64_t>(v[2] * (H - h + 1)));
    const int64_t left = std::min<int64_t>(W - w, static_cast<int64_t>(v[3] * (W - w + 1)));
    return {top, left, h, w};
  }
  const double in_ratio = static_cast<double>(W) / static_cast<double>(H);
  int64_t h = H, w = W;
  if (in_ratio < kResizedCropMinRatio)
    h = std::max<int64_t>(1, std::lround(W / kResizedCropMinRatio));
  else if (in_ratio > kResizedCropMaxRatio)
    w = std::max<int64_t>(1, std::lround(H * kResizedCropMaxRatio));
  h = std::min(h, H), w = std::min(w, W);
  return {(H - h) / 2, (W - w) / 2, h, w};
}

}  // namespace bitshift
