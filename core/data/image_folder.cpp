#include "data/image_folder.h"

#include <stb_image.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "util/error.h"

namespace bitshift {

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> sorted_entries(const fs::path& dir, bool directories) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind('.', 0) == 0) continue;  // hidden files
    if (directories ? e.is_directory() : e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// stb's last error; null when it has none, so never pass it to std::string directly.
std::string failure_reason() {
  const char* r = stbi_failure_reason();
  return r ? r : "unknown format";
}

}  // namespace

Dataset load_image_folder(const std::string& dir, const std::string& name) {
  require(fs::is_directory(dir), "image folder '" + dir + "' does not exist");
  const auto classes = sorted_entries(dir, true);
  require(!classes.empty(), "image folder '" + dir + "' has no class sub-folders");
  std::vector<torch::Tensor> images;
  std::vector<int64_t> labels;
  int width = 0, height = 0, channels = 0;
  Dataset d;
  d.name = name;
  for (size_t k = 0; k < classes.size(); ++k) {
    d.class_names.push_back(classes[k].filename().string());
    const auto files = sorted_entries(classes[k], false);
    require(!files.empty(), "class folder '" + classes[k].string() + "' has no images");
    for (const auto& f : files) {
      int w = 0, h = 0, c = 0;
      if (stbi_info(f.c_str(), &w, &h, &c) != 1)
        throw Error("'" + f.string() + "' is not a readable image (" + failure_reason() + ")");
      if (channels == 0) {
        width = w, height = h, channels = (c == 1 || c == 2) ? 1 : 3;
      }
      require(w == width && h == height,
              "'" + f.string() + "' is " + std::to_string(w) + "x" + std::to_string(h) +
                  " but the first image is " + std::to_string(width) + "x" + std::to_string(height));
      unsigned char* px = stbi_load(f.c_str(), &w, &h, &c, channels);
      if (px == nullptr)
        throw Error("'" + f.string() + "' could not be decoded (" + failure_reason() + ")");
      // stb gives HWC; the dataset holds CHW.
      auto t = torch::from_blob(px, {h, w, channels}, torch::kUInt8).permute({2, 0, 1}).clone();
      stbi_image_free(px);
      images.push_back(t);
      labels.push_back(static_cast<int64_t>(k));
    }
  }
  d.num_classes = static_cast<int>(classes.size());
  d.images = torch::stack(images);
  d.labels = torch::tensor(labels, torch::kLong);
  return d;
}

DatasetPair load_image_folder_pair(const std::string& dir) {
  const std::string name = fs::path(dir).lexically_normal().filename().string();
  DatasetPair p;
  p.train = load_image_folder(dir + "/train", name + "/train");
  p.test = load_image_folder(dir + "/test", name + "/test");
  require(p.train.class_names == p.test.class_names,
          "image folder '" + dir + "': train/ and test/ have different class folders");
  require(p.train.images.sizes().slice(1) == p.test.images.sizes().slice(1),
          "image folder '" + dir + "': train/ and test/ images differ in size or channels");
  return p;
}

}  // namespace bitshift
