// bitshift-cli end to end: what a newcomer types, checked by exit code and output.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <string>

#include "cli_run.h"

namespace fs = std::filesystem;

TEST(Cli, HelpListsEverySubcommand) {
  const CliRun r = cli("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* c : {"run", "train", "eval", "summary"})
    EXPECT_NE(r.out.find(std::string("  ") + c + " "), std::string::npos) << c;
}

TEST(Cli, EachSubcommandHasHelp) {
  for (const char* c : {"run", "train", "eval", "summary"}) {
    const CliRun r = cli(std::string(c) + " --help");
    EXPECT_EQ(r.exit_code, 0) << c;
    EXPECT_NE(r.out.find("--model"), std::string::npos) << c;
  }
}

TEST(Cli, UnknownOptionIsAUsageErrorWithExitCode2) {
  const CliRun r = cli("train --model lenet5 --epochz 3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--epochz"), std::string::npos) << r.err;
}

TEST(Cli, ADeviceThatCannotBeUsedExitsWith2BeforeAnyWork) {
  const CliRun tpu = cli("quantize --model lenet5 --device tpu --out " + tmp("device-tpu.bsck"));
  EXPECT_EQ(tpu.exit_code, 2);
  EXPECT_NE(tpu.err.find("device 'tpu': expected cpu, cuda or cuda:N"), std::string::npos) << tpu.err;
  // Debian's LibTorch has no CUDA: the user is told why and what to do.
  const CliRun cuda = cli("train --model lenet5 --device cuda:1 --epochs 1 --out " + tmp("device-cuda.bsck"));
  EXPECT_EQ(cuda.exit_code, 2);
  EXPECT_NE(cuda.err.find("device 'cuda:1': this LibTorch was built without CUDA"), std::string::npos) << cuda.err;
  EXPECT_EQ(cuda.out.find("epoch"), std::string::npos) << "it trained first: " << cuda.out;
}

TEST(Cli, UnknownCommandExitsWith2) {
  EXPECT_EQ(cli("frobnicate").exit_code, 2);
}

TEST(Cli, NonNumericEpochsNamesTheValue) {
  const CliRun r = cli("train --model lenet5 --epochs three");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'three'"), std::string::npos) << r.err;
}

TEST(Cli, SummaryJsonIsOneObjectWithLeNet5Totals) {
  const CliRun r = cli("summary --model lenet5 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);  // throws if stdout is not exactly JSON
  EXPECT_EQ(j.at("params"), 61728);
  EXPECT_EQ(j.at("macs"), 416520);
  EXPECT_EQ(j.at("layers").size(), 14u);  // conv, bn, relu, pool x2; flatten; fc, relu x2; fc
}

TEST(Cli, EvalOfMissingCheckpointNamesTheFileAndExitsWith2) {
  const CliRun r = cli("eval --model /nonexistent/model.bsck");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/model.bsck"), std::string::npos) << r.err;
}

TEST(Cli, BadDataFolderExitsWith2) {
  const CliRun r = cli("summary --model lenet5 --data /nonexistent-dataset-dir");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent-dataset-dir"), std::string::npos) << r.err;
}

TEST(Cli, TrainWritesCheckpointAndRunRecordThatEvalReproduces) {
  const std::string ck = tmp("cli-lenet5.bsck");
  const std::string rec = tmp("cli-lenet5.json");
  fs::remove(ck);
  fs::remove(rec);
  const CliRun r = cli("train --model lenet5 --epochs 1 --train-limit 2048 --test-limit 500 "
                    "--optimizer adam --seed 3 --threads 2 --json --out " + ck + " --record " + rec);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.at("history").size(), 1u);
  const double top1 = j.at("top1");
  EXPECT_GT(top1, 50.0);
  ASSERT_TRUE(fs::exists(ck));
  const auto record = nlohmann::json::parse(std::ifstream(rec));
  EXPECT_EQ(record.at("model"), "lenet5");
  EXPECT_EQ(record.at("config").at("seed"), 3);
  // Evaluating the written checkpoint on the same images gives the recorded accuracy exactly.
  const CliRun e = cli("eval --model " + ck + " --test-limit 500 --json");
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(e.out).at("top1").get<double>(), top1);
}

