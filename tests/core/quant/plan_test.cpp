// QuantPlan: presets, edge policies, overrides, validation messages, JSON round trip.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "models/zoo.h"
#include "quant/plan.h"
#include "util/error.h"
#include "../test_util.h"

using namespace bitshift;
using bitshift::testing::error_of;

namespace {
const Graph& lenet() {
  static const Graph g = lenet5(Shape{1, 28, 28}, 10);
  return g;
}
}  // namespace

TEST(Plan, PresetSetsEveryLayerAndNiceKeepsTheFirstLayerFp) {
  const QuantPlan p = make_plan(lenet(), "nice", "w4a4");
  ASSERT_EQ(p.layers.size(), 5u);  // conv1, conv2, fc1, fc2, fc3
  EXPECT_EQ(p.layers[0].w_bits, 32);
  EXPECT_EQ(p.layers[0].a_bits, 32);
  for (size_t i = 1; i < 5; ++i) {
    EXPECT_EQ(p.layers[i].w_bits, 4) << p.layers[i].layer;
    EXPECT_EQ(p.layers[i].a_bits, 4) << p.layers[i].layer;
  }
}

TEST(Plan, LsqPolicyPutsFirstAndLastLayersAtEightBits) {
  const QuantPlan p = make_plan(lenet(), "lsq", "w2a2");
  EXPECT_EQ(p.layers.front().w_bits, 8);
  EXPECT_EQ(p.layers.back().a_bits, 8);
  EXPECT_EQ(p.layers[2].w_bits, 2);
}

TEST(Plan, LayerOverrideChangesOneLayer) {
  QuantPlan p = make_plan(lenet(), "nice", "w4a4", EdgePolicy::EdgePolicyQuantized);
  apply_layer_override(p, "fc1=8/6");
  EXPECT_EQ(p.find("fc1")->w_bits, 8);
  EXPECT_EQ(p.find("fc1")->a_bits, 6);
  EXPECT_EQ(p.find("fc2")->w_bits, 4);
}

TEST(Plan, OverrideOfUnknownLayerListsTheLayers) {
  QuantPlan p = make_plan(lenet(), "nice", "w4a4");
  const std::string msg = error_of([&] { apply_layer_override(p, "conv9=8/8"); });
  EXPECT_NE(msg.find("'conv9'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("conv1, conv2"), std::string::npos) << msg;
}

TEST(Plan, ZeroBitsAreRejectedNamingTheLayer) {
  QuantPlan p = make_plan(lenet(), "nice", "w4a4");
  p.find("conv2")->w_bits = 0;
  const std::string msg = error_of([&] { validate(p, lenet()); });
  EXPECT_NE(msg.find("'conv2'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("weight bits 0"), std::string::npos) << msg;
}

TEST(Plan, NiceCannotDoOneBitWeights) {
  QuantPlan p = make_plan(lenet(), "nice", "w1a32");
  const std::string msg = error_of([&] { validate(p, lenet()); });
  EXPECT_NE(msg.find("NICE cannot quantize weights to 1 bit"), std::string::npos) << msg;
}

TEST(Plan, UnknownLayerAndNonWeightLayerAreRejected) {
  QuantPlan p = make_plan(lenet(), "nice", "w4a4");
  p.layers[1].layer = "relu1";
  EXPECT_NE(error_of([&] { validate(p, lenet()); }).find("not a Conv2d or Linear"), std::string::npos);
  p.layers[1].layer = "ghost";
  EXPECT_NE(error_of([&] { validate(p, lenet()); }).find("does not have"), std::string::npos);
}

TEST(Plan, BadPresetAndUnknownMethodAreRejected) {
  EXPECT_NE(error_of([&] { make_plan(lenet(), "nice", "4bit"); }).find("wNaM"), std::string::npos);
  EXPECT_NE(error_of([&] { make_plan(lenet(), "niec", "w4a4"); }).find("unknown method"),
            std::string::npos);
}

TEST(Plan, JsonRoundTripIsIdentical) {
  QuantPlan p = make_plan(lenet(), "lsq", "w3a3");
  p.layers[2].granularity = Granularity::GranularityPerChannel;
  apply_layer_override(p, "fc2=5/7");
  const QuantPlan back = plan_from_json(nlohmann::json::parse(to_json(p).dump()));
  EXPECT_EQ(back, p);
}

TEST(Plan, AFieldOfTheWrongTypeIsNamedWithItsPlace) {
  nlohmann::json j = nlohmann::json::parse(to_json(make_plan(lenet(), "lsq", "w3a3")).dump());
  j["layers"][1]["method"] = 4;
  EXPECT_CONTAINS(error_of([&] { plan_from_json(j); }),
                  "quantization plan: field 'layers[1].method': type must be string, but is number");
}

TEST(Plan, UniqBinaryPolicyKeepsFirstLastAndShortcutsFp) {
  const Graph g = resnet20(Shape{1, 28, 28}, 10);
  const QuantPlan p = make_plan(g, "uniq-sym", "w1a32");
  EXPECT_EQ(p.find("conv1")->w_bits, kFullPrecisionBits);
  EXPECT_EQ(p.find("fc")->w_bits, kFullPrecisionBits);
  EXPECT_EQ(p.find("layer2.0.downsample.0")->w_bits, kFullPrecisionBits);
  EXPECT_EQ(p.find("layer3.0.downsample.0")->w_bits, kFullPrecisionBits);
  EXPECT_EQ(p.find("layer2.0.conv1")->w_bits, 1);  // a 3x3 conv on the main path
  EXPECT_TRUE(has_binary_uniq(p));
  // At 2 bits UniQ's usual policy applies: 8-bit edges, shortcuts quantized.
  const QuantPlan p2 = make_plan(g, "uniq-sym", "w2a2");
  EXPECT_EQ(p2.find("conv1")->w_bits, 8);
  EXPECT_EQ(p2.find("layer2.0.downsample.0")->w_bits, 2);
  EXPECT_FALSE(has_binary_uniq(p2));
}
