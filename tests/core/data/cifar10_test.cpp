// CIFAR-10 binary batches: record layout, several files, the folder layout with class names,
// and the messages for bad files.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sys/stat.h>

#include "data/cifar10.h"
#include "test_files.h"

using namespace bitshift;
using namespace bitshift::test;

namespace {
// A CIFAR-10 folder: data_batch_1..5.bin with one record each (labels 0..4), test_batch.bin
// with two records (labels 8, 9).
std::string cifar_dir(const std::string& name) {
  const std::string dir = fresh_dir(name);
  for (int k = 1; k <= 5; ++k)
    write(dir + "/data_batch_" + std::to_string(k) + ".bin", cifar_record(k - 1, k));
  write(dir + "/test_batch.bin", cifar_record(8) + cifar_record(9));
  return dir;
}
}  // namespace

TEST(Cifar10, RecordsAreLabelThenChannelMajorPixels) {
  write(tmp("cifar/two.bin"), cifar_record(7) + cifar_record(3, 1));
  const Dataset d = load_cifar10_batches({tmp("cifar/two.bin")}, "c");
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{2, 3, 32, 32}));
  EXPECT_EQ(d.images.scalar_type(), torch::kUInt8);
  EXPECT_TRUE(torch::equal(d.labels, torch::tensor({7, 3}, torch::kLong)));
  // Byte 1 + c*1024 + y*32 + x of a record is channel c, row y, column x.
  EXPECT_EQ(d.images[0][1][5][6].item<int>(), (50 + 15 + 6) % 256);      // green
  EXPECT_EQ(d.images[0][2][31][30].item<int>(), (100 + 93 + 30) % 256);  // blue
  EXPECT_EQ(d.images[1][0][0][0].item<int>(), 1);                        // red, seed 1
  EXPECT_EQ(d.num_classes, 10);
  EXPECT_EQ(d.class_names.front(), "airplane");
}

TEST(Cifar10, SeveralBatchFilesAreConcatenatedInOrder) {
  write(tmp("cifar/a.bin"), cifar_record(1));
  write(tmp("cifar/b.bin"), cifar_record(2) + cifar_record(5));
  const Dataset d = load_cifar10_batches({tmp("cifar/a.bin"), tmp("cifar/b.bin")}, "c");
  EXPECT_TRUE(torch::equal(d.labels, torch::tensor({1, 2, 5}, torch::kLong)));
}

TEST(Cifar10, SizeThatIsNotWholeRecordsIsRejectedWithFileAndSize) {
  write(tmp("cifar/short.bin"), std::string(3000, '\0'));
  const std::string msg = error_of([] { load_cifar10_batches({tmp("cifar/short.bin")}, "c"); });
  EXPECT_CONTAINS(msg, "short.bin");
  EXPECT_CONTAINS(msg, "3000 bytes");
  EXPECT_CONTAINS(msg, "3073-byte records");
}

TEST(Cifar10, LabelAboveNineIsRejectedWithRecordAndValue) {
  write(tmp("cifar/label-10.bin"), cifar_record(2) + cifar_record(10));
  const std::string msg = error_of([] { load_cifar10_batches({tmp("cifar/label-10.bin")}, "c"); });
  EXPECT_CONTAINS(msg, "label-10.bin");
  EXPECT_CONTAINS(msg, "label 10 of record 1");
  EXPECT_CONTAINS(msg, "[0, 10)");
}

TEST(Cifar10, MissingBatchFileIsNamed) {
  const std::string msg = error_of([] { load_cifar10_batches({tmp("cifar/none.bin")}, "c"); });
  EXPECT_CONTAINS(msg, "'" + tmp("cifar/none.bin") + "' is missing");
}

TEST(Cifar10, FolderReadsFiveTrainBatchesTestBatchAndMetaClassNames) {
  const std::string dir = cifar_dir("cifar-dir");
  write(dir + "/batches.meta.txt", "a0\nb1\r\nc2\nd3\ne4\nf5\ng6\nh7\ni8\nj9 \n\n");
  const DatasetPair p = load_cifar10_dir(dir);
  EXPECT_TRUE(torch::equal(p.train.labels, torch::tensor({0, 1, 2, 3, 4}, torch::kLong)));
  EXPECT_TRUE(torch::equal(p.test.labels, torch::tensor({8, 9}, torch::kLong)));
  EXPECT_EQ(p.train.images[4][0][0][0].item<int>(), 5);  // data_batch_5 has seed 5
  EXPECT_EQ(p.train.class_names[1], "b1");
  EXPECT_EQ(p.test.class_names[9], "j9");
}

TEST(Cifar10, FolderWithoutMetaUsesTheStandardClassNames) {
  const DatasetPair p = load_cifar10_dir(cifar_dir("cifar-no-meta"));
  EXPECT_EQ(p.train.class_names,
            (std::vector<std::string>{"airplane", "automobile", "bird", "cat", "deer", "dog",
                                      "frog", "horse", "ship", "truck"}));
}

TEST(Cifar10, FolderMissingABatchNamesIt) {
  const std::string dir = cifar_dir("cifar-missing");
  fs::remove(dir + "/data_batch_3.bin");
  EXPECT_CONTAINS(error_of([&] { load_cifar10_dir(dir); }), "data_batch_3.bin' is missing");
}

TEST(Cifar10, MetaLinkedToDevZeroOrAFifoIsRefusedByNameNotReadForever) {
  const std::string dir = cifar_dir("cifar-hostile-meta");
  fs::create_symlink("/dev/zero", dir + "/batches.meta.txt");
  EXPECT_CONTAINS(error_of([&] { load_cifar10_dir(dir); }), "batches.meta.txt");
  fs::remove(dir + "/batches.meta.txt");
  ASSERT_EQ(::mkfifo((dir + "/batches.meta.txt").c_str(), 0600), 0);
  EXPECT_CONTAINS(error_of([&] { load_cifar10_dir(dir); }), "batches.meta.txt");
}
