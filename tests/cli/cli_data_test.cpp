// bitshift-cli on a user's own image folder: photos of mixed sizes and a broken file, fitted to
// an imported model's input, re-headed for the folder's classes, normalisation given by hand.
#include <gtest/gtest.h>
#include <stb_image_write.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <vector>

#include "cli_run.h"

namespace {

namespace fs = std::filesystem;

// A colour PNG of w×h whose class shows as a brighter horizontal band at a class-specific height.
void write_photo(const std::string& path, int w, int h, int cls, int seed) {
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) {
        const bool band = y * 3 / h == cls;
        rgb[(static_cast<size_t>(y) * w + x) * 3 + c] =
            static_cast<uint8_t>((band ? 180 : 40) + (x * 7 + y * 3 + c * 11 + seed * 13) % 50);
      }
  fs::create_directories(fs::path(path).parent_path());
  ASSERT_NE(stbi_write_png(path.c_str(), w, h, 3, rgb.data(), w * 3), 0) << path;
}

// photos-<pid>/{train,val}/{a,b,c}/*.png at three sizes, plus one file that is not an image
// (one folder per test process: tests run side by side).
std::string photo_folder() {
  const std::string root = tmp("photos-" + std::to_string(::getpid()));
  if (fs::exists(root + "/done")) return root;
  fs::remove_all(root);
  const int sizes[3][2] = {{40, 30}, {50, 50}, {36, 48}};
  const char* classes[3] = {"a", "b", "c"};
  for (const char* split : {"train", "val"})
    for (int k = 0; k < 3; ++k)
      for (int i = 0; i < (split[0] == 't' ? 12 : 4); ++i)
        write_photo(root + "/" + split + "/" + classes[k] + "/" + std::to_string(i) + ".png",
                    sizes[i % 3][0], sizes[i % 3][1], k, i);
  std::ofstream(root + "/train/a/notes.txt") << "not an image";
  std::ofstream(root + "/done") << "";
  return root;
}

TEST(CliData, ModelForOtherClassesIsRefusedWithTheFlagThatReheadsIt) {
  const CliRun r = cli("eval --model " + fixture("usernet.onnx") + " --data " + photo_folder());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("with 10 classes, but dataset '" + photo_folder() +
                       "' has 3x36x36 with 3 classes"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("pass --num-classes 3: its last layer 'fc' is replaced"), std::string::npos)
      << r.err;
}

TEST(CliData, ImportedModelFineTunesOnPhotosOfMixedSizesReheaded) {
  const std::string out = tmp("usernet-photos.bsck");
  fs::remove(out);
  const CliRun t =
      cli("train --json --model " + fixture("usernet.onnx") + " --data " + photo_folder() +
          " --num-classes 3 --epochs 2 --batch-size 8 --lr 0.05"
          " --mean 0.5 --std 0.25 --out " +
          out);
  ASSERT_EQ(t.exit_code, 0) << t.err;
  // What was done to the data and the model is said.
  EXPECT_NE(t.err.find("1 file left out, not readable as images: "), std::string::npos) << t.err;
  EXPECT_NE(t.err.find("notes.txt"), std::string::npos) << t.err;
  EXPECT_NE(t.err.find("fitted to the model's 1x28x28: resized and centre-cropped, colour turned "
                       "to luminance"),
            std::string::npos)
      << t.err;
  EXPECT_NE(t.err.find("'fc' replaced by a new layer with 3 outputs (was 10)"), std::string::npos)
      << t.err;
  const auto j = nlohmann::json::parse(t.out);
  EXPECT_EQ(j.at("train_images"), 36);
  EXPECT_EQ(j.at("test_images"), 12);
  EXPECT_EQ(j.at("config").at("random_resized_crop"), true);  // the default for image folders
  EXPECT_EQ(j.at("config").at("horizontal_flip"), true);
  EXPECT_GE(j.at("history").at(1).at("data_wait_seconds").get<double>(), 0.0);
  // The checkpoint keeps the given normalisation and the new head: eval needs no flags.
  const CliRun e = cli("eval --json --model " + out + " --data " + photo_folder());
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(e.out).at("top1").get<double>(),
                   j.at("top1").get<double>());
}

TEST(CliData, AugmentNoneAndBadNormalisationValues) {
  const std::string base = "train --json --model " + fixture("usernet.onnx") + " --data " +
                           photo_folder() + " --num-classes 3 --epochs 1 --batch-size 8 --out " +
                           tmp("usernet-photos-none.bsck");
  const CliRun none = cli(base + " --augment none");
  ASSERT_EQ(none.exit_code, 0) << none.err;
  const auto c = nlohmann::json::parse(none.out).at("config");
  EXPECT_EQ(c.at("random_resized_crop"), false);
  EXPECT_EQ(c.at("horizontal_flip"), false);
  const CliRun bad_aug = cli(base + " --augment rotate");
  EXPECT_EQ(bad_aug.exit_code, 2);
  EXPECT_NE(bad_aug.err.find("--augment 'rotate' is not one of none, crop, resized-crop"),
            std::string::npos)
      << bad_aug.err;
  const CliRun bad_mean = cli(base + " --mean 0.5,0.5");
  EXPECT_EQ(bad_mean.exit_code, 2);
  EXPECT_NE(bad_mean.err.find("mean '0.5,0.5' has 2 values but the model's input has 1 channel"),
            std::string::npos)
      << bad_mean.err;
  const CliRun zero = cli(base + " --num-classes 0");
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.err.find("--num-classes must be at least 1, got 0"), std::string::npos)
      << zero.err;
  const CliRun wrong_n = cli(base + " --num-classes 4");
  EXPECT_EQ(wrong_n.exit_code, 2);
  EXPECT_NE(wrong_n.err.find("--num-classes 4: dataset '" + photo_folder() + "' has 3 classes"),
            std::string::npos)
      << wrong_n.err;
}

}  // namespace
