// The batcher: reproducible shuffles, full coverage, normalisation and augmentation.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

#include "data/batcher.h"
#include "test_files.h"

using namespace bitshift;
using namespace bitshift::test;

namespace {
// n images of 1x4x4 with distinct, asymmetric contents; label i for image i.
Dataset tiny(int64_t n = 10) {
  Dataset d;
  d.name = "tiny/train";
  d.num_classes = static_cast<int>(n);
  d.images = torch::arange(n * 16, torch::kLong).remainder(251).add(1).to(torch::kUInt8).view({n, 1, 4, 4});
  d.labels = torch::arange(n, torch::kLong);
  return d;
}
const Normalization kIdentity{{0.0f}, {1.0f}};  // x' = x / 255

std::vector<int64_t> epoch_labels(const Batcher& b) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < b.num_batches(); ++i) {
    const auto y = b.get(i).y;
    out.insert(out.end(), y.data_ptr<int64_t>(), y.data_ptr<int64_t>() + y.numel());
  }
  return out;
}
}  // namespace

TEST(Batcher, SameSeedGivesIdenticalBatches) {
  BatchConfig c;
  c.batch_size = 3;
  c.seed = 5;
  c.crop_padding = 1;
  c.horizontal_flip = true;
  Batcher a(tiny(), kIdentity, c), b(tiny(), kIdentity, c);
  a.start_epoch(1);
  b.start_epoch(1);
  for (int64_t i = 0; i < a.num_batches(); ++i) {
    EXPECT_TRUE(torch::equal(a.get(i).y, b.get(i).y)) << i;
    EXPECT_TRUE(torch::equal(a.get(i).x, b.get(i).x)) << i;
  }
}

TEST(Batcher, BatchIsTheSameWhateverTheCallOrder) {
  BatchConfig c;
  c.batch_size = 4;
  c.crop_padding = 2;
  c.horizontal_flip = true;
  Batcher b(tiny(), kIdentity, c);
  const auto last = b.get(2).x;
  b.get(0);
  b.get(1);
  EXPECT_TRUE(torch::equal(b.get(2).x, last));
}

TEST(Batcher, DifferentEpochOrSeedGivesADifferentOrder) {
  BatchConfig c;
  c.batch_size = 100;
  Batcher a(tiny(100), kIdentity, c), b(tiny(100), kIdentity, c);
  a.start_epoch(1);
  b.start_epoch(2);
  EXPECT_NE(epoch_labels(a), epoch_labels(b));
  c.seed = 1;
  Batcher other_seed(tiny(100), kIdentity, c);
  other_seed.start_epoch(1);
  EXPECT_NE(epoch_labels(a), epoch_labels(other_seed));
}

TEST(Batcher, EveryEpochSeesEachSampleExactlyOnce) {
  BatchConfig c;
  c.batch_size = 3;
  c.seed = 11;
  Batcher b(tiny(), kIdentity, c);
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    b.start_epoch(epoch);
    auto seen = epoch_labels(b);
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})) << epoch;
  }
}

TEST(Batcher, FashionMnistEpochPreservesTheLabelCounts) {
  const DatasetPair& d = fashion_mnist();
  BatchConfig c;
  c.batch_size = 4096;
  Batcher b(d.train, d.normalization, c);
  b.start_epoch(3);
  const auto seen = torch::tensor(epoch_labels(b), torch::kLong);
  EXPECT_TRUE(torch::equal(seen.bincount(), d.train.labels.bincount()));
}

TEST(Batcher, NumBatchesHonoursDropLast) {
  BatchConfig c;
  c.batch_size = 4;
  EXPECT_EQ(Batcher(tiny(), kIdentity, c).num_batches(), 3);
  c.drop_last = true;
  Batcher dropping(tiny(), kIdentity, c);
  EXPECT_EQ(dropping.num_batches(), 2);
  EXPECT_EQ(dropping.get(1).y.size(0), 4);
  EXPECT_CONTAINS(error_of([&] { dropping.get(2); }), "batch index 2 out of range [0, 2)");
}

