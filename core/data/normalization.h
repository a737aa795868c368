#pragma once
// Input normalisation given by the user: "imagenet" (torchvision's values, what its pretrained
// models expect) or comma-separated numbers, one per channel or one for all.
#include <string>
#include <vector>

#include "data/dataset.h"

namespace bitshift {

Normalization imagenet_normalization();  // mean 0.485,0.456,0.406; std 0.229,0.224,0.225

// `measured` with its mean and/or std replaced by the texts that are not empty. Throws Error
// naming the text and what was expected (a number list of 1 or `channels` values, std > 0).
Normalization normalization_from_text(const std::string& mean, const std::string& std,
                                      int64_t channels, const Normalization& measured);

}  // namespace bitshift
