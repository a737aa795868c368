// IDX reading (MNIST format): exact pixels and labels from gzip and raw files, and every
// bad-input message naming the file and what was wrong.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/idx.h"
#include "test_files.h"

using namespace bitshift;
using namespace bitshift::test;

TEST(Idx, GzipAndRawFilesReadTheExactPixelsAndLabels) {
  const std::string images = idx_images(0x803, 3, 2, 5, 30);
  const std::string labels = idx_labels(0x801, {4, 0, 9});
  write(tmp("idx/ok-images"), images);
  write_gz(tmp("idx/ok-images.gz"), images);
  write(tmp("idx/ok-labels"), labels);
  write_gz(tmp("idx/ok-labels.gz"), labels);
  std::vector<uint8_t> expected(30);
  for (size_t i = 0; i < 30; ++i) expected[i] = idx_pixel(i);
  const auto expected_images = torch::tensor(expected).view({3, 1, 2, 5});
  for (const char* img : {"ok-images", "ok-images.gz"})
    for (const char* lab : {"ok-labels", "ok-labels.gz"}) {
      SCOPED_TRACE(std::string(img) + " + " + lab);
      const Dataset d = load_idx(tmp(std::string("idx/") + img), tmp(std::string("idx/") + lab), "t");
      EXPECT_EQ(d.name, "t");
      EXPECT_EQ(d.images.scalar_type(), torch::kUInt8);
      EXPECT_EQ(d.labels.scalar_type(), torch::kLong);
      ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{3, 1, 2, 5}));
      EXPECT_TRUE(torch::equal(d.images, expected_images));
      EXPECT_TRUE(torch::equal(d.labels, torch::tensor({4, 0, 9}, torch::kLong)));
      EXPECT_EQ(d.num_classes, 10);
      EXPECT_EQ(d.class_names.size(), 10u);
    }
}

TEST(Idx, WrongImageMagicNumberIsShownInHexWithTheExpectedOne) {
  write(tmp("idx/bad-magic"), idx_images(0x801, 1, 2, 2, 4));
  write(tmp("idx/labels-1"), idx_labels(0x801, {1}));
  const std::string msg = error_of([] { load_idx(tmp("idx/bad-magic"), tmp("idx/labels-1"), "t"); });
  EXPECT_CONTAINS(msg, "bad-magic");
  EXPECT_CONTAINS(msg, "magic number 0x00000801, expected 0x00000803");
}

TEST(Idx, LabelFileWithImageMagicNumberIsRejected) {
  write(tmp("idx/one-image"), idx_images(0x803, 1, 2, 2, 4));
  write(tmp("idx/labels-as-images"), idx_images(0x803, 1, 2, 2, 4));
  const std::string msg =
      error_of([] { load_idx(tmp("idx/one-image"), tmp("idx/labels-as-images"), "t"); });
  EXPECT_CONTAINS(msg, "labels-as-images");
  EXPECT_CONTAINS(msg, "magic number 0x00000803, expected 0x00000801");
}

TEST(Idx, TruncatedGzipPixelDataSaysHowManyBytes) {
  write_gz(tmp("idx/short.gz"), idx_images(0x803, 2, 3, 3, 10));  // 18 pixels announced
  write(tmp("idx/labels-2"), idx_labels(0x801, {1, 2}));
  const std::string msg = error_of([] { load_idx(tmp("idx/short.gz"), tmp("idx/labels-2"), "t"); });
  EXPECT_CONTAINS(msg, "short.gz");
  // Refused from the gzip trailer before reading (16 header bytes + 18 declared vs 26 there).
  EXPECT_CONTAINS(msg, "declares 18 bytes of pixel data (34 in all), but the gzip stream holds 26 bytes");
}

TEST(Idx, AGzipFileDeclaringGigabytesIsRefusedBeforeAllocating) {
  // A few bytes of gzip whose header asks for 60,000 images of 4096x4096 (~1 TB).
  write_gz(tmp("idx/bomb.gz"), idx_images(0x803, 60000, 4096, 4096, 100));
  write(tmp("idx/labels-60000"), idx_labels(0x801, std::vector<uint8_t>(60000, 1)));
  const std::string msg = error_of([] { load_idx(tmp("idx/bomb.gz"), tmp("idx/labels-60000"), "t"); });
  EXPECT_CONTAINS(msg, "bomb.gz': its header declares 1006632960000 bytes of pixel data");
}

