// QONNX export: Quant, BipolarQuant and MultiThreshold nodes in qonnx's domain, a type and shape
// for every tensor, and what a FINN flow would refuse (how qonnx's executor runs the files:
// peer_agreement_test.cpp).
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <set>

#include "../calibrated_network.h"
#include "../test_util.h"
#include "interop/quantized_export.h"
#include "interop_test_util.h"

using namespace bitshift;
using namespace bitshift::testing;

namespace {

const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

float scalar_of(const onnx::ModelProto& m, const std::string& name) {
  const auto* t = find_initializer(m, name);
  EXPECT_NE(t, nullptr) << name;
  float v = 0;
  if (t && t->raw_data().size() == 4) std::memcpy(&v, t->raw_data().data(), 4);
  return v;
}

}  // namespace

TEST(QonnxExport, QuantNodesCarryBitsSignAndAShapeForEveryTensor) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  QuantizedNetwork net = calibrated("lenet5", "w4a4", data, &norm, "lsq");
  const std::string path = export_path("lenet5-lsq-w4a4-structure", "qonnx");
  const QuantizedExport r = write_qonnx(net, norm, path);
  const onnx::ModelProto m = read_model(path);
  ASSERT_EQ(m.opset_import_size(), 2);
  EXPECT_EQ(m.opset_import(0).version(), 11);
  EXPECT_EQ(m.opset_import(1).domain(), "qonnx.custom_op.general");
  auto ops = op_counts(m);
  EXPECT_EQ(ops["Quant"], 5 + r.activation_sites);  // 5 weight layers + every site
  for (const auto& n : m.graph().node())
    if (n.op_type() == "Quant") EXPECT_EQ(n.domain(), "qonnx.custom_op.general") << n.name();

  // conv1's weights: 4-bit signed; the site conv2 reads (conv1's ReLU): 4-bit unsigned.
  const auto* w = find_node(m, "Quant", "conv1.weight");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(scalar_of(m, w->input(3)), 4.0f);
  EXPECT_EQ(attr(*w, "signed")->i(), 1);
  const std::string site = net.model->graph().node(net.hooks->sites()[1].node).name;
  const auto* a = find_node(m, "Quant", site);
  ASSERT_NE(a, nullptr) << site;
  EXPECT_EQ(scalar_of(m, a->input(3)), 4.0f);
  EXPECT_EQ(attr(*a, "signed")->i(), 0);
  EXPECT_EQ(attr(*a, "narrow")->i(), 0);
  EXPECT_EQ(scalar_of(m, a->input(2)), 0.0f);  // zero point
  EXPECT_EQ(attr(*a, "rounding_mode")->s(), "HALF_UP");

  // qonnx's executor wants every tensor's shape: each node output has a value_info (or is
  // the graph's output), with the batch FINN builds for.
  std::set<std::string> typed;
  for (const auto& v : m.graph().value_info()) typed.insert(v.name());
  for (const auto& v : m.graph().output()) typed.insert(v.name());
  for (const auto& n : m.graph().node())
    for (const auto& o : n.output()) EXPECT_TRUE(typed.count(o)) << "no value_info for " << o;
  EXPECT_EQ(m.graph().input(0).type().tensor_type().shape().dim(0).dim_value(), 1);
}

TEST(QonnxExport, LearnedThresholdsAndBinaryWeightsUseTheirOwnNodes) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  {
    QuantizedNetwork net = calibrated("lenet5", "w4a4", data, &norm, "n2uq");
    const onnx::ModelProto m =
        read_model(write_qonnx(net, norm, export_path("n2uq", "qonnx")).path);
    const auto ops = op_counts(m);
    EXPECT_GT(ops.count("MultiThreshold") ? ops.at("MultiThreshold") : 0, 0);
    for (const auto& n : m.graph().node())
      if (n.op_type() == "MultiThreshold") {
        const auto* t = find_initializer(m, n.input(1));
        ASSERT_NE(t, nullptr);
        EXPECT_EQ(t->dims(1), 15) << "4-bit levels: 15 thresholds";
      }
  }
  {
    QuantizedNetwork net = calibrated("lenet5", "w1a4", data, &norm, "dorefa");
    const onnx::ModelProto m =
        read_model(write_qonnx(net, norm, export_path("dorefa-w1", "qonnx")).path);
    const auto ops = op_counts(m);
    EXPECT_EQ(ops.count("BipolarQuant") ? ops.at("BipolarQuant") : 0, 5);
  }
}

// FINN's QONNX import takes activation Quant nodes with zero point 0 only: a min/max input that
// splits its levels unevenly around zero needs one, and the export says so by layer.
TEST(QonnxExport, ReportsWhatAFinnFlowWouldRefuse) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  QuantizedNetwork uneven = calibrated("lenet5", "w8a8", data, &norm, "minmax");
  const QuantizedExport r = write_qonnx(uneven, norm, export_path("finn-minmax", "qonnx"));
  ASSERT_EQ(r.finn_rejects.size(), 1u);
  EXPECT_CONTAINS(r.finn_rejects[0], "layer 'input'");
  EXPECT_CONTAINS(r.finn_rejects[0], "zero point");

  QuantizedNetwork lsq = calibrated("lenet5", "w4a4", data, &norm, "lsq");
  EXPECT_TRUE(write_qonnx(lsq, norm, export_path("finn-lsq", "qonnx")).finn_rejects.empty());

  QuantizedNetwork uniq = calibrated("lenet5", "w4a8", data, &norm, "uniq");
  const QuantizedExport u = write_qonnx(uniq, norm, export_path("finn-uniq", "qonnx"));
  ASSERT_FALSE(u.finn_rejects.empty());
  EXPECT_CONTAINS(u.finn_rejects[0], "real-valued weight levels");
}
