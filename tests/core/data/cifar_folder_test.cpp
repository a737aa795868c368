// CIFAR-10 records and image folders, from small files written by the test.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <functional>

#include "data/cifar10.h"
#include "data/image_folder.h"
#include "util/atomic_file.h"
#include "util/error.h"

using namespace bitshift;
namespace fs = std::filesystem;

namespace {
std::string tmp(const std::string& name) { return std::string(BITSHIFT_TEST_TMP) + "/" + name; }
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
// A 24-bit BMP of w x h pixels, all of colour (r, g, b); BMP rows are bottom-up, BGR, padded.
std::string bmp(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  const int row = (3 * w + 3) / 4 * 4, size = 54 + row * h;
  std::string s(size, '\0');
  auto put32 = [&](int at, uint32_t v) {
    for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (8 * i));
  };
  s[0] = 'B', s[1] = 'M';
  put32(2, size), put32(10, 54), put32(14, 40), put32(18, w), put32(22, h);
  s[26] = 1, s[28] = 24;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      s[54 + y * row + 3 * x] = static_cast<char>(b);
      s[54 + y * row + 3 * x + 1] = static_cast<char>(g);
      s[54 + y * row + 3 * x + 2] = static_cast<char>(r);
    }
  return s;
}
}  // namespace

TEST(Cifar10, RecordsAreLabelThenChannelMajorPixels) {
  std::string rec(3073, '\0');
  rec[0] = 7;
  rec[1 + 1024 + 32 * 5 + 6] = 42;  // green channel, y=5, x=6
  write_file_atomic(tmp("cifar.bin"), rec + rec);
  const Dataset d = load_cifar10_batches({tmp("cifar.bin")}, "c");
  ASSERT_EQ(d.size(), 2);
  EXPECT_EQ(d.labels[1].item<int64_t>(), 7);
  EXPECT_EQ(d.images[0][1][5][6].item<int>(), 42);
  EXPECT_EQ(d.images[0][0][5][6].item<int>(), 0);
}

TEST(Cifar10, SizeThatIsNotWholeRecordsIsRejected) {
  write_file_atomic(tmp("cifar-short.bin"), std::string(3000, '\0'));
  const std::string msg = error_of([&] { load_cifar10_batches({tmp("cifar-short.bin")}, "c"); });
  EXPECT_NE(msg.find("cifar-short.bin"), std::string::npos) << msg;
  EXPECT_NE(msg.find("3000 bytes"), std::string::npos) << msg;
}

TEST(ImageFolder, ClassesAreSortedFolderNamesAndPixelsAreChw) {
  const std::string root = tmp("folder");
  fs::remove_all(root);
  fs::create_directories(root + "/cat");
  fs::create_directories(root + "/ant");
  write_file_atomic(root + "/cat/a.bmp", bmp(3, 2, 200, 10, 5));
  write_file_atomic(root + "/ant/b.bmp", bmp(3, 2, 1, 2, 3));
  write_file_atomic(root + "/ant/.hidden", "ignored");
  const Dataset d = load_image_folder(root, "f");
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"ant", "cat"}));
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{2, 3, 2, 3}));
  EXPECT_EQ(d.labels[1].item<int64_t>(), 1);
  EXPECT_EQ(d.images[1][0][1][2].item<int>(), 200);  // red of the cat image
  EXPECT_EQ(d.images[0][2][0][0].item<int>(), 3);    // blue of the ant image
}

TEST(ImageFolder, NonImageFileIsNamed) {
  const std::string root = tmp("folder-bad");
  fs::remove_all(root);
  fs::create_directories(root + "/a");
  write_file_atomic(root + "/a/notes.txt", "not an image");
  const std::string msg = error_of([&] { load_image_folder(root, "f"); });
  EXPECT_NE(msg.find("notes.txt"), std::string::npos) << msg;
}

TEST(ImageFolder, ImageOfAnotherSizeIsNamedWithBothSizes) {
  const std::string root = tmp("folder-sizes");
  fs::remove_all(root);
  fs::create_directories(root + "/a");
  write_file_atomic(root + "/a/1.bmp", bmp(4, 4, 0, 0, 0));
  write_file_atomic(root + "/a/2.bmp", bmp(5, 4, 0, 0, 0));
  const std::string msg = error_of([&] { load_image_folder(root, "f"); });
  EXPECT_NE(msg.find("2.bmp' is 5x4 but the first image is 4x4"), std::string::npos) << msg;
}
