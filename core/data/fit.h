#pragma once
// Fitting images to a model's input, as torchvision's Resize + CenterCrop do for evaluation:
// the shorter side scaled to cover the model's H×W (bilinear, antialiased when shrinking), the
// centre cropped; grey replicated to 3 channels, colour turned to luminance for a 1-channel
// model. Images already at the model's shape pass through unchanged, pixel for pixel.
#include <torch/types.h>

#include <string>

#include "data/dataset.h"
#include "data/resized_crop.h"

namespace bitshift {

// uint8 [B, C, H, W] -> uint8 [B, c, h, w]. Throws Error for channel counts other than 1 and 3.
torch::Tensor fit_images(const torch::Tensor& images, int64_t c, int64_t h, int64_t w);

// One image uint8 [C, H, W]: the box cropped, then resized to h×w (bilinear, antialiased when
// shrinking) and converted to c channels, as RandomResizedCrop does; uint8 [c, h, w].
torch::Tensor crop_and_fit(const torch::Tensor& image, const CropBox& box, int64_t c, int64_t h,
                           int64_t w);

// The pair with batches fitted to c×h×w (images shared, not copied) and its normalisation
// measured on the fitted training images (the first 10,000 in memory; see
// measure_normalization for images on disk). `note`, if given, says what was
// done, e.g. "fashion-mnist 1x28x28 fitted to 3x64x64: resized and centre-cropped, grey
// replicated to 3 channels". A pair already at c×h×w is returned as it is.
DatasetPair fit_dataset(const DatasetPair& data, int64_t c, int64_t h, int64_t w,
                        std::string* note = nullptr);

}  // namespace bitshift
