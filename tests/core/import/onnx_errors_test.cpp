// Hand-made ONNX files for the error paths (unsupported ops, hostile or broken files) and for
// external data; each refusal names the file and what is wrong, and never crashes.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "../test_util.h"
#include "graph/graph_module.h"
#include "import/onnx_import.h"
#include "util/atomic_file.h"

namespace bitshift {
namespace {

using testing::error_of;
namespace fs = std::filesystem;

std::string tmp_dir(const std::string& name) {
  const std::string dir = std::string(BITSHIFT_TEST_TMP) + "/onnx-errors/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A model with input "x" [N, C, H, W] (N symbolic) and output "y".
onnx::ModelProto model_with_input(int64_t c, int64_t h, int64_t w, int64_t opset = 13) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("bitshift-test");
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto* in = g->add_input();
  in->set_name("x");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto_DataType_FLOAT);
  auto* shape = tt->mutable_shape();
  shape->add_dim()->set_dim_param("N");
  for (int64_t d : {c, h, w}) shape->add_dim()->set_dim_value(d);
  auto* out = g->add_output();
  out->set_name("y");
  auto* ot = out->mutable_type()->mutable_tensor_type();
  ot->set_elem_type(onnx::TensorProto_DataType_FLOAT);
  ot->mutable_shape()->add_dim()->set_dim_param("N");
  ot->mutable_shape()->add_dim()->set_dim_param("K");
  return m;
}

onnx::NodeProto* add_node(onnx::ModelProto& m, const std::string& op, const std::string& name,
                          std::vector<std::string> in, std::vector<std::string> out) {
  auto* n = m.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (auto& s : in) n->add_input(s);
  for (auto& s : out) n->add_output(s);
  return n;
}

onnx::TensorProto* add_weight(onnx::ModelProto& m, const std::string& name,
                              const std::vector<int64_t>& dims, const torch::Tensor& values) {
  auto* t = m.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto_DataType_FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  if (values.defined()) {
    auto v = values.contiguous();
    t->set_raw_data(std::string(static_cast<const char*>(v.data_ptr()), v.numel() * 4));
  }
  return t;
}

std::string save(const onnx::ModelProto& m, const std::string& path) {
  std::string bytes;
  m.SerializeToString(&bytes);
  write_file_atomic(path, bytes);
  return path;
}

// x -> Conv(8 filters 3x3) -> GlobalAveragePool -> Flatten -> y: a minimal classifier.
onnx::ModelProto small_classifier(const torch::Tensor& w) {
  auto m = model_with_input(3, 8, 8);
  add_weight(m, "conv.weight", {8, 3, 3, 3}, w);
  add_node(m, "Conv", "/conv/Conv", {"x", "conv.weight"}, {"c"});
  add_node(m, "GlobalAveragePool", "/pool/GlobalAveragePool", {"c"}, {"p"});
  add_node(m, "Flatten", "/Flatten", {"p"}, {"y"});
  return m;
}

TEST(OnnxErrors, NotAnOnnxFileIsNamed) {
  const std::string path = tmp_dir("garbage") + "/model.onnx";
  write_file_atomic(path, std::string(4096, '\x7f') + "definitely not protobuf");
  const std::string msg = error_of([&] { import_onnx(path); });
  EXPECT_CONTAINS(msg, path);
  EXPECT_CONTAINS(msg, "not an ONNX model");
}

TEST(OnnxErrors, TruncatedFileIsRefusedNamingIt) {
  const std::string dir = tmp_dir("truncated");
  const std::string full = save(small_classifier(torch::randn({8, 3, 3, 3})), dir + "/full.onnx");
  const std::string bytes = read_file(full);
  const std::string path = dir + "/cut.onnx";
  write_file_atomic(path, bytes.substr(0, bytes.size() / 2));
  const std::string msg = error_of([&] { import_onnx(path); });
  EXPECT_CONTAINS(msg, path);
}

TEST(OnnxErrors, EveryUnsupportedNodeIsListedWithTheSupportedOps) {
  auto m = model_with_input(3, 8, 8);
  add_node(m, "Erf", "/act/Erf", {"x"}, {"a"});
  add_node(m, "Relu", "/relu/Relu", {"a"}, {"b"});  // supported, but reads an unsupported value
  add_node(m, "Softsign", "/soft/Softsign", {"b"}, {"c"});
  add_node(m, "GlobalAveragePool", "/pool", {"c"}, {"p"});
  add_node(m, "Flatten", "/Flatten", {"p"}, {"y"});
  const std::string path = save(m, tmp_dir("unsupported") + "/m.onnx");
  const std::string msg = error_of([&] { import_onnx(path); });
  EXPECT_CONTAINS(msg, path);
  EXPECT_CONTAINS(msg, "opset 13");
  EXPECT_CONTAINS(msg, "2 node(s)");
  EXPECT_CONTAINS(msg, "Erf '/act/Erf'");
  EXPECT_CONTAINS(msg, "Softsign '/soft/Softsign'");
  EXPECT_CONTAINS(msg, "supported ONNX ops:");
  EXPECT_CONTAINS(msg, "Conv");
}

TEST(OnnxErrors, TensorDimsNeedingTerabytesAreRefusedBeforeAllocating) {
  auto m = small_classifier(torch::randn({8, 3, 3, 3}));
  // 2^60 elements declared, 4 bytes present.
  add_weight(m, "huge", {int64_t{1} << 20, int64_t{1} << 20, int64_t{1} << 20}, torch::zeros({1}));
  const std::string path = save(m, tmp_dir("hostile") + "/m.onnx");
  const std::string msg = error_of([&] { import_onnx(path); });
  EXPECT_CONTAINS(msg, path);
  EXPECT_CONTAINS(msg, "huge");
}

TEST(OnnxErrors, HugeInputImageIsRefused) {
  auto m = small_classifier(torch::randn({8, 3, 3, 3}));
  m.mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(2)
      ->set_dim_value(int64_t{1} << 40);
  const std::string path = save(m, tmp_dir("huge-input") + "/m.onnx");
  const std::string msg = error_of([&] { import_onnx(path); });
  EXPECT_CONTAINS(msg, path);
  EXPECT_CONTAINS(msg, "input shape");
}

TEST(OnnxErrors, ExternalDataOutsideTheModelFolderIsRefused) {
  auto m = small_classifier(torch::Tensor());
  auto* w = m.mutable_graph()->mutable_initializer(0);
  w->set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
  auto* kv = w->add_external_data();
  kv->set_key("location");
  kv->set_value("../outside.bin");
  const std::string dir = tmp_dir("escape");
  fs::create_directories(dir + "/model");
  write_file_atomic(dir + "/outside.bin", std::string(8 * 27 * 4, '\0'));
  const std::string path = save(m, dir + "/model/m.onnx");
  const std::string msg = error_of([&] { import_onnx(path); });
  EXPECT_CONTAINS(msg, path);
  EXPECT_CONTAINS(msg, "outside.bin");
}

TEST(OnnxErrors, CycleIsRefused) {
  auto m = model_with_input(3, 8, 8);
  add_node(m, "Relu", "/a", {"b"}, {"a"});
  add_node(m, "Relu", "/b", {"a"}, {"b"});
  add_node(m, "GlobalAveragePool", "/pool", {"b"}, {"p"});
  add_node(m, "Flatten", "/Flatten", {"p"}, {"y"});
  const std::string path = save(m, tmp_dir("cycle") + "/m.onnx");
  const std::string msg = error_of([&] { import_onnx(path); });
  EXPECT_CONTAINS(msg, path);
}

TEST(OnnxImport, ExternalDataBesideTheModelIsRead) {
  torch::manual_seed(3);
  const auto w = torch::randn({8, 3, 3, 3});
  auto m = small_classifier(torch::Tensor());
  auto* t = m.mutable_graph()->mutable_initializer(0);
  t->set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
  auto* kv = t->add_external_data();
  kv->set_key("location");
  kv->set_value("weights.bin");
  const std::string dir = tmp_dir("external");
  write_file_atomic(dir + "/weights.bin",
                    std::string(static_cast<const char*>(w.data_ptr()), w.numel() * 4));
  const Checkpoint ck = import_onnx(save(m, dir + "/m.onnx"));
  GraphModule g = module_from_checkpoint(ck);
  g->eval();
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({2, 3, 8, 8});
  const auto expected = torch::conv2d(x, w).mean({2, 3});
  EXPECT_TRUE(torch::allclose(g->forward(x), expected, 1e-5, 1e-6));
  EXPECT_GE(ck.graph.find("conv"), 0);
}

}  // namespace
}  // namespace bitshift
