// ONNX import of models written by torch.onnx.export (make_fixtures.py): every torchvision
// family and a hand-written CNN give PyTorch's logits; layer names are the source's.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "../test_util.h"
#include "fixtures.h"
#include "graph/graph_module.h"
#include "import/onnx_import.h"

namespace bitshift {
namespace {

using testing::import_fixtures;
using testing::kLogitRelTol;
using testing::relative_error;
using testing::run_imported;

TEST(OnnxImport, EveryFixtureMatchesPyTorchLogits) {
  const auto fixtures = import_fixtures();
  ASSERT_GE(fixtures.size(), 14u);
  for (const auto& f : fixtures) {
    SCOPED_TRACE(f.name);
    Checkpoint ck;
    try {
      ck = import_onnx(f.onnx);
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
      continue;
    }
    EXPECT_EQ(ck.graph.num_classes(), f.classes);
    const auto y = run_imported(ck, f.input);
    ASSERT_EQ(y.sizes(), f.logits.sizes());
    EXPECT_LE(relative_error(y, f.logits), kLogitRelTol);
  }
}

TEST(OnnxImport, ResNet18KeepsTorchvisionLayerNames) {
  const Checkpoint ck = import_onnx(testing::fixture_dir() + "/resnet18.onnx");
  for (const char* name :
       {"conv1", "layer1.0.conv1", "layer2.0.downsample.0", "layer4.1.conv2", "fc"})
    EXPECT_GE(ck.graph.find(name), 0) << name << "\n" << summary_table(ck.graph);
  EXPECT_EQ(ck.meta["origin"]["format"], "onnx");
  EXPECT_EQ(ck.meta["origin"]["opset"], 13);
  EXPECT_EQ(ck.meta["origin"]["sha256"].get<std::string>().size(), 64u);
}

TEST(OnnxImport, UserNetOpsArriveAsTheirOwnKinds) {
  const Checkpoint ck = import_onnx(testing::fixture_dir() + "/usernet.onnx");
  std::set<std::string> ops;
  for (const auto& n : ck.graph.nodes()) ops.insert(op_name(n.kind));
  for (const char* op : {"conv2d", "concat", "mul", "sigmoid", "hardswish", "silu", "leaky_relu",
                         "clip", "add", "maxpool", "avgpool", "gap", "flatten", "linear"})
    EXPECT_TRUE(ops.count(op)) << op << "\n" << summary_table(ck.graph);
}

TEST(OnnxImport, ChannelsLastModelWithSoftmaxIsReadAsNchwLogitsAndSaysSo) {
  // What tf2onnx writes for a Keras CNN: NHWC input transposed first, softmax last.
  const Checkpoint ck = import_onnx(testing::fixture_dir() + "/kerasnet.onnx");
  EXPECT_EQ(ck.graph.input_shape().str(), (Shape{3, 20, 24, false}.str()));
  const std::string notes = ck.meta["origin"]["notes"].dump();
  EXPECT_NE(notes.find("channels-last input: its Transpose to NCHW absorbed"), std::string::npos)
      << notes;
  EXPECT_NE(notes.find("Softmax at the output removed"), std::string::npos) << notes;
  EXPECT_EQ(ck.graph.node(ck.graph.output()).kind, OpKind::Linear);
}

}  // namespace
}  // namespace bitshift
