// Exported files run by the consumers' own tools against the studio's simulation: QDQ in ONNX
// Runtime (graph optimizations off and on), QONNX in qonnx's executor after its cleanup.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include "../calibrated_network.h"
#include "integer/agreement.h"
#include "interop/quantized_export.h"
#include "interop_test_util.h"

using namespace bitshift;
using namespace bitshift::testing;

namespace {

// Untrained networks (the import fixtures' random weights, binary weights without training)
// have logits so close that the simulation's own float32 rounding moves them: evaluated in
// float64 it disagrees with itself on up to 10 % of images. There the peer must stay within
// the simulation's own noise: agreement at most this many points below float32-vs-float64's,
// and the typical image's logits (the median of each image's largest difference) as close as
// that noise leaves them, up to this factor (a wrong op moves every image).
constexpr double kNoiseFloorPoints = 2.0;
constexpr double kNoiseFloorFactor = 4.0;

const std::string kFixtures = BITSHIFT_IMPORT_FIXTURES;

}  // namespace

struct PeerCase {
  std::string format;  // "qdq" (ONNX Runtime) or "qonnx" (qonnx's executor)
  std::string model, method, bits;
  int64_t images;
  bool trained = true;  // else measured against the simulation's float64 noise floor
};
void PrintTo(const PeerCase& c, std::ostream* os) {
  *os << c.format << " " << c.model << " " << c.method << " " << c.bits << " on " << c.images
      << " images";
}

class PeerRunsTheExport : public ::testing::TestWithParam<PeerCase> {};

TEST_P(PeerRunsTheExport, AsTheStudioSimulatedIt) {
  const PeerCase& p = GetParam();
  DatasetPair data;
  Normalization norm;
  QuantizedNetwork net =
      calibrated(p.model, p.bits, open_dataset("fashion-mnist"), &norm, p.method, &data);
  const std::string path = export_path(
      std::filesystem::path(p.model).stem().string() + "-" + p.method + "-" + p.bits, p.format);
  const QuantizedExport r =
      p.format == "qdq" ? write_qdq(net, norm, path) : write_qonnx(net, norm, path);
  EXPECT_EQ(r.float_weights, 0);
  EXPECT_EQ(r.weight_layers, static_cast<int64_t>(net.hooks->quantized_layers().size()));
  EXPECT_EQ(r.activation_sites, static_cast<int64_t>(net.hooks->sites().size()));

  const torch::Tensor x = first_images(data.test, norm, p.images);
  std::cout << p.format << " " << p.model << " " << p.method << " " << p.bits << " on " << p.images
            << " images\n";
  torch::Tensor sim;
  {
    torch::NoGradGuard no_grad;
    sim = net.model->forward(x);
  }
  Compared noise;  // the float32 simulation against itself in float64
  if (!p.trained) {
    torch::NoGradGuard no_grad;
    Float64Simulation f64(net);
    noise = compare(net.model->forward(x.to(torch::kFloat64)).to(torch::kFloat32), sim);
    std::cout << "  float64 simulation: top-1 " << noise.agreement << " % agree, logits mean rel "
              << noise.mean_rel << ", median image " << noise.median_rel << "\n";
  }
  std::vector<std::pair<std::string, torch::Tensor>> runs;
  if (p.format == "qdq") {
    runs.emplace_back("ONNX Runtime as written", run_onnx_runtime(path, x, "as-written"));
    runs.emplace_back("ONNX Runtime optimized", run_onnx_runtime(path, x, "optimized"));
  } else {
    runs.emplace_back("qonnx executor", run_qonnx(path, x));
  }
  for (const auto& [peer, y] : runs) {
    ASSERT_TRUE(y.defined()) << peer;
    ASSERT_EQ(y.sizes(), sim.sizes()) << peer;
    const Compared c = compare(y, sim);
    std::cout << "  " << peer << ": top-1 " << c.agreement << " % agree, logits max rel diff "
              << c.max_rel << ", mean " << c.mean_rel << ", median image " << c.median_rel << "\n";
    if (p.trained) {
      EXPECT_GE(c.agreement, kMinTop1Agreement) << peer;
      EXPECT_LE(c.max_rel, kLogitRelTolerance) << peer;
      EXPECT_LE(c.mean_rel, kMeanLogitRelTolerance) << peer;
    } else {
      EXPECT_GE(c.agreement, noise.agreement - kNoiseFloorPoints) << peer;
      EXPECT_LE(c.median_rel, kNoiseFloorFactor * noise.median_rel) << peer;
    }
  }
}

std::string case_name(const ::testing::TestParamInfo<PeerCase>& info) {
  std::string s = info.param.format + "_" +
                  std::filesystem::path(info.param.model).stem().string() + "_" +
                  info.param.method + "_" + info.param.bits;
  for (char& ch : s)
    if (ch == '-') ch = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Qdq, PeerRunsTheExport,
    ::testing::Values(
        PeerCase{"qdq", "lenet5", "minmax", "w8a8", 1000},
        PeerCase{"qdq", "lenet5", "lsq", "w4a8", 1000},
        PeerCase{"qdq", "lenet5", "pact", "w4a4", 1000},
        PeerCase{"qdq", "lenet5", "dorefa", "w4a4", 1000},
        PeerCase{"qdq", "lenet5", "pot-lut", "w4a8", 1000},
        PeerCase{"qdq", "resnet20", "minmax", "w8a8", 500},
        PeerCase{"qdq", "resnet20", "nice", "w4a8", 500},
        // Imported by the ONNX importer (torchvision's untrained, written by
        // torch.onnx.export at test time; Fashion-MNIST fitted to 3x64x64).
        PeerCase{"qdq", kFixtures + "/mobilenet_v2.onnx", "minmax", "w8a8", 200, false},
        PeerCase{"qdq", kFixtures + "/mobilenet_v2.onnx", "lsq", "w4a8", 200, false},
        PeerCase{"qdq", kFixtures + "/efficientnet_b0.onnx", "minmax", "w8a8", 200, false},
        PeerCase{"qdq", kFixtures + "/efficientnet_b0.onnx", "lsq", "w4a8", 200, false},
        // A user's own CNN: a dilated 3x5 conv, ceil-mode pools, an average pool leaving
        // padding out, clamp(-1, 1), a squeeze-excitation gate and a residual add.
        PeerCase{"qdq", kFixtures + "/usernet.onnx", "minmax", "w8a8", 500, false}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    Qonnx, PeerRunsTheExport,
    ::testing::Values(
        PeerCase{"qonnx", "lenet5", "minmax", "w8a8", 1000},
        PeerCase{"qonnx", "lenet5", "lsq", "w4a8", 1000},
        PeerCase{"qonnx", "lenet5", "dorefa", "w4a4", 1000},
        PeerCase{"qonnx", "lenet5", "pot-lut", "w4a8", 1000},
        // N2UQ's learned thresholds as MultiThreshold; binary weights as BipolarQuant.
        PeerCase{"qonnx", "lenet5", "n2uq", "w4a4", 1000},
        PeerCase{"qonnx", "lenet5", "dorefa", "w1a4", 1000, false},
        PeerCase{"qonnx", "resnet20", "minmax", "w8a8", 500},
        PeerCase{"qonnx", "resnet20", "nice", "w4a8", 500},
        PeerCase{"qonnx", kFixtures + "/mobilenet_v2.onnx", "lsq", "w4a8", 200, false},
        PeerCase{"qonnx", kFixtures + "/efficientnet_b0.onnx", "lsq", "w4a8", 200, false},
        PeerCase{"qonnx", kFixtures + "/usernet.onnx", "minmax", "w8a8", 500, false}),
    case_name);
