#include "data/image_folder.h"

#include <ATen/Parallel.h>
#include <stb_image.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <map>

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

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

struct Header {
  int w = 0, h = 0, c = 0;
};

// The most common size's shorter side, at most kMixedSizeSide.
int64_t mixed_size_side(const std::vector<Header>& headers) {
  std::map<std::pair<int, int>, int64_t> count;
  for (const auto& h : headers) ++count[{h.w, h.h}];
  auto most = std::max_element(count.begin(), count.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  return std::min<int64_t>(kMixedSizeSide, std::min(most->first.first, most->first.second));
}

}  // namespace

Dataset load_image_folder(const std::string& dir, const std::string& name,
                          const ImageFolderOptions& options) {
  require(fs::is_directory(dir), "image folder '" + dir + "' does not exist");
  const auto classes = sorted_entries(dir, true);
  require(!classes.empty(), "image folder '" + dir +
                                "' has no class sub-folders (expected one folder of images per "
                                "class, e.g. '" +
                                dir + "/cat/001.png')");
  Dataset d;
  d.name = name;
  d.photos = true;
  d.num_classes = static_cast<int>(classes.size());
  std::vector<std::string> files;
  std::vector<Header> headers;
  std::vector<int64_t> labels;
  bool colour = false;
  // Headers only (cheap): a file whose header stb cannot read is left out.
  for (size_t k = 0; k < classes.size(); ++k) {
    d.class_names.push_back(classes[k].filename().string());
    int64_t readable = 0;
    for (const auto& f : sorted_entries(classes[k], false)) {
      Header h;
      // Unreadable headers, and headers declaring more pixels than a photo has, are left out.
      if (stbi_info(f.c_str(), &h.w, &h.h, &h.c) != 1 || h.w <= 0 || h.h <= 0 ||
          int64_t{h.w} * h.h > kMaxImagePixels) {
        d.skipped.push_back(f.string());
        continue;
      }
      files.push_back(f.string());
      headers.push_back(h);
      labels.push_back(static_cast<int64_t>(k));
      colour = colour || h.c >= 3;
      ++readable;
    }
    require(readable > 0, "class folder '" + classes[k].string() + "' has no readable images" +
                              (d.skipped.empty() ? "" : " (left out: " + join(d.skipped) + ")"));
  }
  const int channels = colour ? 3 : 1;
  const auto n = static_cast<int64_t>(files.size());
  const bool one_size = std::all_of(headers.begin(), headers.end(), [&](const Header& h) {
    return h.w == headers[0].w && h.h == headers[0].h;
  });
  const int64_t H = headers[0].h, W = headers[0].w;

  // Large photos of one size are served at kMixedSizeSide a side, as mixed ones (a zoo model
  // built at a camera's 3x3024x4032 would not train); a model file fits them to its own input.
  const bool large = std::min(H, W) > kMixedSizeSide;
  if (!one_size || n * channels * H * W > options.in_memory_bytes) {
    d.files = std::make_shared<ImageFiles>(files, channels, options.cache_bytes);
    d.labels = torch::tensor(labels, torch::kLong);
    d.fit_c = channels;
    d.fit_h = one_size && !large ? H : one_size ? kMixedSizeSide : mixed_size_side(headers);
    d.fit_w = one_size && !large ? W : d.fit_h;
    return d;
  }

  // One size, small enough: decode everything now, several images at once.
  auto images = torch::empty({n, channels, H, W}, torch::kUInt8);
  std::vector<std::string> failed(static_cast<size_t>(n));
  at::parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      try {
        auto px = decode_image_file(files[i], channels);
        if (px.size(1) != H || px.size(2) != W) throw Error("changed size while loading");
        images[i].copy_(px);
      } catch (const Error&) {
        failed[i] = files[i];
      }
    }
  });
  std::vector<int64_t> kept;
  for (int64_t i = 0; i < n; ++i) {
    if (failed[i].empty())
      kept.push_back(i);
    else
      d.skipped.push_back(failed[i]);
  }
  auto label_tensor = torch::tensor(labels, torch::kLong);
  if (static_cast<int64_t>(kept.size()) < n) {
    const auto index = torch::tensor(kept, torch::kLong);
    images = images.index_select(0, index);
    label_tensor = label_tensor.index_select(0, index);
    for (int k = 0; k < d.num_classes; ++k)
      require(label_tensor.eq(k).any().item<bool>(),
              "class folder '" + classes[k].string() +
                  "' has no readable images (left out: " + join(d.skipped) + ")");
  }
  d.images = images;
  d.labels = label_tensor;
  if (large) d.fit_c = channels, d.fit_h = d.fit_w = kMixedSizeSide;
  return d;
}

std::string image_folder_test_dir(const std::string& dir) {
  for (const char* sub : {"/test", "/val"})
    if (fs::is_directory(dir + sub)) return dir + sub;
  return "";
}

DatasetPair load_image_folder_pair(const std::string& dir, const ImageFolderOptions& options) {
  require(fs::is_directory(dir), "image folder '" + dir + "' does not exist");
  const std::string test_dir = image_folder_test_dir(dir);
  require(fs::is_directory(dir + "/train") && !test_dir.empty(),
          "image folder '" + dir +
              "' needs 'train/' and 'test/' (or 'val/') sub-folders, each with one folder of "
              "images per class (e.g. '" +
              dir + "/train/cat/001.png' and '" + dir + "/test/cat/101.png')");
  auto path = fs::path(dir).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();  // "data/flowers/"
  const std::string name = path.filename().string();
  DatasetPair p;
  p.train = load_image_folder(dir + "/train", name + "/train", options);
  p.test =
      load_image_folder(test_dir, name + "/" + fs::path(test_dir).filename().string(), options);
  if (p.train.class_names != p.test.class_names)
    throw Error("image folder '" + dir + "': train/ and " + fs::path(test_dir).filename().string() +
                "/ have different class folders (train: " + join(p.train.class_names) + "; " +
                fs::path(test_dir).filename().string() + ": " + join(p.test.class_names) + ")");
  // Test images are served at the training set's shape (resized, centre-cropped) if theirs differs.
  if (p.test.channels() != p.train.channels() || p.test.height() != p.train.height() ||
      p.test.width() != p.train.width()) {
    p.test.fit_c = p.train.channels();
    p.test.fit_h = p.train.height();
    p.test.fit_w = p.train.width();
  }
  return p;
}

}  // namespace bitshift
