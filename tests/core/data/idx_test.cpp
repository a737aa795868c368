// IDX reading: exact pixels and labels, gzip and raw, and every bad-input message.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <zlib.h>

#include <functional>

#include "data/idx.h"
#include "data/registry.h"
#include "util/atomic_file.h"
#include "util/error.h"

using namespace bitshift;

namespace {

std::string tmp(const std::string& name) { return std::string(BITSHIFT_TEST_TMP) + "/" + name; }

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string images_file(uint32_t magic, uint32_t n, uint32_t rows, uint32_t cols, size_t pixels) {
  std::string s = be32(magic) + be32(n) + be32(rows) + be32(cols);
  for (size_t i = 0; i < pixels; ++i) s.push_back(static_cast<char>(i * 7 % 251));
  return s;
}

std::string labels_file(uint32_t magic, std::vector<uint8_t> labels) {
  std::string s = be32(magic) + be32(static_cast<uint32_t>(labels.size()));
  for (auto l : labels) s.push_back(static_cast<char>(l));
  return s;
}

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Idx, RawAndGzipReadTheExactPixelsAndLabels) {
  write_file_atomic(tmp("ok-images"), images_file(0x803, 3, 2, 5, 30));
  write_gz(tmp("ok-labels.gz"), labels_file(0x801, {4, 0, 9}));
  const Dataset d = load_idx(tmp("ok-images"), tmp("ok-labels.gz"), "t");
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{3, 1, 2, 5}));
  EXPECT_EQ(d.images[2][0][1][4].item<int>(), 29 * 7 % 251);  // pixel 29 = last of image 2
  EXPECT_TRUE(torch::equal(d.labels, torch::tensor({4, 0, 9}, torch::kLong)));
}

TEST(Idx, WrongMagicNumberIsNamedInHex) {
  write_file_atomic(tmp("bad-magic"), images_file(0x801, 1, 2, 2, 4));
  write_file_atomic(tmp("labels-1"), labels_file(0x801, {1}));
  const std::string msg = error_of([&] { load_idx(tmp("bad-magic"), tmp("labels-1"), "t"); });
  EXPECT_NE(msg.find("bad-magic"), std::string::npos) << msg;
  EXPECT_NE(msg.find("0x00000801"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected 0x00000803"), std::string::npos) << msg;
}

TEST(Idx, TruncatedPixelDataSaysHowManyBytes) {
  write_gz(tmp("short.gz"), images_file(0x803, 2, 3, 3, 10));  // 18 pixels announced
  write_file_atomic(tmp("labels-2"), labels_file(0x801, {1, 2}));
  const std::string msg = error_of([&] { load_idx(tmp("short.gz"), tmp("labels-2"), "t"); });
  EXPECT_NE(msg.find("short.gz"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected 18 bytes of pixel data, got 10"), std::string::npos) << msg;
}

TEST(Idx, ImageAndLabelCountMismatchNamesBothFiles) {
  write_file_atomic(tmp("three-images"), images_file(0x803, 3, 1, 1, 3));
  write_file_atomic(tmp("two-labels"), labels_file(0x801, {1, 2}));
  const std::string msg = error_of([&] { load_idx(tmp("three-images"), tmp("two-labels"), "t"); });
  EXPECT_NE(msg.find("3 images"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 labels"), std::string::npos) << msg;
}

TEST(Idx, LabelOutOfRangeGivesIndexAndValue) {
  write_file_atomic(tmp("two-images"), images_file(0x803, 2, 1, 1, 2));
  write_file_atomic(tmp("label-12"), labels_file(0x801, {3, 12}));
  const std::string msg = error_of([&] { load_idx(tmp("two-images"), tmp("label-12"), "t"); });
  EXPECT_NE(msg.find("label 12 at index 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[0, 10)"), std::string::npos) << msg;
}

TEST(Idx, MissingFileIsNamed) {
  const std::string msg = error_of([&] { load_idx(tmp("nope-images"), tmp("nope-labels"), "t"); });
  EXPECT_NE(msg.find("nope-images"), std::string::npos) << msg;
}

TEST(FashionMnist, LoadsSixtyAndTenThousandImagesWithKnownFirstLabel) {
  const DatasetPair d = open_dataset("fashion-mnist");
  EXPECT_EQ(d.train.size(), 60000);
  EXPECT_EQ(d.test.size(), 10000);
  EXPECT_EQ(d.train.images.sizes(), (std::vector<int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(d.train.labels[0].item<int64_t>(), 9);  // the first training image is an ankle boot
  EXPECT_EQ(d.train.class_names[9], "Ankle boot");
  EXPECT_EQ(d.train.labels.max().item<int64_t>(), 9);
  EXPECT_EQ(d.train.labels.min().item<int64_t>(), 0);
}

TEST(Registry, UnknownNameAndUnrecognisedFolderSayWhatWasExpected) {
  EXPECT_NE(error_of([] { open_dataset("imagenet-22k"); }).find("not a known name"),
            std::string::npos);
  EXPECT_NE(error_of([] { open_dataset(BITSHIFT_TEST_TMP); }).find("is not recognised"),
            std::string::npos);
}
