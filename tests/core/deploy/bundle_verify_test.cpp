// Verification of bundles on the OpenCL device at hand (PoCL on a CPU here), through
// verify_bundle and through the bundle's own host program built with CMake from host/.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "../test_util.h"
#include "bundle_test_util.h"
#include "deploy/bundle_writer.h"
#include "deploy/conformance.h"
#include "deploy/host/bundle_reader.h"
#include "deploy/host/codec.h"
#include "deploy/host/json_lite.h"
#include "deploy/host/opencl_runtime.h"
#include "deploy/manifest.h"
#include "deploy/verify.h"
#include "integer/reference_executor.h"

namespace bitshift {
namespace {

namespace fs = std::filesystem;
using namespace bitshift::testing;

#define SKIP_WITHOUT_OPENCL()                                                                \
  if (list_opencl_devices().empty())                                                         \
  GTEST_SKIP() << "no OpenCL device on this machine (install pocl-opencl-icd for the CPU); " \
                  "bundles cannot be verified here"

std::string write_small_bundle(const std::string& name) {
  IntegerModel m = small_model();
  add_pixel_codes(m);
  const std::string dir = fresh_dir(name);
  const IntTensor input = small_input(m);
  write_bundle(dir, m, input, run_reference(m, input), {{"estimate.txt", "LUTs: 1234\n"}});
  return dir;
}

// Adds `delta` to the golden value of the add layer (5x7x7) at (n, c, y, x) and re-hashes,
// so the bundle loads and only the comparison can catch it. Returns the original value.
int32_t alter_golden(const std::string& dir, int64_t n, int64_t c, int64_t y, int64_t x,
                     int32_t delta) {
  const std::string path = "testvectors/add.bin";
  std::string bytes = slurp(dir + "/" + path);
  const size_t at = static_cast<size_t>(((n * 5 + c) * 7 + y) * 7 + x);
  const int32_t original = read_le32(bytes, 4 * at, 1)[0];
  std::string value;
  append_le32(value, {original + delta});
  bytes.replace(4 * at, 4, value);
  spit(dir + "/" + path, bytes);
  rehash(dir, path);
  return original;
}

TEST(BundleVerify, GoodBundlePassesOnTheOpenClDeviceAndIsRecorded) {
  SKIP_WITHOUT_OPENCL();
  const std::string dir = write_small_bundle("verify-good");
  const VerifyReport r = verify_bundle(dir, 0);
  ASSERT_TRUE(r.device_found);
  EXPECT_EQ(r.run_error, "");
  EXPECT_TRUE(r.passed()) << verification_text(r);
  EXPECT_EQ(r.verdict(), "passed");
  // The model's 9 layers, then the conformance network's (FORMAT.md, "conformance/").
  const size_t conformance = conformance_model().layers.size();
  ASSERT_EQ(r.check.layers.size(), 9u + conformance);
  EXPECT_EQ(r.check.layers[9].name, "conformance/input");
  for (const LayerCheck& l : r.check.layers) EXPECT_GT(l.values, 0) << l.name;
  EXPECT_FALSE(r.device.name.empty());
  // Recorded: reports written, MANIFEST updated, and the bundle still loads.
  const json_lite::Value report = json_lite::parse(slurp(dir + "/reports/verification.json"));
  EXPECT_EQ(report.at("verdict").as_string(), "passed");
  EXPECT_EQ(report.at("device").at("name").as_string(), r.device.name);
  EXPECT_CONTAINS(slurp(dir + "/reports/verification.txt"),
                  "PASS: all " + std::to_string(9 + conformance) + " layers");
  const json_lite::Value manifest = json_lite::parse(slurp(dir + "/MANIFEST.json"));
  EXPECT_EQ(manifest.at("verified_on").at("result").as_string(), "passed");
  EXPECT_EQ(manifest.at("verified_on").at("name").as_string(), r.device.name);
  const LoadedBundle b = load_bundle(dir);
  EXPECT_CONTAINS(b.verified_on, "passed");
}

TEST(BundleVerify, BundleWithoutReportsGetsItsVerificationRecorded) {
  SKIP_WITHOUT_OPENCL();
  const IntegerModel m = small_model();
  const std::string dir = fresh_dir("verify-no-reports");
  const IntTensor input = small_input(m, 1);
  write_bundle(dir, m, input, run_reference(m, input), {});
  const VerifyReport r = verify_bundle(dir, 0);
  EXPECT_TRUE(r.passed()) << verification_text(r);
  EXPECT_TRUE(r.notes.empty()) << r.notes.front();
  EXPECT_CONTAINS(slurp(dir + "/reports/verification.txt"), "PASS");
}

TEST(BundleVerify, AlteredGoldenValueIsReportedAtItsPosition) {
  SKIP_WITHOUT_OPENCL();
  const std::string dir = write_small_bundle("verify-altered");
  const int32_t original = alter_golden(dir, 1, 2, 3, 4, 1);
  const VerifyReport r = verify_bundle(dir, 0);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.verdict(), "mismatch");
  EXPECT_EQ(r.check.mismatches(), 1);
  const Mismatch* m = r.check.first_mismatch();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->name, "add");
  EXPECT_EQ(m->layer, 3);
  EXPECT_EQ(m->n, 1);
  EXPECT_EQ(m->c, 2);
  EXPECT_EQ(m->y, 3);
  EXPECT_EQ(m->x, 4);
  EXPECT_EQ(m->got, original);
  EXPECT_EQ(m->expected, original + 1);
  const json_lite::Value j = json_lite::parse(verification_json(r).dump());
  EXPECT_EQ(j.at("first_mismatch").at("layer").as_string(), "add");
  EXPECT_EQ(j.at("first_mismatch").at("x").as_int(), 4);
  EXPECT_EQ(
      json_lite::parse(slurp(dir + "/MANIFEST.json")).at("verified_on").at("result").as_string(),
      "mismatch");
}

