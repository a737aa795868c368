// Random-resized crops: the box drawn from pre-drawn uniforms (values worked out by hand from
// torchvision's algorithm), the crop-then-resize, and the batcher's reproducible crops.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "data/batcher.h"
#include "data/fit.h"
#include "data/resized_crop.h"
#include "test_files.h"

using namespace bitshift;
using namespace bitshift::test;

namespace {
std::vector<float> uniforms(float v0, float v1, float v2, float v3) {
  std::vector<float> u(kResizedCropUniforms, 0.0f);
  u[0] = v0, u[1] = v1, u[2] = v2, u[3] = v3;
  return u;
}
}  // namespace

TEST(ResizedCrop, BoxFromTheFirstTryThatFits) {
  // Scale 0.08 + 0.92*v0 = 0.5, aspect exp(0) = 1: a 71x71 box (round(sqrt(5000))) of a
  // 100x100 image; left = floor(0.999 * 30) = 29, top = 0.
  const auto u = uniforms(0.42f / 0.92f, 0.5f, 0.0f, 0.999f);
  const CropBox b = random_resized_crop_box(100, 100, u.data());
  EXPECT_EQ(b.height, 71);
  EXPECT_EQ(b.width, 71);
  EXPECT_EQ(b.top, 0);
  EXPECT_EQ(b.left, 29);
}

TEST(ResizedCrop, WideImageFallsBackToTheCentredBoxOfTheWidestAspect) {
  // 10x100: every try at full area is 10 rows too wide or too tall; the fallback keeps the
  // height (10) and the widest aspect 4/3: width round(13.33) = 13, centred at (100-13)/2 = 43.
  std::vector<float> u(kResizedCropUniforms, 0.999f);
  const CropBox b = random_resized_crop_box(10, 100, u.data());
  EXPECT_EQ(b.height, 10);
  EXPECT_EQ(b.width, 13);
  EXPECT_EQ(b.top, 0);
  EXPECT_EQ(b.left, 43);
}

TEST(ResizedCrop, BoxesStayInsideWithAreaAndAspectInRange) {
  auto gen = at::detail::createCPUGenerator(7);
  const auto u = torch::rand({500, kResizedCropUniforms}, gen).contiguous();
  for (int64_t i = 0; i < 500; ++i) {
    const int64_t H = 20 + i % 37, W = 15 + i % 53;
    const CropBox b = random_resized_crop_box(H, W, u.data_ptr<float>() + i * kResizedCropUniforms);
    ASSERT_GE(b.top, 0);
    ASSERT_GE(b.left, 0);
    ASSERT_LE(b.top + b.height, H);
    ASSERT_LE(b.left + b.width, W);
    const double area = static_cast<double>(b.height * b.width) / (H * W);
    // Rounding the sides to whole pixels moves the area and aspect a little past the range.
    EXPECT_GE(area, 0.08 * 0.75) << i;
    EXPECT_LE(area, 1.0) << i;
    const double aspect = static_cast<double>(b.width) / b.height;
    EXPECT_GE(aspect, 0.75 * 0.85) << i;
    EXPECT_LE(aspect, 4.0 / 3.0 / 0.85) << i;
  }
}

TEST(ResizedCrop, CropAtTheTargetSizeIsTakenPixelForPixel) {
  const auto image = torch::arange(3 * 5 * 6, torch::kLong).to(torch::kUInt8).view({3, 5, 6});
  const auto out = crop_and_fit(image, {1, 2, 3, 4}, 3, 3, 4);
  EXPECT_TRUE(torch::equal(out, image.slice(1, 1, 4).slice(2, 2, 6)));
}

TEST(ResizedCrop, GreyCropIsReplicatedAndUpscaledFlatStaysFlat) {
  auto image = torch::full({1, 8, 8}, 90, torch::kUInt8);
  image.slice(1, 0, 4).fill_(200);  // the top half differs; the crop takes the bottom half
  const auto out = crop_and_fit(image, {4, 0, 4, 8}, 3, 16, 16);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{3, 16, 16}));
  EXPECT_EQ(out.min().item<int>(), 90);
  EXPECT_EQ(out.max().item<int>(), 90);
}

TEST(Batcher, ResizedCropsAreReproducibleAndVaryByEpoch) {
  Dataset d;
  d.name = "ramp/train";
  d.num_classes = 2;
  // 6 images of 1x20x30, a horizontal ramp each: different crops give different pixels.
  d.images = (torch::arange(30, torch::kLong).view({1, 1, 1, 30}) * 8 +
              torch::arange(6, torch::kLong).view({6, 1, 1, 1}))
                 .expand({6, 1, 20, 30})
                 .to(torch::kUInt8)
                 .contiguous();
  d.labels = torch::tensor({0, 1, 0, 1, 0, 1}, torch::kLong);
  d.fit_c = 3, d.fit_h = 8, d.fit_w = 8;
  BatchConfig c;
  c.batch_size = 3;
  c.seed = 11;
  c.random_resized_crop = true;
  const Normalization identity{{0.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 1.0f}};
  Batcher a(d, identity, c), b(d, identity, c);
  const Batch x = a.get(1), y = b.get(1);
  ASSERT_EQ(x.x.sizes(), (std::vector<int64_t>{3, 3, 8, 8}));
  EXPECT_TRUE(torch::equal(x.x, y.x));
  a.start_epoch(1);
  EXPECT_FALSE(torch::equal(a.get(1).x, x.x));
  c.seed = 12;
  Batcher other(d, identity, c);
  EXPECT_FALSE(torch::equal(other.get(1).x, x.x));
}
