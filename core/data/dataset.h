#pragma once
// A labelled image dataset held whole in memory as one uint8 tensor, so that batching is an
// index_select plus one conversion (no per-sample work).
#include <torch/types.h>

#include <string>
#include <vector>

namespace bitshift {

// Per-channel input normalisation x' = (x/255 - mean) / std, measured on the training split.
struct Normalization {
  std::vector<float> mean;
  std::vector<float> std;
};

struct Dataset {
  std::string name;      // e.g. "fashion-mnist/train"
  torch::Tensor images;  // uint8 [N, C, H, W]
  torch::Tensor labels;  // int64 [N], each in [0, num_classes)
  int num_classes = 0;
  std::vector<std::string> class_names;  // size num_classes (may be "0".."9")
  // When set (non-zero), samples come out at this C×H×W instead of the stored one: resized and
  // centre-cropped, channels replicated or turned to luminance, per batch (data/fit.h).
  int64_t fit_c = 0, fit_h = 0, fit_w = 0;

  int64_t size() const { return images.defined() ? images.size(0) : 0; }
  bool fitted() const { return fit_c > 0; }
  int64_t channels() const { return fitted() ? fit_c : images.size(1); }
  int64_t height() const { return fitted() ? fit_h : images.size(2); }
  int64_t width() const { return fitted() ? fit_w : images.size(3); }
  // Images [start, end) as the model sees them: uint8 [n, channels(), height(), width()].
  torch::Tensor samples(const torch::Tensor& index) const;
  // The first n samples (n clamped to size()); a cheap view for tests and quick runs.
  Dataset head(int64_t n) const;
};

// A train/test pair, with the normalisation measured on `train`.
struct DatasetPair {
  Dataset train;
  Dataset test;
  Normalization normalization;
};

// Mean and std per channel of images/255 over the whole dataset.
Normalization measure_normalization(const Dataset& data);

}  // namespace bitshift
