// GraphModule: executing the graph as a LibTorch module, with hooks.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "graph/builder.h"
#include "graph/graph_module.h"
#include "../test_util.h"

using namespace bitshift;
using bitshift::testing::error_of;

TEST(GraphModule, ParameterNamesFollowDottedNodeNames) {
  GraphBuilder b("t", Shape{1, 4, 4}, 3);
  int x = b.conv("layer1.0.conv1", b.input(), 2, 3, 1, 1);
  x = b.bn("layer1.0.bn1", x);
  b.linear("fc", b.global_avgpool("pool", x), 3);
  GraphModule m(b.build());
  auto params = m->named_parameters();
  EXPECT_TRUE(params.contains("layer1.0.conv1.weight"));
  EXPECT_TRUE(params.contains("layer1.0.bn1.weight"));
  EXPECT_TRUE(params.contains("fc.bias"));
  EXPECT_TRUE(m->named_buffers().contains("layer1.0.bn1.running_mean"));
}

TEST(GraphModule, OneByOneConvComputesTheWeightedChannelSum) {
  GraphBuilder b("t", Shape{2, 1, 3}, 2);
  const int c = b.conv("c", b.input(), 1, 1);
  b.linear("fc", b.flatten("f", c), 2);
  GraphModule m(b.build());
  torch::NoGradGuard g;
  m->weight(1).copy_(torch::tensor({2.0f, -1.0f}).view({1, 2, 1, 1}));
  auto x = torch::tensor({1.0f, 2.0f, 3.0f, 10.0f, 20.0f, 30.0f}).view({1, 2, 1, 3});
  auto outs = m->forward_all(x);
  // 2*x0 - x1 per position, computed by hand.
  auto expected = torch::tensor({-8.0f, -16.0f, -24.0f}).view({1, 1, 1, 3});
  EXPECT_TRUE(torch::equal(outs[1], expected)) << outs[1];
}

TEST(GraphModule, ResidualAddSumsBothBranches) {
  GraphBuilder b("t", Shape{1, 2, 2}, 2);
  const int r = b.relu("r", b.input());
  const int s = b.add("s", r, b.input());
  b.linear("fc", b.flatten("f", s), 2);
  GraphModule m(b.build());
  auto x = torch::tensor({-1.0f, 2.0f, -3.0f, 4.0f}).view({1, 1, 2, 2});
  auto outs = m->forward_all(x);
  EXPECT_TRUE(torch::equal(outs[s], torch::tensor({-1.0f, 4.0f, -3.0f, 8.0f}).view({1, 1, 2, 2})));
}

struct ZeroWeights : ForwardHooks {
  torch::Tensor weight(int, const torch::Tensor& w) override { return torch::zeros_like(w); }
};

TEST(GraphModule, WeightHookReplacesWhatTheLayerUses) {
  GraphBuilder b("t", Shape{1, 4, 4}, 3);
  b.linear("fc", b.flatten("f", b.input()), 3, true);
  GraphModule m(b.build());
  m->set_hooks(std::make_shared<ZeroWeights>());
  auto x = torch::randn({2, 1, 4, 4});
  auto y = m->forward(x);
  // With zero weights the logits are the bias, whatever the input.
  EXPECT_TRUE(torch::allclose(y, m->bias(2).unsqueeze(0).expand({2, 3})));
}

TEST(GraphModule, RejectsInputOfWrongShapeWithBothShapes) {
  GraphBuilder b("lenet", Shape{1, 28, 28}, 10);
  b.linear("fc", b.flatten("f", b.input()), 10);
  GraphModule m(b.build());
  try {
    m->forward(torch::zeros({1, 3, 32, 32}));
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("[N, 1, 28, 28]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[1, 3, 32, 32]"), std::string::npos) << msg;
  }
}

// Dotted names are module paths: a layer with weights cannot hold another (LibTorch's own
// "Submodule already defined" reached the user, found by the ONNX fuzz harness), and no part
// of a path is empty.
TEST(GraphModule, NamesThatAreNoModulePathAreRefusedNamingTheLayers) {
  {
    GraphBuilder b("t", Shape{1, 4, 4}, 3);
    const int f = b.flatten("f", b.input());
    b.linear("fc.x", b.linear("fc", f, 3, true), 3, true);
    EXPECT_CONTAINS(error_of([&] { GraphModule m(b.build()); }),
                    "layer 'fc.x' is named inside layer 'fc', which has weights");
  }
  {
    GraphBuilder b("t", Shape{1, 4, 4}, 3);
    const int f = b.flatten("f", b.input());
    b.linear("fc", b.linear("fc.x", f, 3, true), 3, true);
    EXPECT_CONTAINS(error_of([&] { GraphModule m(b.build()); }),
                    "layer 'fc' has weights, and other layers are named inside it");
  }
  {
    GraphBuilder b("t", Shape{1, 4, 4}, 3);
    b.linear("fc..a", b.flatten("f", b.input()), 3, true);
    EXPECT_CONTAINS(error_of([&] { GraphModule m(b.build()); }), "layer 'fc..a': its name has an empty part");
  }
}