TEST(Cli, MethodsListsEverySeedAndBaselineMethod) {
  const CliRun r = cli("methods --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> ids;
  const auto j = nlohmann::json::parse(r.out);
  for (const auto& m : j.at("methods")) ids.push_back(m.at("id"));
  EXPECT_EQ(ids, (std::vector<std::string>{"nice", "uniq", "uniq-sym", "n2uq", "pot-lut", "lsq",
                                           "pact", "dorefa", "minmax", "fixed"}));
}

TEST(Cli, SensitivityListsEveryLayerAndBitWidthAsJson) {
  const CliRun r = cli("sensitivity --model lenet5 --method lsq --images 128 --weight-bits 2,8 "
                       "--activation-bits 4 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("method"), "lsq");
  EXPECT_EQ(j.at("images"), 128);
  const auto& e = j.at("entries");
  ASSERT_EQ(e.size(), 15u);  // 5 layers x (w2, w8, a4)
  EXPECT_EQ(e[0].at("layer"), "conv1");
  EXPECT_EQ(e[0].at("operand"), "w");
  EXPECT_EQ(e[0].at("bits"), 2);
  EXPECT_NEAR(e[0].at("top1_drop").get<double>(),
              j.at("fp_top1").get<double>() - e[0].at("top1").get<double>(), 1e-9);

  const CliRun bad = cli("sensitivity --model lenet5 --weight-bits 2,40");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--weight-bits '2,40': expected bit-widths 1..16"), std::string::npos)
      << bad.err;
}

// Sensitivity, then a plan within the BOPs of uniform w3a3 that cost and quantize read.
TEST(Cli, AllocateFitsABudgetAndWritesAPlanThatCostAndQuantizeRead) {
  const std::string sens = tmp("lenet5-lsq-sensitivity.json");
  {
    const CliRun r = cli("sensitivity --model lenet5 --method lsq --images 128 --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ofstream(sens) << r.out;
  }
  const std::string plan = tmp("lenet5-allocated.json");
  std::remove(plan.c_str());
  const CliRun r = cli("allocate --model lenet5 --method lsq --budget bops=w3a3 --sensitivity " +
                       sens + " --out " + plan + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const double budget = j.at("budget").at("value").get<double>();
  EXPECT_LE(j.at("cost").get<double>(), budget);
  EXPECT_GT(j.at("cost").get<double>(), 0.9 * budget) << "a good plan spends its budget";
  EXPECT_LE(j.at("lower_bound").get<double>(), j.at("objective").get<double>());
  const auto& layers = j.at("plan").at("layers");
  ASSERT_EQ(layers.size(), 5u);
  EXPECT_EQ(layers[0].at("w_bits"), 8);  // LSQ keeps its first and last layers at 8 bits
  EXPECT_EQ(layers[4].at("a_bits"), 8);

  const CliRun c = cli("cost --model lenet5 --plan " + plan + " --json");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(c.out).at("bops").get<double>(),
                   j.at("cost").get<double>());
  const CliRun q = cli("quantize --model lenet5 --plan " + plan + " --layer fc3=8/8 --epochs 1 " +
                       "--train-limit 256 --test-limit 100 --out " + tmp("lenet5-plan.bsck") +
                       " --json");
  ASSERT_EQ(q.exit_code, 0) << q.err;

  // The other way round: the cheapest plan within the predicted loss of the one above costs
  // no more than it.
  const CliRun by_loss = cli("allocate --model lenet5 --method lsq --sensitivity " + sens + " --max-loss " +
                             nlohmann::json(j.at("objective").get<double>() * (1 + 1e-9)).dump() + " --json");
  ASSERT_EQ(by_loss.exit_code, 0) << by_loss.err;
  const auto k = nlohmann::json::parse(by_loss.out);
  EXPECT_LE(k.at("cost").get<double>(), j.at("cost").get<double>());
  EXPECT_LE(k.at("objective").get<double>(), j.at("objective").get<double>() * (1 + 1e-9));
  const CliRun both = cli("allocate --model lenet5 --budget bops=w3a3 --max-loss 0.1");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("not both"), std::string::npos) << both.err;

  const CliRun low = cli("allocate --model lenet5 --method lsq --budget bops=1000");
  EXPECT_EQ(low.exit_code, 2);
  EXPECT_NE(low.err.find("below the cheapest plan"), std::string::npos) << low.err;
  EXPECT_EQ(low.err.find("Measuring"), std::string::npos) << "refused before measuring";
}

TEST(Cli, CostOfLeNet5AtW8A8WithQuantizedEdgesMatchesHandBops) {
  const CliRun r = cli("cost --model lenet5 --method lsq --bits w8a8 --edges quantized --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  // fc3: 10 outputs x 84 fan-in x (64 + 16 + log2 84).
  const double fc3 = 10 * 84 * (64 + 16 + std::log2(84.0));
  EXPECT_NEAR(j.at("layers").back().at("bops").get<double>(), fc3, 1e-6);
  EXPECT_EQ(j.at("macs"), 416520);
}

TEST(Cli, BadPlanExitsWith2NamingLayerAndValue) {
  const CliRun zero = cli("cost --model lenet5 --bits w4a4 --layer conv2=0/4");
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.err.find("'conv2'"), std::string::npos) << zero.err;
  const CliRun ghost = cli("cost --model lenet5 --bits w4a4 --layer conv7=8/8");
  EXPECT_EQ(ghost.exit_code, 2);
  EXPECT_NE(ghost.err.find("'conv7'"), std::string::npos) << ghost.err;
  EXPECT_EQ(cli("cost --model lenet5 --method nice --bits w1a4").exit_code, 2);
}

TEST(Cli, GranularityPerChannelReachesThePlanAndBadValuesExitWith2) {
  const CliRun bad = cli("cost --model lenet5 --granularity per-row");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--granularity 'per-row': expected per-tensor or per-channel"),
            std::string::npos) << bad.err;
  const std::string ck = tmp("cli-per-channel.bsck");
  const CliRun r = cli("quantize --model lenet5 --method minmax --bits w4a8 --granularity "
                       "per-channel --epochs 1 --train-limit 256 --test-limit 100 --out " + ck);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto record = nlohmann::json::parse(std::ifstream(ck + ".json"));
  int per_channel = 0;
  for (const auto& l : record.at("config").at("plan").at("layers"))
    per_channel += l.at("granularity") == "per-channel";
  EXPECT_EQ(per_channel, 5);  // every weight layer of LeNet-5
}

TEST(Cli, MinMaxW8A8OfTheShippedLeNet5StaysWithinOnePoint) {
  const std::string ck = tmp("cli-minmax.bsck");
  const CliRun r = cli("quantize --model lenet5 --method minmax --bits w8a8 --test-limit 1000 "
                       "--json --out " + ck);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j.at("fp32_top1").get<double>(), 85.0);  // the shipped baseline was loaded
  constexpr double kMaxDropPoints = 1.0;
  EXPECT_GT(j.at("top1").get<double>(), j.at("fp32_top1").get<double>() - kMaxDropPoints);
  EXPECT_LT(j.at("bops").get<double>(), j.at("fp32_bops").get<double>() / 10);
  ASSERT_TRUE(fs::exists(ck));
  // The quantized checkpoint evaluates to exactly the accuracy quantize reported.
  const CliRun e = cli("eval --model " + ck + " --test-limit 1000 --json");
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const auto ej = nlohmann::json::parse(e.out);
  EXPECT_TRUE(ej.at("quantized").get<bool>());
  EXPECT_DOUBLE_EQ(ej.at("top1").get<double>(), j.at("top1").get<double>());
}