TEST(Batcher, WithoutShuffleBatchesFollowTheDatasetOrder) {
  BatchConfig c;
  c.batch_size = 4;
  c.shuffle = false;
  Batcher b(tiny(), kIdentity, c);
  b.start_epoch(7);
  const Batch last = b.get(2);
  EXPECT_TRUE(torch::equal(last.y, torch::tensor({8, 9}, torch::kLong)));
  EXPECT_EQ(last.x.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::allclose(last.x * 255.0, tiny().images.slice(0, 8).to(torch::kFloat), 0, 1e-3));
}

TEST(Batcher, NormalisedFashionMnistHasZeroMeanUnitStd) {
  const DatasetPair& d = fashion_mnist();
  BatchConfig c;
  c.batch_size = 10000;
  Batcher b(d.train, d.normalization, c);
  double sum = 0, sum_sq = 0, count = 0;
  for (int64_t i = 0; i < b.num_batches(); ++i) {
    const auto x = b.get(i).x.to(torch::kDouble);
    sum += x.sum().item<double>();
    sum_sq += x.square().sum().item<double>();
    count += static_cast<double>(x.numel());
  }
  constexpr double kTolerance = 1e-3;  // float rounding over 47M pixels
  const double mean = sum / count;
  EXPECT_NEAR(mean, 0.0, kTolerance);
  EXPECT_NEAR(std::sqrt(sum_sq / count - mean * mean), 1.0, kTolerance);
}

TEST(Batcher, FlipMirrorsExactlyTheFlippedSamples) {
  BatchConfig c;
  c.batch_size = 32;
  c.shuffle = false;
  c.horizontal_flip = true;
  c.seed = 3;
  Batcher b(tiny(32), kIdentity, c);
  const auto x = (b.get(0).x * 255.0).round();
  const auto orig = tiny(32).images.to(torch::kFloat);
  int flipped = 0;
  for (int i = 0; i < 32; ++i) {
    const bool same = torch::equal(x[i], orig[i]);
    const bool mirrored = torch::equal(x[i], orig[i].flip({2}));
    EXPECT_NE(same, mirrored) << "sample " << i << " is neither the image nor its mirror";
    flipped += mirrored ? 1 : 0;
  }
  EXPECT_GT(flipped, 0);
  EXPECT_LT(flipped, 32);
}

TEST(Batcher, CropWithPaddingKeepsTheShapeAndIsAShiftedCopy) {
  BatchConfig c;
  c.batch_size = 32;
  c.shuffle = false;
  c.crop_padding = 1;
  Batcher b(tiny(32), kIdentity, c);
  const auto x = (b.get(0).x * 255.0).round();
  ASSERT_EQ(x.sizes(), (std::vector<int64_t>{32, 1, 4, 4}));
  const auto padded = torch::constant_pad_nd(tiny(32).images.to(torch::kFloat), {1, 1, 1, 1}, 0);
  int shifted = 0;
  for (int i = 0; i < 32; ++i) {
    int matches = 0;
    for (int dy = 0; dy <= 2; ++dy)
      for (int dx = 0; dx <= 2; ++dx)
        if (torch::equal(x[i], padded[i].slice(1, dy, dy + 4).slice(2, dx, dx + 4))) {
          ++matches;
          shifted += (dy != 1 || dx != 1) ? 1 : 0;
        }
    EXPECT_EQ(matches, 1) << "sample " << i;
  }
  EXPECT_GT(shifted, 0);
}

TEST(Batcher, NormalisationWithWrongChannelCountIsRejected) {
  const Normalization rgb{{0.5f, 0.5f, 0.5f}, {0.2f, 0.2f, 0.2f}};
  const std::string msg = error_of([&] { Batcher(tiny(), rgb, BatchConfig{}); });
  EXPECT_CONTAINS(msg, "'tiny/train' has 1 channels but the normalisation has 3 means");
}
