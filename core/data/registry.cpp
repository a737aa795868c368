#include "data/registry.h"

#include <filesystem>

#include "data/cifar10.h"
#include "data/idx.h"
#include "data/image_folder.h"
#include "util/error.h"

namespace bitshift {

namespace fs = std::filesystem;

namespace {

const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

const std::vector<std::string> kFashionMnistClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// The IDX file for `prefix` ("train-images", "t10k-labels", ...) in `dir`: the usual
// "train-images-idx3-ubyte" and the "train-images.idx3-ubyte" of some MNIST mirrors, gzipped
// or not. "" if none exists.
std::string find_idx(const std::string& dir, const std::string& prefix, const std::string& kind) {
  for (const char* sep : {"-", "."})
    for (const char* ext : {".gz", ""}) {
      const std::string candidate = dir + "/" + prefix + sep + kind + "-ubyte" + ext;
      if (fs::is_regular_file(candidate)) return candidate;
    }
  return "";
}

std::string require_idx(const std::string& dir, const std::string& prefix,
                        const std::string& kind) {
  const std::string f = find_idx(dir, prefix, kind);
  require(!f.empty(), "IDX dataset folder '" + dir + "' has no " + prefix + " file (looked for " +
                          prefix + "-" + kind + "-ubyte[.gz] and " + prefix + "." + kind +
                          "-ubyte[.gz])");
  return f;
}

DatasetPair open_idx_dir(const std::string& dir, const std::string& name) {
  DatasetPair p;
  p.train = load_idx(require_idx(dir, "train-images", "idx3"),
                     require_idx(dir, "train-labels", "idx1"), name + "/train");
  p.test = load_idx(require_idx(dir, "t10k-images", "idx3"),
                    require_idx(dir, "t10k-labels", "idx1"), name + "/test");
  return p;
}

}  // namespace

std::vector<std::string> known_datasets() { return {"fashion-mnist"}; }

DatasetPair open_dataset(const std::string& name_or_dir) {
  DatasetPair p;
  if (name_or_dir.empty() || name_or_dir == "fashion-mnist") {
    require(fs::exists(kFashionMnistDir),
            std::string("Fashion-MNIST not found in ") + kFashionMnistDir +
                " (install the Debian package dataset-fashion-mnist)");
    p = open_idx_dir(kFashionMnistDir, "fashion-mnist");
    p.train.class_names = p.test.class_names = kFashionMnistClasses;
  } else if (fs::is_directory(name_or_dir)) {
    const std::string dir = name_or_dir;
    auto path = fs::path(dir).lexically_normal();
    if (path.filename().empty()) path = path.parent_path();  // "data/mnist/"
    const std::string name = path.filename().string();
    if (!find_idx(dir, "train-images", "idx3").empty()) {
      p = open_idx_dir(dir, name);
    } else if (fs::exists(dir + "/data_batch_1.bin")) {
      p = load_cifar10_dir(dir);
    } else if (fs::is_directory(dir + "/train") && !image_folder_test_dir(dir).empty()) {
      p = load_image_folder_pair(dir);
    } else {
      throw Error("dataset folder '" + dir +
                  "' is not recognised: looked for IDX files (train-images-idx3-ubyte[.gz], "
                  "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], "
                  "t10k-labels-idx1-ubyte[.gz]), CIFAR-10 binary batches (data_batch_1.bin ... "
                  "data_batch_5.bin, test_batch.bin), or train/ and test/ (or val/) sub-folders "
                  "with one folder of images per class");
    }
  } else {
    std::string known;
    for (const auto& k : known_datasets()) known += (known.empty() ? "" : ", ") + k;
    throw Error("unknown dataset '" + name_or_dir + "': not a known name (" + known +
                ") nor an existing folder");
  }
  p.normalization = measure_normalization(p.train);
  return p;
}

std::string skipped_note(const DatasetPair& data) {
  const size_t n = data.train.skipped.size() + data.test.skipped.size();
  if (n == 0) return "";
  std::string names;
  size_t listed = 0;
  for (const Dataset* d : {&data.train, &data.test})
    for (const auto& f : d->skipped)
      if (listed++ < 3) names += (names.empty() ? "" : ", ") + f;
  return std::to_string(n) + " file" + (n > 1 ? "s" : "") +
         " left out, not readable as images: " + names + (n > 3 ? ", ..." : "");
}

Result<DatasetPair> try_open_dataset(const std::string& name_or_dir) {
  return capture([&] { return open_dataset(name_or_dir); });
}

}  // namespace bitshift
