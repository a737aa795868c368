// Fitting data to a model's input: resize + centre crop, channel replication and luminance,
// pass-through at the model's shape, and batches that come out fitted.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "../test_util.h"
#include "data/batcher.h"
#include "data/fit.h"

using namespace bitshift;
using bitshift::testing::error_of;

namespace {

torch::Tensor ramp(int64_t c, int64_t h, int64_t w) {  // distinct pixel values 0..c*h*w-1
  return torch::arange(c * h * w, torch::kLong).remainder(256).to(torch::kUInt8).view({1, c, h, w});
}

}  // namespace

TEST(Fit, ImagesAtTheModelShapePassThroughPixelForPixel) {
  const auto x = ramp(3, 5, 7);
  EXPECT_TRUE(torch::equal(fit_images(x, 3, 5, 7), x));
}

TEST(Fit, GreyImagesAreReplicatedToThreeChannels) {
  const auto x = ramp(1, 4, 4);
  const auto y = fit_images(x, 3, 4, 4);
  ASSERT_EQ(y.sizes(), torch::IntArrayRef({1, 3, 4, 4}));
  for (int64_t c = 0; c < 3; ++c) EXPECT_TRUE(torch::equal(y.select(1, c), x.select(1, 0)));
}

TEST(Fit, ColourTurnsToBt601Luminance) {
  auto x = torch::zeros({1, 3, 1, 3}, torch::kUInt8);
  x[0][0][0][0] = 255;  // pure red:   0.299 * 255 = 76.245 -> 76
  x[0][1][0][1] = 255;  // pure green: 0.587 * 255 = 149.685 -> 150
  x[0][2][0][2] = 200;  // blue 200:   0.114 * 200 = 22.8 -> 23
  const auto y = fit_images(x, 1, 1, 3);
  ASSERT_EQ(y.sizes(), torch::IntArrayRef({1, 1, 1, 3}));
  EXPECT_EQ(y[0][0][0][0].item<int>(), 76);
  EXPECT_EQ(y[0][0][0][1].item<int>(), 150);
  EXPECT_EQ(y[0][0][0][2].item<int>(), 23);
}

TEST(Fit, WideImageIsCentreCroppedWithoutResizingWhenHeightFits) {
  // 4x6 to 4x4: the shorter side already fits (scale 1), so columns 1..4 are taken as they are.
  const auto x = ramp(1, 4, 6);
  const auto y = fit_images(x, 1, 4, 4);
  EXPECT_TRUE(torch::equal(y, x.slice(3, 1, 5)));
}

TEST(Fit, UpscaledUniformImageStaysUniformAtTheModelSize) {
  const auto x = torch::full({2, 1, 7, 5}, 137, torch::kUInt8);
  const auto y = fit_images(x, 3, 16, 16);  // 5 -> 16 wide: scale 3.2, 7 -> 22 tall, crop 16
  ASSERT_EQ(y.sizes(), torch::IntArrayRef({2, 3, 16, 16}));
  EXPECT_TRUE((y == 137).all().item<bool>());
}

TEST(Fit, DownscaledCheckerboardAveragesToGrey) {
  // A 1-pixel checkerboard of 0/255 shrunk 4x with antialiasing: every pixel near 127.5.
  auto x = (torch::arange(16).view({16, 1}) + torch::arange(16).view({1, 16})).remainder(2);
  x = (x * 255).to(torch::kUInt8).view({1, 1, 16, 16});
  const auto y = fit_images(x, 1, 4, 4).to(torch::kInt);
  EXPECT_LE((y - 128).abs().max().item<int>(), 2) << y;
}

TEST(Fit, TwoChannelImagesAreRefusedNamingTheCounts) {
  const std::string msg = error_of([] { fit_images(ramp(2, 4, 4), 3, 4, 4); });
  EXPECT_NE(msg.find("2-channel images to a 3-channel model"), std::string::npos) << msg;
}

TEST(Fit, FittedDatasetBatchesComeOutAtTheModelShapeWithItsNormalisation) {
  DatasetPair data;
  data.train.name = "tiny/train";
  data.train.images = torch::full({6, 1, 5, 5}, 51, torch::kUInt8);  // 51/255 = 0.2 everywhere
  data.train.images.slice(0, 3, 6).fill_(153);                       // 0.6 on half the images
  data.train.labels = torch::arange(6, torch::kLong);
  data.train.num_classes = 6;
  data.test = data.train;
  data.normalization = measure_normalization(data.train);
  std::string note;
  const DatasetPair fitted = fit_dataset(data, 3, 10, 10, &note);
  EXPECT_EQ(fitted.train.channels(), 3);
  EXPECT_EQ(fitted.test.height(), 10);
  EXPECT_EQ(fitted.train.images.data_ptr(), data.train.images.data_ptr());  // shared, not copied
  ASSERT_EQ(fitted.normalization.mean.size(), 3u);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(fitted.normalization.mean[c], 0.4, 1e-6);  // (0.2 + 0.6) / 2
    EXPECT_NEAR(fitted.normalization.std[c], 0.2, 1e-6);
  }
  EXPECT_NE(note.find("tiny 1x5x5 fitted to the model's 3x10x10"), std::string::npos) << note;
  EXPECT_NE(note.find("grey replicated to 3 channels"), std::string::npos) << note;
  BatchConfig bc;
  bc.batch_size = 4;
  bc.shuffle = false;
  Batcher b(fitted.train, fitted.normalization, bc);
  const Batch batch = b.get(0);
  ASSERT_EQ(batch.x.sizes(), torch::IntArrayRef({4, 3, 10, 10}));
  EXPECT_NEAR(batch.x[0][2][9][9].item<float>(), (0.2f - 0.4f) / 0.2f, 1e-5);
}
