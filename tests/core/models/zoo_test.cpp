// The model zoo against published and hand-computed numbers.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "graph/graph_module.h"
#include "models/zoo.h"
#include "util/error.h"

using namespace bitshift;

TEST(Zoo, ResNet18MatchesTorchvisionParameterCountAndMacs) {
  const Graph g = resnet18(Shape{3, 224, 224}, 1000);
  EXPECT_EQ(g.total_params(), 11689512);  // torchvision.models.resnet18()
  // Hand calculation: stem 118,013,952 + layer1 4 x 115,605,504
  // + layers 2-4 each (57,802,752 + 3 x 115,605,504 + 6,422,528) + fc 512,000.
  EXPECT_EQ(g.total_macs(), 1814073344);
}

TEST(Zoo, ResNet18StateDictKeysAreTorchvisions) {
  GraphModule m(resnet18(Shape{3, 64, 64}, 1000));
  auto params = m->named_parameters();
  auto buffers = m->named_buffers();
  EXPECT_EQ(params.size() + buffers.size(), 122u);  // len(torchvision resnet18 state_dict())
  for (const char* key : {"conv1.weight", "bn1.weight", "layer1.0.conv1.weight",
                          "layer2.0.downsample.0.weight", "layer2.0.downsample.1.bias",
                          "layer4.1.bn2.weight", "fc.weight", "fc.bias"})
    EXPECT_TRUE(params.contains(key)) << key;
  EXPECT_TRUE(buffers.contains("layer3.1.bn1.running_var"));
  EXPECT_TRUE(buffers.contains("bn1.num_batches_tracked"));
}

TEST(Zoo, MobileNetV2MatchesTorchvisionParameterCount) {
  const Graph g = mobilenetv2(Shape{3, 224, 224}, 1000);
  EXPECT_EQ(g.total_params(), 3504872);  // torchvision.models.mobilenet_v2()
  GraphModule m(g);
  EXPECT_TRUE(m->named_parameters().contains("features.2.conv.1.0.weight"));
  EXPECT_TRUE(m->named_parameters().contains("classifier.1.weight"));
}

TEST(Zoo, MobileNetV2WidthMultiplierShrinksChannels) {
  const Graph half = mobilenetv2(Shape{3, 32, 32}, 10, 0.5);
  EXPECT_EQ(half.node(half.find("features.0.0")).out_shape.c, 16);   // make_divisible(16)
  EXPECT_EQ(half.node(half.find("features.18.0")).out_shape.c, 1280);  // last stays >= 1280
  EXPECT_LT(half.total_params(), mobilenetv2(Shape{3, 32, 32}, 10).total_params());
}

TEST(Zoo, ResNet20ForFashionMnistHasHandCountedParameters) {
  // conv1 144 + bn 32 + layer1 14,016 + layer2 51,648 + layer3 205,696 + fc 650.
  const Graph g = resnet20(Shape{1, 28, 28}, 10);
  EXPECT_EQ(g.total_params(), 272186);
  EXPECT_EQ(g.node(g.find("layer3.2.relu2")).out_shape, (Shape{64, 7, 7, false}));
}

TEST(Zoo, LeNet5HasHandCountedParametersAndMacs) {
  const Graph g = lenet5(Shape{1, 28, 28}, 10);
  // conv1 150, bn1 12, conv2 2400, bn2 32, fc1 48120, fc2 10164, fc3 850.
  EXPECT_EQ(g.total_params(), 61728);
  // conv1 28*28*6*25 + conv2 10*10*16*150 + fc 400*120 + 120*84 + 84*10.
  EXPECT_EQ(g.total_macs(), 117600 + 240000 + 48000 + 10080 + 840);
}

TEST(Zoo, CnvEndsAtOneByOneOnBothCifarAndFashionMnist) {
  for (int64_t side : {28, 32}) {
    const Graph g = cnv(Shape{side == 32 ? 3 : 1, side, side}, 10);
    EXPECT_EQ(g.node(g.find("relu5")).out_shape, (Shape{256, 1, 1, false})) << side;
  }
}

TEST(Zoo, EveryModelRunsForwardAndBackwardWithTheRightOutputShape) {
  for (const auto& entry : zoo_models()) {
    GraphModule m(build_model(entry.name, Shape{1, 28, 28}, 10));
    auto y = m->forward(torch::randn({2, 1, 28, 28}));
    EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 10})) << entry.name;
    y.sum().backward();
    EXPECT_TRUE(m->weight(m->graph().weight_layers().front()).grad().defined()) << entry.name;
  }
}

TEST(Zoo, UnknownModelNameListsTheKnownOnes) {
  try {
    build_model("resnet21", Shape{1, 28, 28}, 10);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("resnet20"), std::string::npos) << e.what();
  }
}