TEST(BundleVerify, TamperedBundleIsRefusedBeforeAnythingRuns) {
  const std::string dir = write_small_bundle("verify-tampered");
  std::string w = slurp(dir + "/weights.bin");
  w.back() = static_cast<char>(w.back() ^ 1);
  spit(dir + "/weights.bin", w);
  const std::string before = slurp(dir + "/MANIFEST.json");
  EXPECT_CONTAINS(error_of([&] { verify_bundle(dir, 0); }), "weights.bin: sha256 mismatch");
  EXPECT_EQ(slurp(dir + "/MANIFEST.json"), before);
  EXPECT_FALSE(fs::exists(dir + "/reports/verification.json"));
}

TEST(BundleVerify, MissingDeviceIndexIsAnError) {
  SKIP_WITHOUT_OPENCL();
  const std::string dir = write_small_bundle("verify-device");
  EXPECT_CONTAINS(error_of([&] { verify_bundle(dir, 99); }), "OpenCL device 99 does not exist");
}

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The bundle's host/ configured and built by CMake on its own (OpenCL only), then run.
TEST(BundleHostProgram, BuildsWithCMakeAloneAndChecksTheBundle) {
  const std::string dir = write_small_bundle("host-program");
  const std::string build = fresh_dir("host-program-build");
  const std::string log = build + "/run.log";
  fs::create_directories(build);
  ASSERT_EQ(run("nice -n 19 cmake -S " + dir + "/host -B " + build + " > " + log + " 2>&1"), 0)
      << slurp(log);
  ASSERT_EQ(run("nice -n 19 cmake --build " + build + " -j 1 >> " + log + " 2>&1"), 0)
      << slurp(log);
  const std::string host = build + "/bitshift-host";
  ASSERT_TRUE(fs::exists(host));
  EXPECT_EQ(run(host + " --help > /dev/null"), 0);
  EXPECT_EQ(run(host + " > /dev/null 2>&1"), 2);  // no bundle given
  if (list_opencl_devices().empty()) {
    EXPECT_EQ(run(host + " " + dir + " > " + log + " 2>&1"), 3) << slurp(log);
    GTEST_SKIP() << "no OpenCL device: the host program built but could only report that";
  }
  EXPECT_EQ(run(host + " " + dir + " > " + log + " 2>&1"), 0) << slurp(log);
  EXPECT_CONTAINS(slurp(log), "PASS: all " + std::to_string(9 + conformance_model().layers.size()) +
                                  " layers");
  EXPECT_CONTAINS(slurp(log), "conformance/conv_w4_odd");

  // One colour image at the model's 7x7 input, classified from its pixels: the logits are the
  // reference executor's on the codes the pixel table gives.
  IntegerModel m = small_model();
  add_pixel_codes(m);
  std::string ppm = "P6\n# a comment\n7 7\n255\n";
  IntTensor x;
  x.n = 1;
  x.values.assign(3 * 49, 0);
  for (int i = 0; i < 49; ++i)
    for (int c = 0; c < 3; ++c) {
      const int p = (i * 37 + c * 91) % 256;
      ppm += static_cast<char>(p);
      x.values[static_cast<size_t>(c * 49 + i)] = m.pixels.codes[static_cast<size_t>(c)][p];
    }
  const std::string image = build + "/seven.ppm";
  spit(image, ppm);
  const IntTensor logits = run_reference(m, x).back();
  std::string expected = "logits:";
  for (int32_t v : logits.values) expected += " " + std::to_string(v);
  EXPECT_EQ(run(host + " " + dir + " --image " + image + " > " + log + " 2>&1"), 0) << slurp(log);
  EXPECT_CONTAINS(slurp(log), expected + "\n");
  // The same pixels as a PNG written by Pillow (an RGBA one: alpha is dropped).
  const std::string png = build + "/seven.png";
  ASSERT_EQ(run("/usr/bin/python3 -c \"import sys; from PIL import Image; "
                "Image.open(sys.argv[1]).convert('RGBA').save(sys.argv[2])\" " + image + " " + png),
            0);
  EXPECT_EQ(run(host + " " + dir + " --image " + png + " > " + log + " 2>&1"), 0) << slurp(log);
  EXPECT_CONTAINS(slurp(log), expected + "\n");
  spit(image, ppm.substr(0, ppm.size() - 1));  // one pixel byte short
  EXPECT_EQ(run(host + " " + dir + " --image " + image + " > " + log + " 2>&1"), 2) << slurp(log);
  EXPECT_CONTAINS(slurp(log), "146 pixel bytes, expected 147");
  spit(image, "P6\n5 7\n255\n" + std::string(105, '\0'));
  EXPECT_EQ(run(host + " " + dir + " --image " + image + " > " + log + " 2>&1"), 2) << slurp(log);
  EXPECT_CONTAINS(slurp(log), "5x7 pixels, the model takes 7x7");
  alter_golden(dir, 2, 4, 6, 0, -3);
  EXPECT_EQ(run(host + " " + dir + " > " + log + " 2>&1"), 1) << slurp(log);
  EXPECT_CONTAINS(slurp(log), "n=2 c=4 y=6 x=0");
  std::string v = slurp(dir + "/testvectors/fc2.bin");
  spit(dir + "/testvectors/fc2.bin", v.substr(0, v.size() - 4));  // truncated, not re-hashed
  EXPECT_EQ(run(host + " " + dir + " > " + log + " 2>&1"), 2) << slurp(log);
  EXPECT_CONTAINS(slurp(log), "testvectors/fc2.bin");
}

}  // namespace
}  // namespace bitshift
