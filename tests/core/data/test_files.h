#pragma once
// Helpers for the data tests: small IDX, CIFAR-10, BMP and PNG files written on the fly, and
// checking an Error's message.
#include <gtest/gtest.h>
#include <stb/stb_image_write.h>  // implementation in libstb, linked through bitshift_core
#include <zlib.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "data/registry.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "../test_util.h"  // error_of, EXPECT_CONTAINS

namespace bitshift::test {

namespace fs = std::filesystem;
using bitshift::testing::error_of;

inline std::string tmp(const std::string& name) {
  return std::string(BITSHIFT_TEST_TMP) + "/data/" + name;
}

// An empty folder tmp(name), created afresh.
inline std::string fresh_dir(const std::string& name) {
  const std::string d = tmp(name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline void write(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  write_file_atomic(path, bytes);
}

inline void write_gz(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

// The message of the bitshift::Error thrown by fn ("" if none was thrown).


inline std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// Pixel i of an IDX test file (all images concatenated).
inline uint8_t idx_pixel(size_t i) { return static_cast<uint8_t>(i * 7 % 251); }

inline std::string idx_images(uint32_t magic, uint32_t n, uint32_t rows, uint32_t cols,
                              size_t pixels) {
  std::string s = be32(magic) + be32(n) + be32(rows) + be32(cols);
  for (size_t i = 0; i < pixels; ++i) s.push_back(static_cast<char>(idx_pixel(i)));
  return s;
}

inline std::string idx_labels(uint32_t magic, const std::vector<uint8_t>& labels) {
  std::string s = be32(magic) + be32(static_cast<uint32_t>(labels.size()));
  for (auto l : labels) s.push_back(static_cast<char>(l));
  return s;
}

// One CIFAR-10 record: label, then 3x32x32 pixels where channel c, row y, column x holds
// (c * 50 + y * 3 + x + seed) % 256.
inline std::string cifar_record(uint8_t label, int seed = 0) {
  std::string r(3073, '\0');
  r[0] = static_cast<char>(label);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x)
        r[1 + c * 1024 + y * 32 + x] = static_cast<char>((c * 50 + y * 3 + x + seed) % 256);
  return r;
}

// A 24-bit BMP of w x h pixels, all of colour (r, g, b); BMP rows are bottom-up, BGR, padded.
inline std::string bmp(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  const int row = (3 * w + 3) / 4 * 4, size = 54 + row * h;
  std::string s(size, '\0');
  auto put32 = [&](int at, uint32_t v) {
    for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (8 * i));
  };
  s[0] = 'B', s[1] = 'M';
  put32(2, size), put32(10, 54), put32(14, 40), put32(18, w), put32(22, h);
  s[26] = 1, s[28] = 24;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      s[54 + y * row + 3 * x] = static_cast<char>(b);
      s[54 + y * row + 3 * x + 1] = static_cast<char>(g);
      s[54 + y * row + 3 * x + 2] = static_cast<char>(r);
    }
  return s;
}

// A PNG with `comp` channels (1 grey, 3 RGB) of w x h pixels, interleaved HWC.
inline void write_png(const std::string& path, int w, int h, int comp,
                      const std::vector<uint8_t>& hwc) {
  fs::create_directories(fs::path(path).parent_path());
  ASSERT_EQ(hwc.size(), static_cast<size_t>(w * h * comp));
  ASSERT_NE(stbi_write_png(path.c_str(), w, h, comp, hwc.data(), w * comp), 0) << path;
}

// The real Fashion-MNIST, opened once per test binary.
inline const DatasetPair& fashion_mnist() {
  static const DatasetPair d = open_dataset("fashion-mnist");
  return d;
}

}  // namespace bitshift::test
