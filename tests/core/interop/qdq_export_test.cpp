// QDQ ONNX export: files that ONNX Runtime (an outside reference, from PyPI) runs the way the
// studio simulated them, with the integer codes, per-channel scales and narrow-grid clips a QDQ
// consumer reads, and clear refusals where QuantizeLinear cannot say what a quantizer does.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "../calibrated_network.h"
#include "../test_util.h"
#include "integer/agreement.h"
#include "interop/quantized_export.h"
#include "peer_runner.h"

using namespace bitshift;
using namespace bitshift::testing;

namespace {

// Top-1 agreement ONNX Runtime vs simulation (the bar), and logits within a tolerance of
// the logits' range: QuantizeLinear rounds half to even and divides where a quantizer may
// multiply, so a value at a level boundary now and then lands one level apart.
constexpr double kMinTop1Agreement = 99.5;   // percent
constexpr double kLogitRelTolerance = 0.05;  // max |ort - sim| / max |sim|, worst image
constexpr double kMeanLogitRelTolerance = 1e-3;
// Untrained imported networks (the import fixtures' random weights) have logits so close that
// the simulation's own float32 rounding moves them: evaluated in float64 it disagrees with
// itself on up to 5 % of images. There ONNX Runtime must stay within the simulation's own
// noise: agreement at most this many points below float32-vs-float64's, and the typical
// image's logits (the median of each image's largest difference) as close as that noise
// leaves them, up to this factor (a wrong op moves every image).
constexpr double kNoiseFloorPoints = 2.0;
constexpr double kNoiseFloorFactor = 4.0;

onnx::ModelProto read_model(const std::string& path) {
  onnx::ModelProto m;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&in)) << path;
  return m;
}

std::map<std::string, int> op_counts(const onnx::ModelProto& m) {
  std::map<std::string, int> n;
  for (const auto& node : m.graph().node()) ++n[node.op_type()];
  return n;
}

const onnx::TensorProto* find_initializer(const onnx::ModelProto& m, const std::string& name) {
  for (const auto& t : m.graph().initializer())
    if (t.name() == name) return &t;
  return nullptr;
}

struct Compared {
  double agreement = 0, max_rel = 0, mean_rel = 0;
  double median_rel = 0;  // the median image's largest logit difference, relative
};

Compared compare(const torch::Tensor& ort, const torch::Tensor& sim) {
  Compared c;
  const double range = sim.abs().max().item<double>();
  const auto diff = (ort - sim).abs();
  c.max_rel = diff.max().item<double>() / range;
  c.mean_rel = diff.mean().item<double>() / range;
  c.median_rel = std::get<0>(diff.amax(1).median(0)).item<double>() / range;
  c.agreement = 100.0 * ort.argmax(1).eq(sim.argmax(1)).sum().item<double>() / sim.size(0);
  return c;
}

std::string qdq_path(const std::string& name) {
  std::filesystem::create_directories(interop_tmp());
  return interop_tmp() + "/" + name + ".qdq.onnx";
}

}  // namespace

struct QdqCase {
  std::string model, method, bits;
  int64_t images;
  bool trained = true;  // else measured against the simulation's float64 noise floor
};
void PrintTo(const QdqCase& c, std::ostream* os) {
  *os << c.model << " " << c.method << " " << c.bits << " on " << c.images << " images";
}

const std::string kFixtures = BITSHIFT_IMPORT_FIXTURES;

class QdqInOnnxRuntime : public ::testing::TestWithParam<QdqCase> {};

