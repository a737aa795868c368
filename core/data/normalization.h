#pragma once
// Input normalisation given by the user: "imagenet" (torchvision's values, what its pretrained
// models expect) or comma-separated numbers, one per channel or one for all.
#include <torch/types.h>

#include <string>
#include <vector>

#include "data/dataset.h"

namespace bitshift {

// The one mapping from 8-bit pixels to the network's input values, x = (p/255 - mean) / std,
// computed in float32 as p * (1 / (255 * std)) + (-mean / std): what training, evaluation and
// the export's pixel-code table all use, so they agree to the last bit.
class PixelNormalizer {
 public:
  // Throws Error unless `norm` has `channels` positive stds and as many means.
  PixelNormalizer(const Normalization& norm, int64_t channels, const std::string& data_name);
  // uint8 [N, C, H, W] -> float [N, C, H, W].
  torch::Tensor operator()(const torch::Tensor& pixels) const;

 private:
  torch::Tensor scale_, shift_;  // float [1, C, 1, 1]
};

Normalization imagenet_normalization();  // mean 0.485,0.456,0.406; std 0.229,0.224,0.225

// `measured` with its mean and/or std replaced by the texts that are not empty. Throws Error
// naming the text and what was expected (a number list of 1 or `channels` values, std > 0).
Normalization normalization_from_text(const std::string& mean, const std::string& std,
                                      int64_t channels, const Normalization& measured);

}  // namespace bitshift
