// Image folders: class indexing, channel counts, PNG/BMP decoding, train/test pairs, and the
// messages for bad folders and files.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/image_folder.h"
#include "test_files.h"

using namespace bitshift;
using namespace bitshift::test;

TEST(ImageFolder, ClassesAreSortedFolderNamesAndPixelsAreChw) {
  const std::string root = fresh_dir("folder");
  write(root + "/cat/a.bmp", bmp(3, 2, 200, 10, 5));
  write(root + "/ant/b.bmp", bmp(3, 2, 1, 2, 3));
  write(root + "/ant/c.bmp", bmp(3, 2, 4, 5, 6));
  const Dataset d = load_image_folder(root, "f");
  EXPECT_EQ(d.name, "f");
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"ant", "cat"}));
  EXPECT_EQ(d.num_classes, 2);
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{3, 3, 2, 3}));
  EXPECT_TRUE(torch::equal(d.labels, torch::tensor({0, 0, 1}, torch::kLong)));
  EXPECT_EQ(d.images[2][0][1][2].item<int>(), 200);  // red of the cat image
  EXPECT_EQ(d.images[0][2][0][0].item<int>(), 3);    // blue of the first ant image
  EXPECT_EQ(d.images[1][1][1][1].item<int>(), 5);    // green of the second ant image
}

TEST(ImageFolder, PngPixelsArriveAtTheirPositionAndChannel) {
  const std::string root = fresh_dir("folder-png");
  std::vector<uint8_t> hwc(2 * 3 * 3, 0);
  hwc[(1 * 3 + 2) * 3 + 1] = 99;  // y=1, x=2, green
  write_png(root + "/only/x.png", 3, 2, 3, hwc);
  const Dataset d = load_image_folder(root, "f");
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{1, 3, 2, 3}));
  EXPECT_EQ(d.images[0][1][1][2].item<int>(), 99);
  EXPECT_EQ(d.images.sum().item<int64_t>(), 99);
}

TEST(ImageFolder, AllGreyImagesGiveOneChannel) {
  const std::string root = fresh_dir("folder-grey");
  write_png(root + "/a/1.png", 2, 2, 1, {0, 10, 20, 30});
  write_png(root + "/b/1.png", 2, 2, 1, {5, 5, 5, 5});
  const Dataset d = load_image_folder(root, "f");
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{2, 1, 2, 2}));
  EXPECT_EQ(d.images[0][0][1][1].item<int>(), 30);
}

TEST(ImageFolder, GreyImageAmongColourOnesIsExpandedToThreeChannels) {
  const std::string root = fresh_dir("folder-mixed");
  write_png(root + "/a/1.png", 2, 2, 1, {0, 10, 20, 30});
  write(root + "/b/1.bmp", bmp(2, 2, 1, 2, 3));
  const Dataset d = load_image_folder(root, "f");
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{2, 3, 2, 2}));
  for (int c = 0; c < 3; ++c) EXPECT_EQ(d.images[0][c][1][0].item<int>(), 20) << c;
}

TEST(ImageFolder, HiddenFilesAndFoldersAreSkipped) {
  const std::string root = fresh_dir("folder-hidden");
  write(root + "/a/1.bmp", bmp(2, 2, 1, 2, 3));
  write(root + "/a/.DS_Store", "not an image");
  write(root + "/.cache/1.bmp", bmp(2, 2, 1, 2, 3));
  const Dataset d = load_image_folder(root, "f");
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"a"}));
  EXPECT_EQ(d.size(), 1);
}

TEST(ImageFolder, NonImageFileIsRejectedWithItsNameAndReason) {
  const std::string root = fresh_dir("folder-bad");
  write(root + "/a/1.bmp", bmp(2, 2, 1, 2, 3));
  write(root + "/a/notes.txt", "not an image");
  const std::string msg = error_of([&] { load_image_folder(root, "f"); });
  EXPECT_CONTAINS(msg, "notes.txt' is not a decodable image (");
}

TEST(ImageFolder, ImageOfAnotherSizeIsNamedWithBothSizes) {
  const std::string root = fresh_dir("folder-sizes");
  write(root + "/a/1.bmp", bmp(4, 4, 0, 0, 0));
  write(root + "/a/2.bmp", bmp(5, 4, 0, 0, 0));
  const std::string msg = error_of([&] { load_image_folder(root, "f"); });
  EXPECT_CONTAINS(msg, "2.bmp' is 5x4 but the first image");
  EXPECT_CONTAINS(msg, "1.bmp') is 4x4");
}

TEST(ImageFolder, MissingFolderIsNamed) {
  EXPECT_CONTAINS(error_of([] { load_image_folder(tmp("no-such-folder"), "f"); }),
                  "no-such-folder' does not exist");
}

TEST(ImageFolder, FolderWithoutClassFoldersIsRejected) {
  const std::string root = fresh_dir("folder-flat");
  write(root + "/1.bmp", bmp(2, 2, 0, 0, 0));
  EXPECT_CONTAINS(error_of([&] { load_image_folder(root, "f"); }),
                  "folder-flat' has no class sub-folders");
}

TEST(ImageFolder, EmptyClassFolderIsNamed) {
  const std::string root = fresh_dir("folder-empty-class");
  write(root + "/a/1.bmp", bmp(2, 2, 0, 0, 0));
  fs::create_directories(root + "/b");
  EXPECT_CONTAINS(error_of([&] { load_image_folder(root, "f"); }), "/b' has no images");
}

TEST(ImageFolderPair, TrainAndTestAreReadWithTheirNames) {
  const std::string root = fresh_dir("pair");
  for (const char* split : {"train", "test"})
    for (const char* cls : {"x", "y"}) write(root + "/" + split + "/" + cls + "/1.bmp", bmp(2, 2, 0, 0, 0));
  write(root + "/train/y/2.bmp", bmp(2, 2, 0, 0, 0));
  const DatasetPair p = load_image_folder_pair(root + "/");
  EXPECT_EQ(p.train.name, "pair/train");
  EXPECT_EQ(p.test.name, "pair/test");
  EXPECT_EQ(p.train.size(), 3);
  EXPECT_EQ(p.test.size(), 2);
  EXPECT_EQ(p.test.class_names, (std::vector<std::string>{"x", "y"}));
}

TEST(ImageFolderPair, DifferentClassesInTrainAndTestAreRejected) {
  const std::string root = fresh_dir("pair-classes");
  write(root + "/train/x/1.bmp", bmp(2, 2, 0, 0, 0));
  write(root + "/test/z/1.bmp", bmp(2, 2, 0, 0, 0));
  const std::string msg = error_of([&] { load_image_folder_pair(root); });
  EXPECT_CONTAINS(msg, "different class folders (train: x; test: z)");
}

TEST(ImageFolderPair, FolderWithoutTrainAndTestExplainsTheLayout) {
  const std::string root = fresh_dir("pair-flat");
  write(root + "/x/1.bmp", bmp(2, 2, 0, 0, 0));
  const std::string msg = error_of([&] { load_image_folder_pair(root); });
  EXPECT_CONTAINS(msg, "pair-flat' needs 'train/' and 'test/' sub-folders");
}
