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

// "dir/stem" or "dir/stem.gz", whichever exists ("" if neither).
std::string idx_file(const std::string& dir, const std::string& stem) {
  for (const std::string& candidate : {dir + "/" + stem + ".gz", dir + "/" + stem})
    if (fs::exists(candidate)) return candidate;
  return "";
}

DatasetPair open_idx_dir(const std::string& dir, const std::string& name) {
  DatasetPair p;
  p.train = load_idx(idx_file(dir, "train-images-idx3-ubyte"),
                     idx_file(dir, "train-labels-idx1-ubyte"), name + "/train");
  p.test = load_idx(idx_file(dir, "t10k-images-idx3-ubyte"),
                    idx_file(dir, "t10k-labels-idx1-ubyte"), name + "/test");
  return p;
}

}  // namespace

std::vector<std::string> known_datasets() { return {"fashion-mnist"}; }

DatasetPair open_dataset(const std::string& name_or_dir) {
  DatasetPair p;
  if (name_or_dir == "fashion-mnist") {
    require(fs::exists(kFashionMnistDir),
            std::string("Fashion-MNIST not found in ") + kFashionMnistDir +
                " (install the Debian package dataset-fashion-mnist)");
    p = open_idx_dir(kFashionMnistDir, "fashion-mnist");
    p.train.class_names = p.test.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                                "Coat", "Sandal", "Shirt", "Sneaker",
                                                "Bag", "Ankle boot"};
  } else if (fs::is_directory(name_or_dir)) {
    const std::string dir = name_or_dir;
    const std::string name = fs::path(dir).lexically_normal().filename().string();
    if (!idx_file(dir, "train-images-idx3-ubyte").empty()) {
      p = open_idx_dir(dir, name);
    } else if (fs::exists(dir + "/data_batch_1.bin")) {
      p = load_cifar10_dir(dir);
    } else if (fs::is_directory(dir + "/train") && fs::is_directory(dir + "/test")) {
      p = load_image_folder_pair(dir);
    } else {
      throw Error("dataset folder '" + dir +
                  "' is not recognised: expected IDX files (train-images-idx3-ubyte[.gz], ...), "
                  "CIFAR-10 batches (data_batch_1.bin ... test_batch.bin), or train/ and test/ "
                  "sub-folders with one folder of images per class");
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

Result<DatasetPair> try_open_dataset(const std::string& name_or_dir) {
  return capture([&] { return open_dataset(name_or_dir); });
}

}  // namespace bitshift
