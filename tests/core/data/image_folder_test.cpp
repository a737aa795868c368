// Image folders: class indexing, channel counts, PNG/BMP decoding, train/test pairs, and the
// messages for bad folders and files.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/image_folder.h"
#include "data/registry.h"
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

TEST(ImageFolder, NonImageFileIsLeftOutAndListed) {
  const std::string root = fresh_dir("folder-bad");
  write(root + "/a/1.bmp", bmp(2, 2, 1, 2, 3));
  write(root + "/a/notes.txt", "not an image");
  const Dataset d = load_image_folder(root, "f");
  EXPECT_EQ(d.size(), 1);
  ASSERT_EQ(d.skipped.size(), 1u);
  EXPECT_CONTAINS(d.skipped[0], "a/notes.txt");
  DatasetPair p;
  p.train = d;
  EXPECT_EQ(skipped_note(p), "1 file left out, not readable as images: " + root + "/a/notes.txt");
}

TEST(ImageFolder, ImagesOfMixedSizesStayOnDiskAtTheCommonSize) {
  const std::string root = fresh_dir("folder-sizes");
  write(root + "/a/1.bmp", bmp(4, 4, 0, 0, 0));
  write(root + "/a/2.bmp", bmp(5, 4, 0, 0, 0));
  write(root + "/a/3.bmp", bmp(6, 5, 9, 9, 9));
  write(root + "/b/4.bmp", bmp(6, 5, 7, 8, 9));
  const Dataset d = load_image_folder(root, "f");
  ASSERT_TRUE(d.on_disk());
  EXPECT_FALSE(d.images.defined());
  // 6x5 is the most common size: served square at its shorter side.
  EXPECT_EQ(d.channels(), 3);
  EXPECT_EQ(d.height(), 5);
  EXPECT_EQ(d.width(), 5);
  const auto x = d.samples(torch::tensor({3, 1}, torch::kLong));
  ASSERT_EQ(x.sizes(), (std::vector<int64_t>{2, 3, 5, 5}));
  EXPECT_EQ(x[0][0][2][2].item<int>(), 7);  // red of 4.bmp
  EXPECT_EQ(x[0][2][2][2].item<int>(), 9);  // its blue
  EXPECT_EQ(x[1].max().item<int>(), 0);     // the black 5x4 image, upscaled and cropped
  EXPECT_EQ(d.stored(1).sizes(), (std::vector<int64_t>{3, 4, 5}));
}

TEST(ImageFolder, LargePhotosOfOneSizeAreServedAt224ASide) {
  const std::string root = fresh_dir("folder-large");
  write(root + "/a/1.bmp", bmp(300, 226, 50, 60, 70));
  write(root + "/b/2.bmp", bmp(300, 226, 80, 90, 100));
  const Dataset d = load_image_folder(root, "f");
  EXPECT_FALSE(d.on_disk());  // small enough to hold, but not at 3x226x300
  EXPECT_EQ(d.channels(), 3);
  EXPECT_EQ(d.height(), kMixedSizeSide);
  EXPECT_EQ(d.width(), kMixedSizeSide);
  const auto x = d.samples(torch::tensor({1}, torch::kLong));
  ASSERT_EQ(x.sizes(), (std::vector<int64_t>{1, 3, 224, 224}));
  EXPECT_EQ(x[0][2].min().item<int>(), 100);  // flat stays flat
  EXPECT_EQ(x[0][2].max().item<int>(), 100);
}

TEST(ImageFolder, LargeSetStaysOnDiskAndServesTheSamePixelsAsInMemory) {
  const std::string root = fresh_dir("folder-on-disk");
  for (int i = 0; i < 5; ++i) {
    std::vector<uint8_t> hwc(3 * 4 * 3);
    for (size_t k = 0; k < hwc.size(); ++k) hwc[k] = static_cast<uint8_t>(k * 11 + i * 37);
    write_png(root + "/" + (i < 2 ? "a" : "b") + "/" + std::to_string(i) + ".png", 4, 3, 3, hwc);
  }
  const Dataset in_memory = load_image_folder(root, "f");
  ImageFolderOptions tiny;
  tiny.in_memory_bytes = 100;  // 5 images of 36 bytes do not fit: left on disk
  tiny.cache_bytes = 80;       // two images
  const Dataset on_disk = load_image_folder(root, "f", tiny);
  ASSERT_FALSE(in_memory.on_disk());
  ASSERT_TRUE(on_disk.on_disk());
  EXPECT_TRUE(torch::equal(in_memory.labels, on_disk.labels));
  const auto index = torch::tensor({4, 0, 2, 0, 1, 3}, torch::kLong);
  EXPECT_TRUE(torch::equal(in_memory.samples(index), on_disk.samples(index)));
  const ImageCacheStats st = on_disk.files->stats();
  EXPECT_LE(st.bytes, 80);
  EXPECT_EQ(st.hits + st.misses, 6);
}

