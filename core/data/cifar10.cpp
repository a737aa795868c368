#include "data/cifar10.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kPixels = 3 * 32 * 32;
constexpr int64_t kRecord = 1 + kPixels;

constexpr uint64_t kMaxMetaBytes = 64 << 10;  // batches.meta.txt: ten short names

const std::vector<std::string> kDefaultNames = {"airplane", "automobile", "bird", "cat", "deer",
                                                "dog",      "frog",       "horse", "ship", "truck"};

// The whole file as uint8 [records, 3073], read in one go into the tensor.
torch::Tensor read_records(const std::string& path) {
  std::error_code ec;
  require(fs::is_regular_file(path, ec), "CIFAR-10 file '" + path + "' is missing");
  const auto size = static_cast<int64_t>(fs::file_size(path, ec));
  require(!ec, "CIFAR-10 file '" + path + "': cannot read its size (" + ec.message() + ")");
  require(static_cast<uint64_t>(size) <= kMaxFileBytes,
          "CIFAR-10 file '" + path + "' has " + std::to_string(size) + " bytes, more than the " +
              std::to_string(kMaxFileBytes >> 30) + " GiB a batch file may have");
  require(size > 0 && size % kRecord == 0,
          "CIFAR-10 file '" + path + "' has " + std::to_string(size) +
              " bytes, not a whole number of 3073-byte records (truncated or not CIFAR-10)");
  auto records = torch::empty({size / kRecord, kRecord}, torch::kUInt8);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(records.data_ptr<uint8_t>()), size);
  require(in.gcount() == size, "CIFAR-10 file '" + path + "': read " +
                                   std::to_string(in.gcount()) + " of " + std::to_string(size) +
                                   " bytes");
  return records;
}

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

}  // namespace

Dataset load_cifar10_batches(const std::vector<std::string>& files, const std::string& name) {
  require(!files.empty(), "CIFAR-10 dataset '" + name + "': no batch files given");
  std::vector<torch::Tensor> images, labels;
  for (const auto& f : files) {
    const auto records = read_records(f);
    const auto label = records.select(1, 0).to(torch::kLong);
    const auto bad = (label > 9).nonzero();
    if (bad.numel() > 0) {
      const int64_t r = bad[0][0].item<int64_t>();
      throw Error("CIFAR-10 file '" + f + "': label " + std::to_string(label[r].item<int64_t>()) +
                  " of record " + std::to_string(r) + " is outside the allowed range [0, 10)");
    }
    labels.push_back(label);
    // Pixels are stored channel-major (all red, all green, all blue): already C, H, W.
    images.push_back(records.slice(1, 1).view({-1, 3, 32, 32}));
  }
  Dataset d;
  d.name = name;
  d.num_classes = 10;
  d.class_names = kDefaultNames;
  d.images = images.size() == 1 ? images[0].contiguous() : torch::cat(images);
  d.labels = labels.size() == 1 ? labels[0] : torch::cat(labels);
  return d;
}

namespace {

// batches.meta.txt's names (one per line), when the folder has one; read bounded, so a FIFO or a
// link to /dev/zero in its place is refused by name instead of hanging or filling memory.
std::vector<std::string> class_names(const std::string& dir) {
  std::vector<std::string> names = kDefaultNames;
  const std::string path = dir + "/batches.meta.txt";
  std::error_code ec;
  if (!fs::exists(path, ec)) return names;
  std::istringstream meta(read_file(path, kMaxMetaBytes));
  std::string line;
  for (size_t k = 0; k < names.size() && std::getline(meta, line);) {
    line = trim(line);
    if (!line.empty()) names[k++] = line;
  }
  return names;
}

}  // namespace

DatasetPair load_cifar10_dir(const std::string& dir) {
  require(fs::is_directory(dir), "CIFAR-10 folder '" + dir + "' does not exist");
  std::vector<std::string> train_files;
  for (int k = 1; k <= 5; ++k) train_files.push_back(dir + "/data_batch_" + std::to_string(k) + ".bin");
  DatasetPair p;
  p.train = load_cifar10_batches(train_files, "cifar10/train");
  p.test = load_cifar10_batches({dir + "/test_batch.bin"}, "cifar10/test");
  p.train.class_names = p.test.class_names = class_names(dir);
  return p;
}

}  // namespace bitshift
