#include "data/image_folder.h"

#include <stb_image.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>

#include "util/error.h"

namespace bitshift {

namespace fs = std::filesystem;

namespace {

bool hidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

// Sub-folders or regular files of `dir`, hidden ones skipped, sorted by name.
std::vector<fs::path> sorted_entries(const fs::path& dir, bool directories) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (hidden(e.path())) continue;
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

std::string size_text(int w, int h) { return std::to_string(w) + "x" + std::to_string(h); }

struct StbFree {
  void operator()(unsigned char* p) const { stbi_image_free(p); }
};

}  // namespace

Dataset load_image_folder(const std::string& dir, const std::string& name) {
  require(fs::is_directory(dir), "image folder '" + dir + "' does not exist");
  const auto classes = sorted_entries(dir, true);
  require(!classes.empty(), "image folder '" + dir +
                                "' has no class sub-folders (expected one folder of images per "
                                "class, e.g. '" + dir + "/cat/001.png')");
  Dataset d;
  d.name = name;
  d.num_classes = static_cast<int>(classes.size());
  std::vector<fs::path> files;
  std::vector<int64_t> labels;
  for (size_t k = 0; k < classes.size(); ++k) {
    d.class_names.push_back(classes[k].filename().string());
    const auto in_class = sorted_entries(classes[k], false);
    require(!in_class.empty(), "class folder '" + classes[k].string() + "' has no images");
    files.insert(files.end(), in_class.begin(), in_class.end());
    labels.insert(labels.end(), in_class.size(), static_cast<int64_t>(k));
  }

  // Headers first (cheap): every file must be an image of the first one's size; the set is
  // grey (C=1) only if every image is grey, otherwise all are decoded to C=3.
  int width = 0, height = 0;
  bool colour = false;
  for (size_t i = 0; i < files.size(); ++i) {
    int w = 0, h = 0, c = 0;
    if (stbi_info(files[i].c_str(), &w, &h, &c) != 1)
      throw Error("'" + files[i].string() + "' is not a decodable image (" + failure_reason() +
                  ")");
    if (i == 0) width = w, height = h;
    require(w == width && h == height, "'" + files[i].string() + "' is " + size_text(w, h) +
                                           " but the first image ('" + files[0].string() +
                                           "') is " + size_text(width, height));
    colour = colour || c >= 3;
  }
  const int channels = colour ? 3 : 1;
  const auto n = static_cast<int64_t>(files.size());
  d.images = torch::empty({n, channels, height, width}, torch::kUInt8);
  for (int64_t i = 0; i < n; ++i) {
    int w = 0, h = 0, c = 0;
    std::unique_ptr<unsigned char, StbFree> px(stbi_load(files[i].c_str(), &w, &h, &c, channels));
    if (!px)
      throw Error("'" + files[i].string() + "' could not be decoded (" + failure_reason() + ")");
    require(w == width && h == height, "'" + files[i].string() + "' changed size while loading");
    // stb gives H, W, C; the dataset holds C, H, W.
    d.images[i].copy_(
        torch::from_blob(px.get(), {height, width, channels}, torch::kUInt8).permute({2, 0, 1}));
  }
  d.labels = torch::tensor(labels, torch::kLong);
  return d;
}

DatasetPair load_image_folder_pair(const std::string& dir) {
  require(fs::is_directory(dir), "image folder '" + dir + "' does not exist");
  require(fs::is_directory(dir + "/train") && fs::is_directory(dir + "/test"),
          "image folder '" + dir +
              "' needs 'train/' and 'test/' sub-folders, each with one folder of images per "
              "class (e.g. '" + dir + "/train/cat/001.png' and '" + dir + "/test/cat/101.png')");
  auto path = fs::path(dir).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();  // "data/flowers/"
  const std::string name = path.filename().string();
  DatasetPair p;
  p.train = load_image_folder(dir + "/train", name + "/train");
  p.test = load_image_folder(dir + "/test", name + "/test");
  if (p.train.class_names != p.test.class_names) {
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    throw Error("image folder '" + dir + "': train/ and test/ have different class folders (train: " +
                join(p.train.class_names) + "; test: " + join(p.test.class_names) + ")");
  }
  require(p.train.images.sizes().slice(1) == p.test.images.sizes().slice(1),
          "image folder '" + dir + "': train/ images are " +
              c10::str(p.train.images.sizes().slice(1)) + " (C, H, W) but test/ images are " +
              c10::str(p.test.images.sizes().slice(1)));
  return p;
}

}  // namespace bitshift
