#include "data/idx.h"

#include <torch/torch.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "util/error.h"

namespace bitshift {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr uint32_t kLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

// gzread reads gzip and plain files alike.
class IdxReader {
 public:
  explicit IdxReader(const std::string& path) : path_(path) {
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr)
      throw Error("cannot open IDX file '" + path + "': " +
                  (errno != 0 ? std::strerror(errno) : "missing or unreadable"));
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
      if (r < 0) {
        int code = 0;
        const char* msg = gzerror(file_, &code);
        throw Error("IDX file '" + path_ + "': read error (" + (msg ? msg : "corrupt gzip stream") +
                    ")");
      }
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
    require(magic == expected, "IDX file '" + path_ + "' has magic number " + hex32(magic) +
                                   ", expected " + hex32(expected) + " (" + kind + ")");
  }

  // Checks before allocating that `n` more bytes are there, so a corrupt header cannot ask for
  // gigabytes: against the file's size, or for gzip against the uncompressed size its trailer
  // records (ISIZE, modulo 2^32).
  void expect_available(uint64_t n, const std::string& what) {
    if (!gzdirect(file_)) {
      const uint64_t pos = static_cast<uint64_t>(gztell(file_));
      uint32_t isize = 0;
      if (!gzip_isize(&isize)) return;
      const uint32_t expected = static_cast<uint32_t>((pos + n) & 0xFFFFFFFFu);
      require(expected == isize, "IDX file '" + path_ + "': its header declares " + std::to_string(n) +
                                     " bytes of " + what + " (" + std::to_string(pos + n) +
                                     " in all), but the gzip stream holds " + std::to_string(isize) +
                                     " bytes uncompressed (truncated, or a corrupt header)");
      return;
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(path_, ec);
    if (ec) return;
    const uint64_t pos = static_cast<uint64_t>(gztell(file_));
    const uint64_t left = size > pos ? size - pos : 0;
    require(left >= n, "IDX file '" + path_ + "' is truncated: expected " + std::to_string(n) +
                           " bytes of " + what + ", got " + std::to_string(left));
  }

 private:
  // The last 4 bytes of a gzip file: its uncompressed size modulo 2^32, little-endian.
  bool gzip_isize(uint32_t* isize) const {
    std::FILE* f = std::fopen(path_.c_str(), "rb");
    if (f == nullptr) return false;
    unsigned char b[4];
    const bool ok = std::fseek(f, -4, SEEK_END) == 0 && std::fread(b, 1, 4, f) == 4;
    std::fclose(f);
    if (ok) *isize = uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 24);
    return ok;
  }

  std::string path_;
  gzFile file_ = nullptr;
};

}  // namespace

Dataset load_idx(const std::string& images_path, const std::string& labels_path,
                 const std::string& name, int num_classes) {
  require(num_classes >= 1 && num_classes <= 256,
          "IDX labels are bytes: num_classes must be in [1, 256], got " +
              std::to_string(num_classes));
  IdxReader images(images_path);
  images.expect_magic(kImagesMagic, "uint8 images, 3 dimensions");
  const uint32_t n = images.read_u32("header"), rows = images.read_u32("header"),
                 cols = images.read_u32("header");
  require(n > 0 && rows > 0 && cols > 0,
          "IDX file '" + images_path + "' has a zero-sized dimension: " + std::to_string(n) +
              " images of " + std::to_string(rows) + " x " + std::to_string(cols) +
              " pixels (all must be > 0)");
  IdxReader labels(labels_path);
  labels.expect_magic(kLabelsMagic, "uint8 labels, 1 dimension");
  const uint32_t n_labels = labels.read_u32("header");
  require(n_labels == n, "IDX files disagree: '" + images_path + "' has " + std::to_string(n) +
                             " images but '" + labels_path + "' has " + std::to_string(n_labels) +
                             " labels");

  const uint64_t pixel_bytes = uint64_t{n} * rows * cols;
  images.expect_available(pixel_bytes, "pixel data");
  labels.expect_available(n, "labels");

  Dataset d;
  d.name = name;
  d.num_classes = num_classes;
  for (int k = 0; k < num_classes; ++k) d.class_names.push_back(std::to_string(k));
  // One bulk read straight into the tensor's storage.
  d.images = torch::empty({int64_t{n}, 1, int64_t{rows}, int64_t{cols}}, torch::kUInt8);
  images.read(d.images.data_ptr(), static_cast<size_t>(pixel_bytes), "pixel data");
  auto raw_labels = torch::empty({int64_t{n}}, torch::kUInt8);
  labels.read(raw_labels.data_ptr(), n, "labels");
  d.labels = raw_labels.to(torch::kLong);  // compare as int64: 256 does not fit a uint8
  const auto bad = (d.labels >= num_classes).nonzero();
  if (bad.numel() > 0) {
    const int64_t i = bad[0][0].item<int64_t>();
    throw Error("IDX file '" + labels_path + "': label " +
                std::to_string(d.labels[i].item<int64_t>()) + " at index " + std::to_string(i) +
                " is outside the allowed range [0, " + std::to_string(num_classes) + ")");
  }
  return d;
}

}  // namespace bitshift
