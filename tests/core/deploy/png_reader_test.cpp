// The host program's PNG reader against files written by outside encoders (Pillow, and a
// hand-made encoder over Python's zlib using each row filter: make_png_fixtures.py), pixel for
// pixel; damaged and unsupported files are refused with the file's name and the reason.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "../test_util.h"
#include "bundle_test_util.h"
#include "deploy/host/png_reader.h"

namespace bitshift {
namespace {

using namespace bitshift::testing;

// The fixtures, made once per test process.
const std::string& fixtures() {
  static const std::string dir = [] {
    const std::string d = fresh_dir("png-fixtures");
    const std::string script = std::string(BITSHIFT_TEST_SOURCES) + "/core/deploy/make_png_fixtures.py";
    if (std::system(("/usr/bin/python3 " + script + " " + d).c_str()) != 0)
      throw std::runtime_error("make_png_fixtures.py failed (python3-pil is needed)");
    return d;
  }();
  return dir;
}

std::string error_of_png(const std::string& bytes, const std::string& path = "x.png") {
  try {
    decode_png(bytes, path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(PngReader, EveryColourTypeAndCompressionGivesTheEncodersPixels) {
  const std::vector<std::pair<std::string, int>> files = {
      {"pillow_L_0", 1},   {"pillow_L_1", 1},    {"pillow_L_9", 1},    {"pillow_LA_0", 1},
      {"pillow_LA_9", 1},  {"pillow_RGB_0", 3},  {"pillow_RGB_1", 3},  {"pillow_RGB_9", 3},
      {"pillow_RGBA_1", 3}, {"pillow_RGBA_9", 3}, {"pillow_P_0", 3},    {"pillow_P_9", 3},
      {"smooth_6", 3},     {"smooth_9", 3},      {"tiny_fixed", 1},    {"filters_grey", 1},
      {"filters_rgb", 3}};
  for (const auto& [name, channels] : files) {
    SCOPED_TRACE(name);
    const std::string path = fixtures() + "/" + name + ".png";
    const PixelImage im = decode_png(slurp(path), path);
    EXPECT_EQ(im.channels, channels);
    const std::string expected = slurp(fixtures() + "/" + name + ".bin");
    ASSERT_EQ(static_cast<size_t>(im.width * im.height * im.channels), expected.size());
    EXPECT_TRUE(im.pixels == expected);
  }
}

TEST(PngReader, UnsupportedAndDamagedFilesAreRefusedNamingTheFileAndTheReason) {
  const std::string dir = fixtures();
  EXPECT_CONTAINS(error_of_png(slurp(dir + "/interlaced.png"), "i.png"),
                  "i.png: an interlaced (Adam7) PNG; save it without interlacing");
  EXPECT_CONTAINS(error_of_png(slurp(dir + "/sixteen_bit.png")), "bit depth 16, expected 8");
  const std::string good = slurp(dir + "/smooth_9.png");
  EXPECT_CONTAINS(error_of_png(good.substr(0, good.size() - 20)), "truncated");
  std::string flipped = good;
  flipped[40] = static_cast<char>(flipped[40] ^ 0x10);  // inside IDAT
  EXPECT_CONTAINS(error_of_png(flipped), "fails its CRC check");
  EXPECT_CONTAINS(error_of_png("GIF89a..."), "not a PNG file");
}

// Damaged files that still pass the CRCs (a corrupted encoder): decoding never crashes, reads
// out of bounds or grows beyond the header's size; it returns pixels or says what is wrong.
TEST(PngReader, CorruptedCompressedDataWithValidCrcsFailsCleanly) {
  const std::string good = slurp(fixtures() + "/smooth_9.png");
  // Locate IDAT (one chunk in Pillow's output) to corrupt its data and refresh its CRC.
  const size_t idat = good.find("IDAT") - 4;
  ASSERT_NE(idat, std::string::npos);
  const auto be32 = [&](const std::string& b, size_t at) {
    return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
           (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
  };
  const uint32_t len = be32(good, idat);
  std::mt19937 rng(3);
  int refused = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string bad = good;
    for (int k = 0; k < 1 + trial % 4; ++k) {
      const size_t at = idat + 8 + rng() % len;
      bad[at] = static_cast<char>(bad[at] ^ (1 << (rng() % 8)));
    }
    // Recompute the chunk's CRC so the damage reaches inflate.
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = idat + 4; i < idat + 8 + len; ++i) {
      c ^= uint8_t(bad[i]);
      for (int b = 0; b < 8; ++b) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    c ^= 0xFFFFFFFFu;
    for (int b = 0; b < 4; ++b) bad[idat + 8 + len + b] = static_cast<char>(c >> (24 - 8 * b));
    const std::string e = error_of_png(bad);
    refused += !e.empty();
    if (!e.empty()) EXPECT_EQ(e.rfind("x.png: ", 0), 0u) << e;
  }
  EXPECT_GE(refused, 250);  // the Adler-32 catches almost every change inflate survives
}

}  // namespace
}  // namespace bitshift
