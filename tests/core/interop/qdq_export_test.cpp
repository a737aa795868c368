// QDQ ONNX export: the integer codes, per-channel scales and narrow-grid clips a QDQ consumer
// reads, and clear refusals where QuantizeLinear cannot say what a quantizer does (how ONNX
// Runtime runs the files: peer_agreement_test.cpp).
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "../calibrated_network.h"
#include "../test_util.h"
#include "interop/quantized_export.h"
#include "interop_test_util.h"

using namespace bitshift;
using namespace bitshift::testing;

// What a QDQ consumer reads: int8 weight codes in the b-bit range through a per-channel
// DequantizeLinear (axis 0), and activations clipped to their b-bit codes.
TEST(QdqExport, WritesNarrowCodesPerChannelAndClipsNarrowActivations) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  QuantizedNetwork net = calibrated("lenet5", "w4a4", data, &norm, "lsq");
  const std::string path = export_path("lenet5-lsq-w4a4-structure", "qdq");
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

TEST(QdqExport, RefusesWhatQuantizeLinearCannotExpressNamingTheLayer) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  {
    QuantizedNetwork net = calibrated("lenet5", "w4a4", data, &norm, "n2uq");
    const std::string msg =
        error_of([&] { write_qdq(net, norm, export_path("refused-n2uq", "qdq")); });
    EXPECT_CONTAINS(msg, "layer '");
    EXPECT_CONTAINS(msg, "thresholds (N2UQ)");
  }
  {
    QuantizedNetwork net = calibrated("lenet5", "w8a16", data, &norm, "minmax");
    const std::string msg =
        error_of([&] { write_qdq(net, norm, export_path("refused-a16", "qdq")); });
    EXPECT_CONTAINS(msg, "16-bit activation codes");
    EXPECT_CONTAINS(msg, "do not fit 8 bits");
  }
  EXPECT_FALSE(std::filesystem::exists(export_path("refused-n2uq", "qdq")));
}

// UNIQ's quantile levels have no integer grid: the layer is written with its float levels and
// says so, and the model still runs as simulated.
TEST(QdqExport, RealValuedWeightLevelsAreWrittenAsFloatWithANote) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  QuantizedNetwork net = calibrated("lenet5", "w4a8", data, &norm, "uniq");
  const std::string path = export_path("lenet5-uniq-w4a8", "qdq");
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
