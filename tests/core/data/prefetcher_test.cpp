// The prefetcher: the batcher's batches in order, errors passed on, early stops that return.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/image_folder.h"
#include "data/prefetcher.h"
#include "test_files.h"

using namespace bitshift;
using namespace bitshift::test;

namespace {
Dataset numbered(int64_t n) {
  Dataset d;
  d.name = "numbered/train";
  d.num_classes = 2;
  d.images = torch::arange(n, torch::kLong)
                 .to(torch::kUInt8)
                 .view({n, 1, 1, 1})
                 .expand({n, 1, 3, 3})
                 .contiguous();
  d.labels = torch::arange(n, torch::kLong).remainder(2);
  return d;
}
const Normalization kRawPixels{{0.0f}, {1.0f}};
}  // namespace

TEST(Prefetcher, GivesTheBatchersBatchesInOrder) {
  BatchConfig c;
  c.batch_size = 4;
  c.seed = 3;
  c.horizontal_flip = true;
  Batcher batcher(numbered(23), kRawPixels, c);
  batcher.start_epoch(2);
  Prefetcher p(batcher, 3);
  for (int64_t i = 0; i < batcher.num_batches(); ++i) {
    const Batch b = p.next();
    EXPECT_TRUE(torch::equal(b.x, batcher.get(i).x)) << i;
    EXPECT_TRUE(torch::equal(b.y, batcher.get(i).y)) << i;
  }
  EXPECT_CONTAINS(error_of([&] { p.next(); }), "after the last batch");
}

TEST(Prefetcher, StoppingEarlyReturns) {
  BatchConfig c;
  c.batch_size = 1;
  Batcher batcher(numbered(50), kRawPixels, c);
  {
    Prefetcher p(batcher);
    p.next();
  }  // the destructor stops the thread with 48 batches still to make
  SUCCEED();
}

TEST(Prefetcher, AnImageThatFailsToDecodeIsNamedToTheConsumer) {
  const std::string root = fresh_dir("prefetch-broken");
  const std::vector<uint8_t> grey(16, 77);
  write_png(root + "/a/1.png", 4, 4, 1, grey);
  write_png(root + "/a/2.png", 4, 4, 1, grey);
  ImageFolderOptions disk;
  disk.in_memory_bytes = 0;
  const Dataset d = load_image_folder(root, "f", disk);
  write(root + "/a/2.png", read_file(root + "/a/2.png").substr(0, 40));  // broken after opening
  BatchConfig c;
  c.batch_size = 1;
  c.shuffle = false;
  Batcher batcher(d, kRawPixels, c);
  Prefetcher p(batcher);
  EXPECT_EQ(p.next().x.size(0), 1);
  const std::string msg = error_of([&] { p.next(); });
  EXPECT_CONTAINS(msg, "2.png' could not be decoded");
}
