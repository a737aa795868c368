// Read-back: Bitshift's own QDQ and QONNX files imported again (import/quantized_import.h) lower
// to the same integers as the network they were written from, bit for bit: every weight value,
// bias and multiplier, and every layer's output on the first test images (the golden vectors a
// bundle carries). Files whose quantization Bitshift would compute differently are refused.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <cstring>
#include <fstream>

#include "../calibrated_network.h"
#include "../requant_expect.h"
#include "../test_util.h"
#include "import/import.h"
#include "integer/lowering.h"
#include "integer/reference_executor.h"
#include "interop/quantized_export.h"
#include "interop_test_util.h"
#include "train/quantized_checkpoint.h"

using namespace bitshift;
using namespace bitshift::testing;

// Outside the anonymous namespace: gtest's generated test classes derive from the fixture
// that takes it (gcc warns).
struct ReadBackCase {
  std::string model, method, bits, format;
  bool per_channel = false;
};

namespace {

constexpr int64_t kGoldenImages = 16;

std::string case_name(const ReadBackCase& c) {
  std::string s = c.model + "_" + c.method + "_" + c.bits + "_" + c.format +
                  (c.per_channel ? "_perchannel" : "");
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

// gtest prints a parameter in test names and failures; without this, as raw bytes.
void PrintTo(const ReadBackCase& c, std::ostream* os) { *os << case_name(c); }

// The written network: calibrated, every layer on integers (edges quantized).
QuantizedNetwork source_network(const ReadBackCase& c, const DatasetPair& data,
                                Normalization* norm) {
  LoadedModel lm = load_model(c.model, data, "fashion-mnist");
  *norm = lm.normalization;
  QuantPlan plan = make_plan(lm.module->graph(), c.method, c.bits, EdgePolicy::EdgePolicyQuantized);
  if (c.per_channel)
    for (auto& lp : plan.layers) lp.granularity = Granularity::GranularityPerChannel;
  auto net = attach_quantizers(lm.module, plan);
  calibrate_on(net, lm.data.train, lm.normalization);
  return net;
}

std::vector<int32_t> weight_values(const IntLayer& L) {
  std::vector<int32_t> v(L.weights.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = L.weight_value(static_cast<int64_t>(i));
  return v;
}

// LeNet-5 written as QDQ, as the file's proto, and the name of its second activation site (the
// one conv2 reads): what the tests below edit by hand.
struct WrittenLeNet {
  onnx::ModelProto model;
  std::string site;
  QuantPlan plan;
};

WrittenLeNet written_lenet5(const std::string& method, const std::string& bits,
                            const std::string& name) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  QuantizedNetwork net = source_network({"lenet5", method, bits, "qdq"}, data, &norm);
  const std::string path = export_path(name, "qdq");
  write_qdq(net, norm, path);
  return {read_model(path), net.model->graph().node(net.hooks->sites()[1].node).name, net.plan};
}

// Writes an edited model; returns its path.
std::string save_edited(const onnx::ModelProto& m, const std::string& name) {
  const std::string path = export_path(name + "-edited", "qdq");
  std::ofstream(path, std::ios::binary) << m.SerializeAsString();
  return path;
}

}  // namespace

class ReadBack : public ::testing::TestWithParam<ReadBackCase> {};

TEST_P(ReadBack, LowersToTheSameIntegersAsTheWrittenNetwork) {
  const ReadBackCase& c = GetParam();
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  QuantizedNetwork written = source_network(c, data, &norm);
  const std::string path = export_path("readback-" + case_name(c), c.format);
  if (c.format == "qdq")
    write_qdq(written, norm, path);
  else
    write_qonnx(written, norm, path);

  const Checkpoint ck = import_model(path, written.model->graph().input_shape());
  ASSERT_TRUE(is_quantized(ck)) << "the file's quantization was not read";
  QuantizedNetwork read = load_quantized(ck, path);
  read.model->eval();
  ASSERT_EQ(ck.normalization.mean, norm.mean) << "normalisation from the file's metadata";
  ASSERT_EQ(ck.normalization.std, norm.std);
  for (size_t i = 0; i < written.plan.layers.size(); ++i) {
    EXPECT_EQ(read.plan.layers[i].layer, written.plan.layers[i].layer) << "source layer names";
    EXPECT_EQ(read.plan.layers[i].a_bits, written.plan.layers[i].a_bits)
        << read.plan.layers[i].layer;
    EXPECT_EQ(read.plan.layers[i].w_bits, written.plan.layers[i].w_bits)
        << read.plan.layers[i].layer << ": bits read from the weight values";
    EXPECT_EQ(read.plan.layers[i].method, "fixed");
  }

  const IntegerModel a = lower(written), b = lower(read);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t k = 0; k < a.layers.size(); ++k) {
    const IntLayer &x = a.layers[k], &y = b.layers[k];
    SCOPED_TRACE("layer " + x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(weight_values(x), weight_values(y));
    EXPECT_EQ(x.bias, y.bias);
    expect_same_requant(x.requant, y.requant);
  }
  const IntTensor in_a = integer_input(written, a, first_images(data.test, norm, kGoldenImages));
  const IntTensor in_b =
      integer_input(read, b, first_images(data.test, ck.normalization, kGoldenImages));
  ASSERT_EQ(in_a, in_b) << "input codes";
  const auto out_a = run_reference(a, in_a), out_b = run_reference(b, in_b);
  for (size_t k = 0; k < out_a.size(); ++k)
    EXPECT_TRUE(out_a[k] == out_b[k]) << "golden vectors of layer " << a.layers[k].name;
}

INSTANTIATE_TEST_SUITE_P(
    Bitshift, ReadBack,
    ::testing::Values(ReadBackCase{"lenet5", "minmax", "w4a8", "qdq"},  // uneven input zero point
                      ReadBackCase{"lenet5", "minmax", "w4a8", "qonnx"},
                      ReadBackCase{"lenet5", "lsq", "w4a4", "qdq", true},
                      ReadBackCase{"lenet5", "lsq", "w4a4", "qonnx", true},
                      ReadBackCase{"lenet5", "pot-lut", "w4a8", "qdq"},  // table of values
                      ReadBackCase{"lenet5", "pot-lut", "w4a8", "qonnx"},
                      ReadBackCase{"lenet5", "uniq-sym", "w4a4", "qdq"},  // odd input levels
                      ReadBackCase{"lenet5", "uniq-sym", "w4a4", "qonnx"},
                      ReadBackCase{"lenet5", "dorefa", "w4a4", "qdq"},  // offset weight levels
                      ReadBackCase{"lenet5", "dorefa", "w4a4", "qonnx"},
                      ReadBackCase{"lenet5", "n2uq", "w4a4", "qonnx"},  // MultiThreshold
                      ReadBackCase{"resnet20", "nice", "w4a4", "qdq"},  // biases, adds, pools
                      ReadBackCase{"resnet20", "nice", "w4a4", "qonnx"},
                      ReadBackCase{"resnet20", "pact", "w3a3", "qdq"},
                      ReadBackCase{"resnet20", "pact", "w3a3", "qonnx"}),
    [](const ::testing::TestParamInfo<ReadBackCase>& i) { return case_name(i.param); });

// A file whose layer reads an unquantized tensor (the QDQ pair on conv2's input removed) reads
// back as exactly that: conv2 on float inputs in the plan, the rest as written; the integer
// export then refuses, naming the layer, instead of inventing a grid.
TEST(ReadBack, AFloatTensorStaysFloat) {
  WrittenLeNet written = written_lenet5("minmax", "w8a8", "readback-missing-site");
  onnx::ModelProto& m = written.model;
  const std::string& site = written.site;
  auto* nodes = m.mutable_graph()->mutable_node();
  std::string source, dequantized;
  for (int i = nodes->size() - 1; i >= 0; --i) {
    const auto& n = nodes->Get(i);
    if (n.input_size() < 2 || n.input(1) != site + ".act_scale") continue;
    if (n.op_type() == "QuantizeLinear") source = n.input(0);
    if (n.op_type() == "DequantizeLinear") dequantized = n.output(0);
    nodes->DeleteSubrange(i, 1);
  }
  ASSERT_FALSE(source.empty());
  ASSERT_FALSE(dequantized.empty());
  for (auto& n : *nodes)
    for (auto& in : *n.mutable_input())
      if (in == dequantized) in = source;
  const std::string edited = save_edited(m, "readback-missing-site");

  QuantizedNetwork read = load_quantized(import_model(edited, Shape{1, 28, 28, false}), edited);
  for (size_t i = 0; i < written.plan.layers.size(); ++i) {
    const LayerPlan &w = written.plan.layers[i], &r = read.plan.layers[i];
    EXPECT_EQ(r.a_bits, w.layer == "conv2" ? kFullPrecisionBits : w.a_bits) << w.layer;
    EXPECT_EQ(r.w_bits, w.w_bits) << w.layer;
  }
  const std::string msg = error_of([&] { lower(read); });
  EXPECT_CONTAINS(msg, "conv2");
}

// A DequantizeLinear whose scale is not its QuantizeLinear's: not one grid, so the import
// refuses, naming the file and the node.
TEST(ReadBackRefuses, ADequantizeLinearWithAnotherScale) {
  WrittenLeNet written = written_lenet5("lsq", "w4a4", "readback-other-scale");
  onnx::ModelProto& m = written.model;
  const std::string& site = written.site;
  const onnx::TensorProto* scale = find_initializer(m, site + ".act_scale");
  ASSERT_NE(scale, nullptr);
  const onnx::TensorProto original = *scale;
  auto* twice = m.mutable_graph()->add_initializer();
  *twice = original;
  twice->set_name(site + ".act_scale_edited");
  float v;
  std::memcpy(&v, twice->raw_data().data(), 4);
  v *= 2.0f;
  twice->set_raw_data(std::string(reinterpret_cast<const char*>(&v), 4));
  std::string node;
  for (auto& n : *m.mutable_graph()->mutable_node())
    if (n.op_type() == "DequantizeLinear" && n.input(1) == site + ".act_scale") {
      n.set_input(1, site + ".act_scale_edited");
      node = n.name();
    }
  ASSERT_FALSE(node.empty());
  const std::string edited = save_edited(m, "readback-other-scale");
  const std::string msg = error_of([&] { import_model(edited, Shape{1, 28, 28, false}); });
  EXPECT_CONTAINS(msg, edited);
  EXPECT_CONTAINS(msg, "DequantizeLinear '" + node + "'");
  EXPECT_CONTAINS(msg, "differs from its QuantizeLinear's");
}