TEST(ImageFolder, CacheServesARepeatedImageWithoutDecodingIt) {
  const std::string root = fresh_dir("folder-cache");
  write(root + "/a/1.bmp", bmp(3, 2, 1, 2, 3));
  ImageFiles files({root + "/a/1.bmp"}, 3, 1000);
  const auto first = files.decode(0);
  fs::remove(root + "/a/1.bmp");  // a second decode from disk would now fail
  EXPECT_TRUE(torch::equal(files.decode(0), first));
  EXPECT_EQ(files.stats().hits, 1);
  EXPECT_EQ(files.stats().bytes, 18);
}

TEST(ImageFolder, ImageBrokenAfterItsHeaderIsLeftOutInMemoryAndNamedOnDisk) {
  const std::string root = fresh_dir("folder-truncated");
  std::vector<uint8_t> hwc(8 * 8 * 3, 200);
  for (size_t k = 0; k < hwc.size(); ++k) hwc[k] = static_cast<uint8_t>(k * 7919 % 251);
  write_png(root + "/a/good.png", 8, 8, 3, hwc);
  write_png(root + "/a/cut.png", 8, 8, 3, hwc);
  std::string bytes = read_file(root + "/a/cut.png");
  write(root + "/a/cut.png", bytes.substr(0, 40));  // the header survives, the pixels do not
  const Dataset d = load_image_folder(root, "f");
  EXPECT_EQ(d.size(), 1);
  ASSERT_EQ(d.skipped.size(), 1u);
  EXPECT_CONTAINS(d.skipped[0], "cut.png");

  ImageFolderOptions disk;
  disk.in_memory_bytes = 0;
  const Dataset lazy = load_image_folder(root, "f", disk);
  ASSERT_EQ(lazy.size(), 2);  // only decoding finds it
  EXPECT_CONTAINS(error_of([&] { lazy.samples(torch::tensor({0}, torch::kLong)); }),
                  "cut.png' could not be decoded (");
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
  EXPECT_CONTAINS(error_of([&] { load_image_folder(root, "f"); }), "/b' has no readable images");
}

TEST(ImageFolderPair, TrainAndTestAreReadWithTheirNames) {
  const std::string root = fresh_dir("pair");
  for (const char* split : {"train", "test"})
    for (const char* cls : {"x", "y"})
      write(root + "/" + split + "/" + cls + "/1.bmp", bmp(2, 2, 0, 0, 0));
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
  EXPECT_CONTAINS(msg, "pair-flat' needs 'train/' and 'test/' (or 'val/') sub-folders");
}

TEST(ImageFolderPair, ValFolderServesAsTheTestSplitAtTheTrainingShape) {
  const std::string root = fresh_dir("pair-val");
  for (const char* cls : {"x", "y"}) {
    write(root + "/train/" + cls + "/1.bmp", bmp(6, 6, 10, 20, 30));
    write(root + "/val/" + cls + "/1.bmp", bmp(12, 8, 10, 20, 30));
  }
  const DatasetPair p = load_image_folder_pair(root);
  EXPECT_EQ(p.test.name, "pair-val/val");
  EXPECT_EQ(p.test.channels(), 3);
  EXPECT_EQ(p.test.height(), 6);
  EXPECT_EQ(p.test.width(), 6);
  const auto x = p.test.samples(torch::tensor({0, 1}, torch::kLong));
  ASSERT_EQ(x.sizes(), (std::vector<int64_t>{2, 3, 6, 6}));
  EXPECT_EQ(x[1][0].min().item<int>(), 10);  // a flat colour stays flat through the resize
  EXPECT_EQ(x[1][0].max().item<int>(), 10);
  EXPECT_EQ(x[1][2].min().item<int>(), 30);
}

namespace {

// A real 2x2 PNG whose header then claims width x height (stb checks no CRC: it reads the claim).
void write_png_claiming(const std::string& path, uint32_t width, uint32_t height) {
  write_png(path, 2, 2, 3, std::vector<uint8_t>(12, 100));
  std::string bytes = read_file(path);
  for (int k = 0; k < 4; ++k) {  // IHDR: width at byte 16, height at 20, big-endian
    bytes[16 + k] = static_cast<char>(width >> (24 - 8 * k));
    bytes[20 + k] = static_cast<char>(height >> (24 - 8 * k));
  }
  write(path, bytes);
}

}  // namespace

TEST(ImageFolder, AnImageDeclaringMorePixelsThanAPhotoIsLeftOutBeforeDecoding) {
  const std::string root = fresh_dir("folder-giant");
  write_png(root + "/a/good.png", 2, 2, 3, std::vector<uint8_t>(12, 50));
  write_png(root + "/b/good.png", 2, 2, 3, std::vector<uint8_t>(12, 150));
  write_png_claiming(root + "/a/giant.png", 8000, 8000);  // 64 megapixels in a few bytes
  const Dataset d = load_image_folder(root, "f");
  EXPECT_EQ(d.size(), 2);
  ASSERT_EQ(d.skipped.size(), 1u);
  EXPECT_CONTAINS(d.skipped[0], "giant.png");
  EXPECT_CONTAINS(error_of([&] { decode_image_file(root + "/a/giant.png", 3); }),
                  "giant.png' declares 8000x8000 pixels, more than the 50 megapixels");
}
