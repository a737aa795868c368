#pragma once
// torchvision's RandomResizedCrop box, drawn from uniforms the caller pre-draws, so that a
// batch's crops are reproducible whichever thread decodes which image.
#include <cstdint>

namespace bitshift {

struct CropBox {
  int64_t top = 0, left = 0, height = 0, width = 0;
};

constexpr int kResizedCropTries = 10;                        // as torchvision
constexpr int kResizedCropUniforms = 4 * kResizedCropTries;  // per image
constexpr double kResizedCropMinScale = 0.08;                // area fraction range [0.08, 1]
constexpr double kResizedCropMinRatio = 3.0 / 4.0;           // aspect range [3/4, 4/3]
constexpr double kResizedCropMaxRatio = 4.0 / 3.0;

// A box of an H×W image: area a uniform fraction of [0.08, 1] of the image, aspect log-uniform
// in [3/4, 4/3], position uniform; up to 10 tries, then the largest centred box whose aspect is
// in range. `u` holds kResizedCropUniforms numbers in [0, 1).
CropBox random_resized_crop_box(int64_t height, int64_t width, const float* u);

}  // namespace bitshift