TEST_P(QdqInOnnxRuntime, AgreesWithTheSimulation) {
  const QdqCase& p = GetParam();
  DatasetPair data;
  Normalization norm;
  QuantizedNetwork net =
      calibrated(p.model, p.bits, open_dataset("fashion-mnist"), &norm, p.method, &data);
  const std::string path =
      qdq_path(std::filesystem::path(p.model).stem().string() + "-" + p.method + "-" + p.bits);
  const QuantizedExport r = write_qdq(net, norm, path);
  EXPECT_EQ(r.float_weights, 0);
  EXPECT_EQ(r.weight_layers, static_cast<int64_t>(net.hooks->quantized_layers().size()));
  EXPECT_EQ(r.activation_sites, static_cast<int64_t>(net.hooks->sites().size()));

  const torch::Tensor x = first_images(data.test, norm, p.images);
  std::cout << p.model << " " << p.method << " " << p.bits << " on " << p.images << " images\n";
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
  for (const std::string mode : {"as-written", "optimized"}) {
    const torch::Tensor ort = run_onnx_runtime(path, x, mode);
    ASSERT_TRUE(ort.defined());
    ASSERT_EQ(ort.sizes(), sim.sizes());
    const Compared c = compare(ort, sim);
    std::cout << "  ONNX Runtime (" << mode << "): top-1 " << c.agreement
              << " % agree, logits max rel diff " << c.max_rel << ", mean " << c.mean_rel
              << ", median image " << c.median_rel << "\n";
    if (p.trained) {
      EXPECT_GE(c.agreement, kMinTop1Agreement) << mode;
      EXPECT_LE(c.max_rel, kLogitRelTolerance) << mode;
      EXPECT_LE(c.mean_rel, kMeanLogitRelTolerance) << mode;
    } else {
      EXPECT_GE(c.agreement, noise.agreement - kNoiseFloorPoints) << mode;
      EXPECT_LE(c.median_rel, kNoiseFloorFactor * noise.median_rel) << mode;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    ZooModels, QdqInOnnxRuntime,
    ::testing::Values(
        QdqCase{"lenet5", "minmax", "w8a8", 1000}, QdqCase{"lenet5", "lsq", "w4a8", 1000},
        QdqCase{"lenet5", "pact", "w4a4", 1000}, QdqCase{"lenet5", "dorefa", "w4a4", 1000},
        QdqCase{"lenet5", "pot-lut", "w4a8", 1000}, QdqCase{"resnet20", "minmax", "w8a8", 500},
        QdqCase{"resnet20", "nice", "w4a8", 500},
        // Imported by the ONNX importer (torchvision's untrained, written by
        // torch.onnx.export at test time; Fashion-MNIST fitted to 3x64x64).
        QdqCase{kFixtures + "/mobilenet_v2.onnx", "minmax", "w8a8", 200, false},
        QdqCase{kFixtures + "/mobilenet_v2.onnx", "lsq", "w4a8", 200, false},
        QdqCase{kFixtures + "/efficientnet_b0.onnx", "minmax", "w8a8", 200, false},
        QdqCase{kFixtures + "/efficientnet_b0.onnx", "lsq", "w4a8", 200, false},
        // A user's own CNN: a dilated 3x5 conv, ceil-mode pools, an average pool leaving
        // padding out, clamp(-1, 1), a squeeze-excitation gate and a residual add.
        QdqCase{kFixtures + "/usernet.onnx", "minmax", "w8a8", 500, false}),
    [](const auto& info) {
      std::string s = std::filesystem::path(info.param.model).stem().string() + "_" +
                      info.param.method + "_" + info.param.bits;
      for (char& ch : s)
        if (ch == '-') ch = '_';
      return s;
    });

// What a QDQ consumer reads: int8 weight codes in the b-bit range through a per-channel
// DequantizeLinear (axis 0), and activations clipped to their b-bit codes.
TEST(QuantizedExport, WritesNarrowCodesPerChannelAndClipsNarrowActivations) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  QuantizedNetwork net = calibrated("lenet5", "w4a4", data, &norm, "lsq");
  const std::string path = qdq_path("lenet5-lsq-w4a4-structure");
  write_qdq(net, norm, path);
  const onnx::ModelProto m = read_model(path);
  auto ops = op_counts(m);
  EXPECT_EQ(m.opset_import(0).version(), 13);
  EXPECT_EQ(ops["Conv"], 2);
  EXPECT_EQ(ops["Gemm"], 3);
  EXPECT_EQ(ops["DequantizeLinear"], 5 + ops["QuantizeLinear"]);  // 5 weights + each site
  EXPECT_EQ(ops["Clip"], ops["QuantizeLinear"]);  // every site is narrower than 8 bits

  const onnx::TensorProto* codes = find_initializer(m, "conv1.weight_codes");
  ASSERT_NE(codes, nullptr);
  EXPECT_EQ(codes->data_type(), onnx::TensorProto::INT8);
  const std::string& raw = codes->raw_data();
  int lo = 127, hi = -128;
  for (char ch : raw)
    lo = std::min<int>(lo, static_cast<int8_t>(ch)),
    hi = std::max<int>(hi, static_cast<int8_t>(ch));
  EXPECT_GE(lo, -8);
  EXPECT_LE(hi, 7);
  EXPECT_GT(hi - lo, 8) << "the codes should use most of the 4-bit range";

  bool per_channel_axis = false;
  for (const auto& n : m.graph().node())
    if (n.op_type() == "DequantizeLinear" && n.input(0) == "conv1.weight_codes")
      for (const auto& a : n.attribute()) per_channel_axis |= a.name() == "axis" && a.i() == 0;
  const auto* scale = find_initializer(m, "conv1.weight_scale");
  ASSERT_NE(scale, nullptr);
  if (net.plan.layers[0].granularity == Granularity::GranularityPerChannel) {
    EXPECT_TRUE(per_channel_axis);
    EXPECT_EQ(scale->dims(0), 6);
  } else {
    EXPECT_EQ(scale->dims_size(), 0);  // a per-tensor scale is a scalar
  }
  // The site conv2 reads (conv1's ReLU): a4, codes 0..15 of uint8.
  const std::string site = net.model->graph().node(net.hooks->sites()[1].node).name;
  const auto* act_max = find_initializer(m, site + ".act_max");
  ASSERT_NE(act_max, nullptr);
  EXPECT_EQ(static_cast<uint8_t>(act_max->raw_data()[0]), 15);
}

TEST(QuantizedExport, RefusesWhatQuantizeLinearCannotExpressNamingTheLayer) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  {
    QuantizedNetwork net = calibrated("lenet5", "w4a4", data, &norm, "n2uq");
    const std::string msg = error_of([&] { write_qdq(net, norm, qdq_path("refused-n2uq")); });
    EXPECT_CONTAINS(msg, "layer '");
    EXPECT_CONTAINS(msg, "thresholds (N2UQ)");
  }
  {
    QuantizedNetwork net = calibrated("lenet5", "w8a16", data, &norm, "minmax");
    const std::string msg = error_of([&] { write_qdq(net, norm, qdq_path("refused-a16")); });
    EXPECT_CONTAINS(msg, "16-bit activation codes");
    EXPECT_CONTAINS(msg, "do not fit 8 bits");
  }
  EXPECT_FALSE(std::filesystem::exists(qdq_path("refused-n2uq")));
}

// UNIQ's quantile levels have no integer grid: the layer is written with its float levels and
// says so, and the model still runs as simulated.
TEST(QuantizedExport, RealValuedWeightLevelsAreWrittenAsFloatWithANote) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  QuantizedNetwork net = calibrated("lenet5", "w4a8", data, &norm, "uniq");
  const std::string path = qdq_path("lenet5-uniq-w4a8");
  const QuantizedExport r = write_qdq(net, norm, path);
  EXPECT_EQ(r.float_weights, static_cast<int64_t>(net.hooks->quantized_layers().size()));
  ASSERT_FALSE(r.notes.empty());
  EXPECT_CONTAINS(r.notes[0], "real-valued levels");
  const torch::Tensor x = first_images(data.test, norm, 200);
  torch::NoGradGuard no_grad;
  const Compared c = compare(run_onnx_runtime(path, x), net.model->forward(x));
  EXPECT_GE(c.agreement, kMinTop1Agreement);
  EXPECT_LE(c.mean_rel, kMeanLogitRelTolerance);
}