TEST(Cli, DefaultJobLoadsTheShippedResNet20BaselineAboveTarget) {
  const CliRun r = cli("run --epochs 0 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("model"), "resnet20");
  EXPECT_NE(j.at("origin").get<std::string>().find("resnet20-fashion-mnist.bsck"), std::string::npos);
  EXPECT_GE(j.at("fp32").at("top1").get<double>(), 92.5);  // the target, all 10k images
}

namespace {

// A quantized checkpoint of a shipped baseline made without training (min/max calibration),
// every layer quantized so the whole network can run on integers.
std::string quantized_checkpoint(const std::string& model, const std::string& bits) {
  const std::string ck = tmp("export-" + model + "-" + bits + ".bsck");
  if (fs::exists(ck)) return ck;
  const CliRun r = cli("quantize --model " + model + " --method minmax --bits " + bits +
                       " --edges quantized --test-limit 200 --json --out " + ck);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return ck;
}

constexpr double kMinAgreementPercent = 99.5;  // the top-1 agreement target

}  // namespace

TEST(CliExport, LeNet5W4A8AndW4A4ExportVerifyAndAgreeWithTheSimulation) {
  for (const char* bits : {"w4a8", "w4a4"}) {
    const std::string bundle = tmp(std::string("bundle-lenet5-") + bits);
    const CliRun r = cli("export --model " + quantized_checkpoint("lenet5", bits) + " --out " +
                         bundle + " --agreement-images 2000 --json");
    ASSERT_EQ(r.exit_code, 0) << bits << "\n" << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_GE(j.at("agreement").at("agreement").get<double>(), kMinAgreementPercent) << bits;
    EXPECT_EQ(j.at("agreement").at("images").get<int64_t>(), 2000);
    EXPECT_EQ(j.at("verification").at("verdict"), "passed") << r.err;
    for (const char* f : {"MANIFEST.json", "FORMAT.md", "network.json", "weights.bin",
                          "device/conv.cl", "host/CMakeLists.txt", "reports/estimate.txt",
                          "reports/agreement.json", "reports/verification.json"})
      EXPECT_TRUE(fs::exists(bundle + "/" + f)) << f;
  }
}

TEST(CliExport, ResNet20W4A8AndW4A4WithResidualAddsVerify) {
  for (const char* bits : {"w4a8", "w4a4"}) {
    const std::string bundle = tmp(std::string("bundle-resnet20-") + bits);
    const CliRun r = cli("export --model " + quantized_checkpoint("resnet20", bits) + " --out " +
                         bundle + " --agreement-images 300 --vectors 2 --json");
    ASSERT_EQ(r.exit_code, 0) << bits << "\n" << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_GE(j.at("agreement").at("agreement").get<double>(), kMinAgreementPercent) << bits;
    EXPECT_EQ(j.at("verification").at("verdict"), "passed") << bits;
    EXPECT_NE(nlohmann::json::parse(std::ifstream(bundle + "/network.json")).dump().find("\"add\""),
              std::string::npos);
  }
}

TEST(CliExport, VerifyRefusesATamperedBundleNamingTheFile) {
  const std::string bundle = tmp("bundle-tampered");
  ASSERT_EQ(cli("export --model " + quantized_checkpoint("lenet5", "w4a8") + " --out " + bundle +
                " --agreement-images 100 --no-verify").exit_code, 0);
  EXPECT_EQ(cli("verify " + bundle).exit_code, 0);
  {
    std::fstream f(bundle + "/weights.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.put('\x5a');
  }
  const CliRun r = cli("verify " + bundle);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("weights.bin"), std::string::npos) << r.err;
}

TEST(CliExport, VerifyDoesNotFollowAPlantedTemporarySymlinkOutOfTheBundle) {
  // Before: verify wrote reports/verification.json through the fixed name
  // "verification.json.tmp", so a symlink planted there overwrote a file outside the bundle.
  const std::string bundle = tmp("bundle-planted");
  ASSERT_EQ(cli("export --model " + quantized_checkpoint("lenet5", "w4a8") + " --out " + bundle +
                " --agreement-images 100 --no-verify").exit_code, 0);
  const std::string victim = tmp("outside-the-bundle.txt");
  { std::ofstream(victim) << "precious"; }
  std::filesystem::create_directories(bundle + "/reports");
  for (const char* name : {"/reports/verification.json.tmp", "/reports/verification.txt.tmp", "/MANIFEST.json.tmp"}) {
    std::filesystem::remove(bundle + name);
    std::filesystem::create_symlink(victim, bundle + name);
  }
  // Now a bundle with a link inside is refused outright, naming it; nothing is written.
  const CliRun v = cli("verify " + bundle);
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_NE(v.err.find("is a symbolic link"), std::string::npos) << v.err;
  EXPECT_EQ(read_text(victim), "precious");
}

namespace {

// sha256 of a file, by coreutils (the test does not trust the code under test to hash).
std::string sha256_of(const std::string& path) {
  FILE* p = ::popen(("sha256sum '" + path + "'").c_str(), "r");
  std::array<char, 128> buf{};
  const size_t n = std::fread(buf.data(), 1, 64, p);
  ::pclose(p);
  return std::string(buf.data(), n);
}

// A bundle whose every kernel starts with `code`, re-hashed in MANIFEST.json as an attacker
// (or a broken code generator) would: it loads, and its kernels misbehave on the device.
std::string bundle_with_planted_kernels(const std::string& name, const std::string& code) {
  const std::string bundle = tmp(name);
  fs::remove_all(bundle);
  EXPECT_EQ(cli("export --model " + quantized_checkpoint("lenet5", "w4a8") + " --out " + bundle +
                " --agreement-images 100 --no-verify").exit_code, 0);
  nlohmann::json manifest = nlohmann::json::parse(read_text(bundle + "/MANIFEST.json"));
  for (auto& f : manifest["files"]) {
    const std::string path = f["path"];
    if (path.size() < 3 || path.substr(path.size() - 3) != ".cl") continue;
    std::string text = read_text(bundle + "/" + path);
    for (size_t at = text.find("__kernel"); at != std::string::npos; at = text.find("__kernel", at + 1)) {
      const size_t body = text.find('{', at);
      text.insert(body + 1, "\n" + code + "\n");
    }
    std::ofstream(bundle + "/" + path, std::ios::binary | std::ios::trunc) << text;
    f["bytes"] = text.size();
    f["sha256"] = sha256_of(bundle + "/" + path);
  }
  std::ofstream(bundle + "/MANIFEST.json", std::ios::trunc) << manifest.dump(2);
  return bundle;
}

}  // namespace

TEST(CliExport, KernelsThatCrashAreAFailedVerificationNotACrashOfVerify) {
  // Before: verify ran the kernels in its own process, and this bundle killed it (SIGSEGV).
  const std::string bundle =
      bundle_with_planted_kernels("bundle-crashing", "((__global volatile int*)0)[get_global_id(0) + 16] = 1;");
  const CliRun r = cli("verify " + bundle + " --json");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("crashed (it was killed by signal"), std::string::npos) << r.err;
  const auto j = nlohmann::json::parse(r.out);  // still exactly one JSON object
  EXPECT_EQ(j["verdict"], "crashed");
  EXPECT_FALSE(j["passed"].get<bool>());
}

TEST(CliExport, KernelsThatNeverEndAreStoppedAtTheTimeLimit) {
  // Before: verify waited forever.
  const std::string bundle = bundle_with_planted_kernels("bundle-endless", "{ volatile int spin = 1; while (spin) {} }");
  const auto start = std::chrono::steady_clock::now();
  const CliRun r = cli("verify " + bundle + " --timeout 10");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("did not finish within 10 s"), std::string::npos) << r.err;
  EXPECT_LT(seconds, 60.0);
}

TEST(CliExport, FullPrecisionFirstLayerIsRefusedWithTheFlagThatFixesIt) {
  const std::string ck = tmp("export-fp-first.bsck");
  ASSERT_EQ(cli("quantize --model lenet5 --method minmax --bits w4a8 --edges first-fp "
                "--test-limit 100 --out " + ck).exit_code, 0);
  const CliRun r = cli("export --model " + ck + " --out " + tmp("bundle-never"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--layer conv1=8/8"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp("bundle-never")));
}
