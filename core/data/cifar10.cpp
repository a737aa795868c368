#include "data/cifar10.h"

#include <torch/torch.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift {

namespace {
constexpr int64_t kPixels = 3 * 32 * 32;
constexpr int64_t kRecord = 1 + kPixels;
}  // namespace

Dataset load_cifar10_batches(const std::vector<std::string>& files, const std::string& name) {
  std::vector<std::string> blobs;
  int64_t n = 0;
  for (const auto& f : files) {
    blobs.push_back(read_file(f));
    const auto size = static_cast<int64_t>(blobs.back().size());
    require(size > 0 && size % kRecord == 0,
            "CIFAR-10 file '" + f + "' has " + std::to_string(size) +
                " bytes, not a whole number of 3073-byte records (truncated or not CIFAR-10)");
    n += size / kRecord;
  }
  Dataset d;
  d.name = name;
  d.num_classes = 10;
  d.images = torch::empty({n, 3, 32, 32}, torch::kUInt8);
  d.labels = torch::empty({n}, torch::kLong);
  auto* px = d.images.data_ptr<uint8_t>();
  auto* lb = d.labels.data_ptr<int64_t>();
  int64_t i = 0;
  for (size_t f = 0; f < blobs.size(); ++f) {
    const auto* rec = reinterpret_cast<const uint8_t*>(blobs[f].data());
    for (int64_t r = 0; r < static_cast<int64_t>(blobs[f].size()) / kRecord; ++r, ++i) {
      const uint8_t label = rec[r * kRecord];
      if (label >= 10)  // not require(): no message is built for the good records
        throw Error("CIFAR-10 file '" + files[f] + "': label " + std::to_string(label) +
                    " of record " + std::to_string(r) + " is outside [0, 10)");
      lb[i] = label;
      std::memcpy(px + i * kPixels, rec + r * kRecord + 1, kPixels);
    }
  }
  return d;
}

DatasetPair load_cifar10_dir(const std::string& dir) {
  std::vector<std::string> train_files;
  for (int k = 1; k <= 5; ++k) train_files.push_back(dir + "/data_batch_" + std::to_string(k) + ".bin");
  DatasetPair p;
  p.train = load_cifar10_batches(train_files, "cifar10/train");
  p.test = load_cifar10_batches({dir + "/test_batch.bin"}, "cifar10/test");
  std::vector<std::string> names = {"airplane", "automobile", "bird", "cat", "deer",
                                    "dog", "frog", "horse", "ship", "truck"};
  std::ifstream meta(dir + "/batches.meta.txt");
  std::string line;
  for (size_t k = 0; k < names.size() && std::getline(meta, line);)
    if (!line.empty()) names[k++] = line;
  p.train.class_names = p.test.class_names = names;
  return p;
}

}  // namespace bitshift
