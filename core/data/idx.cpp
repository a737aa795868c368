#include "data/idx.h"

#include <torch/torch.h>
#include <zlib.h>

#include <cstdio>
#include <memory>

#include "util/error.h"

namespace bitshift {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr uint32_t kLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension

// gzread reads gzip and plain files alike.
class IdxReader {
 public:
  explicit IdxReader(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb")) {
    require(file_ != nullptr, "cannot open IDX file '" + path + "' (missing or unreadable)");
  }
  ~IdxReader() { gzclose(file_); }
  IdxReader(const IdxReader&) = delete;
  IdxReader& operator=(const IdxReader&) = delete;

  // Reads exactly n bytes or throws naming what was being read.
  void read(void* dst, size_t n, const std::string& what) {
    size_t got = 0;
    while (got < n) {
      const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - got, 1u << 30));
      const int r = gzread(file_, static_cast<char*>(dst) + got, chunk);
      if (r < 0) throw Error("IDX file '" + path_ + "': read error (corrupt gzip stream?)");
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    require(got == n, "IDX file '" + path_ + "' is truncated: expected " + std::to_string(n) +
                          " bytes of " + what + ", got " + std::to_string(got));
  }

  uint32_t read_u32(const std::string& what) {
    unsigned char b[4];
    read(b, 4, what);
    return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
  }

  void expect_magic(uint32_t expected, const std::string& kind) {
    const uint32_t magic = read_u32("header");
    if (magic != expected) {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "IDX file '%s' has magic number 0x%08X, expected 0x%08X (%s)", path_.c_str(),
                    magic, expected, kind.c_str());
      throw Error(buf);
    }
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  gzFile file_;
};

}  // namespace

Dataset load_idx(const std::string& images_path, const std::string& labels_path,
                 const std::string& name, int num_classes) {
  IdxReader images(images_path);
  images.expect_magic(kImagesMagic, "uint8 images, 3 dimensions");
  const uint32_t n = images.read_u32("header"), rows = images.read_u32("header"),
                 cols = images.read_u32("header");
  require(n > 0 && rows > 0 && cols > 0,
          "IDX file '" + images_path + "' declares an empty image set (" + std::to_string(n) +
              " x " + std::to_string(rows) + " x " + std::to_string(cols) + ")");
  IdxReader labels(labels_path);
  labels.expect_magic(kLabelsMagic, "uint8 labels, 1 dimension");
  const uint32_t n_labels = labels.read_u32("header");
  require(n_labels == n, "IDX files disagree: '" + images_path + "' has " + std::to_string(n) +
                             " images but '" + labels_path + "' has " + std::to_string(n_labels) +
                             " labels");

  Dataset d;
  d.name = name;
  d.num_classes = num_classes;
  for (int k = 0; k < num_classes; ++k) d.class_names.push_back(std::to_string(k));
  d.images = torch::empty({n, 1, rows, cols}, torch::kUInt8);
  images.read(d.images.data_ptr(), static_cast<size_t>(d.images.numel()), "pixel data");
  auto raw_labels = torch::empty({n}, torch::kUInt8);
  labels.read(raw_labels.data_ptr(), n, "labels");
  const uint8_t* l = raw_labels.data_ptr<uint8_t>();
  for (uint32_t i = 0; i < n; ++i)
    if (l[i] >= num_classes)  // not require(): no message is built for the 60,000 good labels
      throw Error("IDX file '" + labels_path + "': label " + std::to_string(l[i]) + " at index " +
                  std::to_string(i) + " is outside [0, " + std::to_string(num_classes) + ")");
  d.labels = raw_labels.to(torch::kLong);
  return d;
}

}  // namespace bitshift