TEST(Idx, TruncatedRawPixelDataSaysHowManyBytes) {
  write(tmp("idx/short-raw"), idx_images(0x803, 2, 3, 3, 17));
  write(tmp("idx/labels-2"), idx_labels(0x801, {1, 2}));
  const std::string msg = error_of([] { load_idx(tmp("idx/short-raw"), tmp("idx/labels-2"), "t"); });
  EXPECT_CONTAINS(msg, "short-raw");
  EXPECT_CONTAINS(msg, "expected 18 bytes of pixel data, got 17");
}

TEST(Idx, TruncatedLabelsSayHowManyBytes) {
  write(tmp("idx/two-images"), idx_images(0x803, 2, 1, 1, 2));
  write(tmp("idx/one-of-two-labels"), idx_labels(0x801, {1, 2}).substr(0, 9));
  const std::string msg =
      error_of([] { load_idx(tmp("idx/two-images"), tmp("idx/one-of-two-labels"), "t"); });
  EXPECT_CONTAINS(msg, "one-of-two-labels");
  EXPECT_CONTAINS(msg, "expected 2 bytes of labels, got 1");
}

TEST(Idx, ImageAndLabelCountMismatchNamesBothFilesAndCounts) {
  write(tmp("idx/three-images"), idx_images(0x803, 3, 1, 1, 3));
  write(tmp("idx/two-labels"), idx_labels(0x801, {1, 2}));
  const std::string msg =
      error_of([] { load_idx(tmp("idx/three-images"), tmp("idx/two-labels"), "t"); });
  EXPECT_CONTAINS(msg, "three-images' has 3 images");
  EXPECT_CONTAINS(msg, "two-labels' has 2 labels");
}

TEST(Idx, LabelOutOfRangeGivesFileIndexValueAndAllowedRange) {
  write(tmp("idx/two-images"), idx_images(0x803, 2, 1, 1, 2));
  write(tmp("idx/label-12"), idx_labels(0x801, {3, 12}));
  const std::string msg = error_of([] { load_idx(tmp("idx/two-images"), tmp("idx/label-12"), "t"); });
  EXPECT_CONTAINS(msg, "label-12");
  EXPECT_CONTAINS(msg, "label 12 at index 1");
  EXPECT_CONTAINS(msg, "[0, 10)");
}

TEST(Idx, NumClassesSetsTheAllowedLabelRange) {
  write(tmp("idx/two-images"), idx_images(0x803, 2, 1, 1, 2));
  write(tmp("idx/labels-3-7"), idx_labels(0x801, {3, 7}));
  EXPECT_CONTAINS(error_of([] { load_idx(tmp("idx/two-images"), tmp("idx/labels-3-7"), "t", 5); }),
                  "label 7 at index 1 is outside the allowed range [0, 5)");
  write(tmp("idx/labels-255"), idx_labels(0x801, {255, 0}));
  const Dataset d = load_idx(tmp("idx/two-images"), tmp("idx/labels-255"), "t", 256);
  EXPECT_EQ(d.labels[0].item<int64_t>(), 255);
  EXPECT_EQ(d.num_classes, 256);
}

TEST(Idx, ZeroSizedDimensionIsRejected) {
  write(tmp("idx/zero-rows"), idx_images(0x803, 2, 0, 3, 0));
  write(tmp("idx/labels-2"), idx_labels(0x801, {1, 2}));
  const std::string msg = error_of([] { load_idx(tmp("idx/zero-rows"), tmp("idx/labels-2"), "t"); });
  EXPECT_CONTAINS(msg, "zero-rows");
  EXPECT_CONTAINS(msg, "2 images of 0 x 3 pixels");
}

TEST(Idx, MissingImageFileIsNamed) {
  write(tmp("idx/labels-1"), idx_labels(0x801, {1}));
  const std::string msg = error_of([] { load_idx(tmp("idx/nope-images"), tmp("idx/labels-1"), "t"); });
  EXPECT_CONTAINS(msg, "cannot open IDX file '" + tmp("idx/nope-images") + "'");
}

TEST(Idx, MissingLabelFileIsNamed) {
  write(tmp("idx/one-image"), idx_images(0x803, 1, 2, 2, 4));
  const std::string msg = error_of([] { load_idx(tmp("idx/one-image"), tmp("idx/nope-labels"), "t"); });
  EXPECT_CONTAINS(msg, "cannot open IDX file '" + tmp("idx/nope-labels") + "'");
}
