#pragma once
// A labelled image dataset: held whole in memory as one uint8 tensor, so that batching is an
// index_select plus one conversion (no per-sample work), or left on disk as image files of any
// sizes, decoded per sample on demand (data/image_files.h).
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "data/image_files.h"

namespace bitshift {

// Per-channel input normalisation x' = (x/255 - mean) / std, measured on the training split.
struct Normalization {
  std::vector<float> mean;
  std::vector<float> std;
};

struct Dataset {
  std::string name;      // e.g. "fashion-mnist/train"
  torch::Tensor images;  // in memory: uint8 [N, C, H, W]; undefined when the images are on disk
  std::shared_ptr<const ImageFiles> files;  // on disk: image i is files->decode(i)
  torch::Tensor labels;                     // int64 [N], each in [0, num_classes)
  int num_classes = 0;
  std::vector<std::string> class_names;  // size num_classes (may be "0".."9")
  // When set (non-zero), samples come out at this C×H×W instead of the stored one: resized and
  // centre-cropped, channels replicated or turned to luminance, per batch (data/fit.h). Images
  // on disk are always fitted (their sizes vary).
  int64_t fit_c = 0, fit_h = 0, fit_w = 0;
  bool photos = false;               // from an image folder: random-resized crops suit its training
  std::vector<std::string> skipped;  // files left out because they are not readable images

  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
  bool on_disk() const { return files != nullptr; }
  bool fitted() const { return fit_c > 0; }
  int64_t channels() const { return fitted() ? fit_c : images.size(1); }
  int64_t height() const { return fitted() ? fit_h : images.size(2); }
  int64_t width() const { return fitted() ? fit_w : images.size(3); }
  // Channels of the stored images (before fitting).
  int64_t stored_channels() const { return on_disk() ? files->channels() : images.size(1); }
  // Samples `index` as the model sees them: uint8 [n, channels(), height(), width()]. Images on
  // disk are decoded several at once on LibTorch's worker threads.
  torch::Tensor samples(const torch::Tensor& index) const;
  // Sample i as stored, at its own size: uint8 [stored_channels(), H, W].
  torch::Tensor stored(int64_t i) const;
  // The first n samples (n clamped to size()); a cheap view for tests and quick runs.
  Dataset head(int64_t n) const;
  // n samples drawn without replacement with `seed` (n clamped to size()), held in memory as
  // the model sees them: a calibration subset that covers the classes of a sorted folder too.
  Dataset random_subset(int64_t n, uint64_t seed) const;
};

// A train/test pair, with the normalisation measured on `train`.
struct DatasetPair {
  Dataset train;
  Dataset test;
  Normalization normalization;
};

// Mean and std per channel of images/255: over the whole dataset in memory (up to 10,000
// evenly spaced images of an image folder), over up to 1,000 evenly spaced images on disk
// (decoding a whole photo folder would take minutes).
Normalization measure_normalization(const Dataset& data);

}  // namespace bitshift
