// The batcher: reproducible shuffles, full coverage, normalisation and augmentation.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/batcher.h"
#include "data/registry.h"

using namespace bitshift;

namespace {
Dataset tiny() {
  Dataset d;
  d.name = "tiny/train";
  d.num_classes = 10;
  d.images = torch::arange(10 * 1 * 4 * 4, torch::kLong).remainder(256).to(torch::kUInt8).view({10, 1, 4, 4});
  d.labels = torch::arange(10, torch::kLong);
  return d;
}
const Normalization kIdentity{{0.0f}, {1.0f}};
}  // namespace

TEST(Batcher, SameSeedSameOrderAndEveryEpochSeesEachSampleOnce) {
  BatchConfig c;
  c.batch_size = 3;
  c.seed = 5;
  Batcher a(tiny(), kIdentity, c), b(tiny(), kIdentity, c);
  a.start_epoch(1);
  b.start_epoch(1);
  std::vector<int64_t> seen;
  for (int64_t i = 0; i < a.num_batches(); ++i) {
    EXPECT_TRUE(torch::equal(a.get(i).y, b.get(i).y));
    for (int64_t k = 0; k < a.get(i).y.size(0); ++k) seen.push_back(a.get(i).y[k].item<int64_t>());
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  b.start_epoch(2);
  EXPECT_FALSE(torch::equal(torch::cat({a.get(0).y, a.get(1).y}), torch::cat({b.get(0).y, b.get(1).y})));
}

TEST(Batcher, NormalisedFashionMnistHasZeroMeanUnitStd) {
  const DatasetPair d = open_dataset("fashion-mnist");
  BatchConfig c;
  c.batch_size = 60000;
  c.shuffle = false;
  Batcher b(d.train, d.normalization, c);
  const auto x = b.get(0).x;
  constexpr double kTol = 1e-3;
  EXPECT_NEAR(x.mean().item<double>(), 0.0, kTol);
  EXPECT_NEAR(x.std().item<double>(), 1.0, kTol);
}

TEST(Batcher, FlipMirrorsExactlyTheFlippedSamples) {
  BatchConfig c;
  c.batch_size = 10;
  c.shuffle = false;
  c.horizontal_flip = true;
  c.seed = 3;
  Batcher b(tiny(), kIdentity, c);
  const auto x = b.get(0).x * 255.0;
  const auto orig = tiny().images.to(torch::kFloat);
  int flipped = 0;
  for (int i = 0; i < 10; ++i) {
    const bool same = torch::allclose(x[i], orig[i], 0, 1e-3);
    const bool mirrored = torch::allclose(x[i], orig[i].flip({2}), 0, 1e-3);
    EXPECT_TRUE(same || mirrored) << i;
    flipped += mirrored ? 1 : 0;
  }
  EXPECT_GT(flipped, 0);
  EXPECT_LT(flipped, 10);
}

TEST(Batcher, CropWithPaddingIsAShiftedCopyPaddedWithZeros) {
  BatchConfig c;
  c.batch_size = 10;
  c.shuffle = false;
  c.crop_padding = 1;
  Batcher b(tiny(), kIdentity, c);
  const auto x = b.get(0).x * 255.0;
  const auto padded = torch::constant_pad_nd(tiny().images.to(torch::kFloat), {1, 1, 1, 1}, 0);
  for (int i = 0; i < 10; ++i) {
    bool matched = false;
    for (int dy = 0; dy <= 2; ++dy)
      for (int dx = 0; dx <= 2; ++dx)
        matched |= torch::allclose(x[i], padded[i].slice(1, dy, dy + 4).slice(2, dx, dx + 4), 0, 1e-3);
    EXPECT_TRUE(matched) << i;
  }
}
