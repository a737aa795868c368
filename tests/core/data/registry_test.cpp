// Opening datasets by name or folder: the real Fashion-MNIST, and IDX, CIFAR-10 and image
// folders detected from their files; the messages for unknown names and folders.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

#include "data/registry.h"
#include "test_files.h"

using namespace bitshift;
using namespace bitshift::test;

namespace {
// An MNIST-like folder: 4 train and 2 test images of 2x2, with the given file names.
std::string idx_dir(const std::string& name, const std::string& sep, bool gz) {
  const std::string dir = fresh_dir(name), ext = gz ? ".gz" : "";
  auto put = [&](const std::string& file, const std::string& bytes) {
    gz ? write_gz(dir + "/" + file + ext, bytes) : write(dir + "/" + file, bytes);
  };
  put("train-images" + sep + "idx3-ubyte", idx_images(0x803, 4, 2, 2, 16));
  put("train-labels" + sep + "idx1-ubyte", idx_labels(0x801, {1, 2, 3, 4}));
  put("t10k-images" + sep + "idx3-ubyte", idx_images(0x803, 2, 2, 2, 8));
  put("t10k-labels" + sep + "idx1-ubyte", idx_labels(0x801, {5, 6}));
  return dir;
}
}  // namespace

TEST(Registry, FashionMnistLoadsSixtyAndTenThousandImagesWithKnownFirstLabel) {
  const DatasetPair& d = fashion_mnist();
  EXPECT_EQ(d.train.size(), 60000);
  EXPECT_EQ(d.test.size(), 10000);
  EXPECT_EQ(d.train.images.sizes(), (std::vector<int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(d.test.images.sizes(), (std::vector<int64_t>{10000, 1, 28, 28}));
  EXPECT_EQ(d.train.labels[0].item<int64_t>(), 9);  // the first training image is an ankle boot
  EXPECT_EQ(d.train.class_names[9], "Ankle boot");
  EXPECT_EQ(d.test.class_names[0], "T-shirt/top");
  for (const Dataset* s : {&d.train, &d.test}) {
    EXPECT_EQ(s->labels.min().item<int64_t>(), 0);
    EXPECT_EQ(s->labels.max().item<int64_t>(), 9);
  }
  // Measured on train: Fashion-MNIST's well-known mean 0.286 and std 0.353.
  ASSERT_EQ(d.normalization.mean.size(), 1u);
  EXPECT_NEAR(d.normalization.mean[0], 0.2860, 1e-3);
  EXPECT_NEAR(d.normalization.std[0], 0.3530, 1e-3);
}

TEST(Registry, FashionMnistIsKnownAndTheDefault) {
  const auto known = known_datasets();
  EXPECT_NE(std::find(known.begin(), known.end(), "fashion-mnist"), known.end());
  const DatasetPair d = open_dataset("");
  EXPECT_EQ(d.train.name, "fashion-mnist/train");
}

TEST(Registry, FolderWithGzipIdxFilesOpensLikeMnist) {
  const DatasetPair p = open_dataset(idx_dir("mnist-like", "-", true));
  EXPECT_EQ(p.train.name, "mnist-like/train");
  EXPECT_EQ(p.train.images.sizes(), (std::vector<int64_t>{4, 1, 2, 2}));
  EXPECT_TRUE(torch::equal(p.test.labels, torch::tensor({5, 6}, torch::kLong)));
  ASSERT_EQ(p.normalization.mean.size(), 1u);
  EXPECT_GT(p.normalization.std[0], 0.0f);
}

TEST(Registry, FolderWithRawDotNamedIdxFilesIsFound) {
  const DatasetPair p = open_dataset(idx_dir("mnist-dots", ".", false));
  EXPECT_EQ(p.train.size(), 4);
  EXPECT_EQ(p.test.size(), 2);
}

TEST(Registry, IdxFolderWithoutTestFilesSaysWhatWasLookedFor) {
  const std::string dir = idx_dir("mnist-no-test", "-", true);
  fs::remove(dir + "/t10k-labels-idx1-ubyte.gz");
  const std::string msg = error_of([&] { open_dataset(dir); });
  EXPECT_CONTAINS(msg, "mnist-no-test' has no t10k-labels file");
  EXPECT_CONTAINS(msg, "t10k-labels-idx1-ubyte[.gz]");
}

TEST(Registry, FolderWithCifarBatchesOpensAsCifar10) {
  const std::string dir = fresh_dir("cifar-like");
  for (int k = 1; k <= 5; ++k) write(dir + "/data_batch_" + std::to_string(k) + ".bin", cifar_record(k));
  write(dir + "/test_batch.bin", cifar_record(0));
  const DatasetPair p = open_dataset(dir);
  EXPECT_EQ(p.train.images.sizes(), (std::vector<int64_t>{5, 3, 32, 32}));
  EXPECT_EQ(p.test.size(), 1);
  EXPECT_EQ(p.normalization.mean.size(), 3u);
}

TEST(Registry, FolderWithTrainAndTestImageFoldersOpens) {
  const std::string dir = fresh_dir("images-like");
  for (const char* split : {"train", "test"})
    for (const char* cls : {"a", "b"}) write(dir + "/" + split + "/" + cls + "/1.bmp", bmp(2, 2, 9, 9, 9));
  const DatasetPair p = open_dataset(dir);
  EXPECT_EQ(p.train.class_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.normalization.mean.size(), 3u);
}

TEST(Registry, UnknownNameListsTheKnownDatasets) {
  const std::string msg = error_of([] { open_dataset("imagenet-22k"); });
  EXPECT_CONTAINS(msg, "unknown dataset 'imagenet-22k'");
  EXPECT_CONTAINS(msg, "fashion-mnist");
}

TEST(Registry, UnrecognisedFolderListsWhatWasLookedFor) {
  const std::string dir = fresh_dir("unrecognised");
  write(dir + "/readme.txt", "hello");
  const std::string msg = error_of([&] { open_dataset(dir); });
  EXPECT_CONTAINS(msg, "unrecognised' is not recognised");
  EXPECT_CONTAINS(msg, "train-images-idx3-ubyte");
  EXPECT_CONTAINS(msg, "data_batch_1.bin");
  EXPECT_CONTAINS(msg, "train/ and test/");
}

TEST(Registry, TryOpenDatasetTurnsTheErrorIntoAFailure) {
  const auto r = try_open_dataset("no-such-dataset");
  EXPECT_FALSE(r.ok());
  EXPECT_CONTAINS(r.error(), "unknown dataset 'no-such-dataset'");
}
