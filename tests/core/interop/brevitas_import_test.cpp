// Files written by Brevitas itself (make_brevitas_fixtures.py: a small CNN QAT-trained with
// Brevitas' layers on Fashion-MNIST, exported with its export_qonnx and export_onnx_qcdq) import
// as quantized models whose plan and scales come from the file, compute what Brevitas computed,
// and export as bundles verified bit for bit on OpenCL.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "../calibrated_network.h"
#include "../test_util.h"
#include "import/import.h"
#include "integer/export_job.h"
#include "interop_test_util.h"
#include "train/quantized_checkpoint.h"

using namespace bitshift;
using namespace bitshift::testing;

namespace {

std::string fixture(const std::string& name) { return BITSHIFT_BREVITAS_FIXTURES "/" + name; }

}  // namespace

// Outside the anonymous namespace: gtest's generated test classes derive from it (gcc warns).
class BrevitasFile : public ::testing::TestWithParam<std::string> {};

TEST_P(BrevitasFile, ImportsWithItsOwnPlanAndComputesWhatBrevitasComputed) {
  const std::string path = fixture("brevitas." + GetParam() + ".onnx");
  const auto meta = nlohmann::json::parse(std::ifstream(fixture("brevitas.json")));
  const int64_t n = meta.at("images");
  const torch::Tensor brevitas = read_float_file(fixture("brevitas_logits.bin"), n);
  ASSERT_TRUE(brevitas.defined());

  const Checkpoint ck = import_model(path, Shape{1, 28, 28, false});
  ASSERT_TRUE(is_quantized(ck));
  QuantizedNetwork net = load_quantized(ck, path);
  net.model->eval();
  // The plan as the Brevitas model declares it: 4-bit convolutions on an 8-bit input and 4-bit
  // ReLUs, an 8-bit classifier; every scale per tensor (Brevitas' defaults).
  std::map<std::string, std::pair<int, int>> want = {
      {"conv1", {4, 8}}, {"conv2", {4, 4}}, {"fc", {8, 4}}};
  ASSERT_EQ(net.plan.layers.size(), want.size());
  for (const LayerPlan& lp : net.plan.layers) {
    ASSERT_TRUE(want.count(lp.layer)) << "layer names from the file: " << lp.layer;
    EXPECT_EQ(lp.w_bits, want[lp.layer].first) << lp.layer;
    EXPECT_EQ(lp.a_bits, want[lp.layer].second) << lp.layer;
    EXPECT_EQ(lp.method, "fixed");
  }

  const float mean = meta.at("mean"), std_dev = meta.at("std");
  const DatasetPair data = open_dataset("fashion-mnist");
  torch::Tensor sim;
  {
    torch::NoGradGuard no_grad;
    sim = net.model->forward(first_images(data.test, Normalization{{mean}, {std_dev}}, n));
  }
  const Compared c = compare(sim, brevitas);
  std::cout << GetParam() << ": top-1 agreement with Brevitas " << c.agreement << " % on " << n
            << " images, largest logit difference " << c.max_rel << " of the range\n";
  EXPECT_GE(c.agreement, kMinTop1Agreement);
  EXPECT_LE(c.max_rel, kLogitRelTolerance);
  EXPECT_LE(c.mean_rel, kMeanLogitRelTolerance);
}

TEST_P(BrevitasFile, ExportsAsABundleVerifiedOnOpenCl) {
  ExportConfig config;
  config.checkpoint = fixture("brevitas." + GetParam() + ".onnx");
  config.out = interop_tmp() + "/bundle-brevitas-" + GetParam();
  config.agreement_images = 500;
  const auto r = run_export(config, nullptr);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r->verified);
  EXPECT_TRUE(r->verification.passed()) << r->verification.verdict();
  EXPECT_GE(r->agreement.agreement, kMinTop1Agreement) << "integers against the simulation";
  EXPECT_TRUE(std::filesystem::exists(config.out + "/network.json"));
}

INSTANTIATE_TEST_SUITE_P(Brevitas, BrevitasFile, ::testing::Values("qonnx", "qcdq"));
