// The graph IR: shape inference, validation messages, counts and JSON round-trip.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "graph/builder.h"
#include "util/error.h"
#include "../test_util.h"

using namespace bitshift;
using bitshift::testing::error_of;

TEST(Graph, ConvOutputShapeFollowsStrideAndPadding) {
  GraphBuilder b("t", Shape{3, 7, 7}, 10);
  const int c = b.conv("c", b.input(), 5, 3, 2, 1);  // (7 + 2 - 3) / 2 + 1 = 4
  EXPECT_EQ(b.node(c).out_shape, (Shape{5, 4, 4, false}));
  const int p = b.maxpool("p", c, 3, 2);  // (4 - 3) / 2 + 1 = 1
  EXPECT_EQ(b.node(p).out_shape, (Shape{5, 1, 1, false}));
}

TEST(Graph, CountsParamsAndMacsOfGroupedConv) {
  GraphBuilder b("t", Shape{4, 6, 6}, 10);
  b.conv("dw", b.input(), 8, 3, 1, 1, /*groups=*/2, /*bias=*/true);
  Graph g = b.build();
  EXPECT_EQ(g.params(1), 8 * 2 * 3 * 3 + 8);   // out * in/groups * k * k + bias
  EXPECT_EQ(g.macs(1), 8 * 6 * 6 * 2 * 3 * 3);  // outputs * in/groups * k * k
}

TEST(Graph, RejectsAddOfDifferentShapesNamingTheLayer) {
  GraphBuilder b("t", Shape{3, 8, 8}, 10);
  const int a = b.conv("a", b.input(), 4, 1);
  const int c = b.conv("c", b.input(), 5, 1);
  const std::string msg = error_of([&] { b.add("block.add", a, c); });
  EXPECT_NE(msg.find("block.add"), std::string::npos) << msg;
  EXPECT_NE(msg.find("4x8x8"), std::string::npos) << msg;
  EXPECT_NE(msg.find("5x8x8"), std::string::npos) << msg;
}

TEST(Graph, RejectsLinearOnFeatureMap) {
  GraphBuilder b("t", Shape{3, 8, 8}, 10);
  const std::string msg = error_of([&] { b.linear("fc", b.input(), 10); });
  EXPECT_NE(msg.find("'fc'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("flat"), std::string::npos) << msg;
}

TEST(Graph, RejectsDuplicateNamesAndGroupsThatDoNotDivide) {
  GraphBuilder b("t", Shape{3, 8, 8}, 10);
  b.conv("c", b.input(), 4, 1);
  EXPECT_NE(error_of([&] { b.conv("c", b.input(), 4, 1); }).find("duplicate"), std::string::npos);
  EXPECT_NE(error_of([&] { b.conv("g", b.input(), 4, 1, 1, 0, 2); }).find("groups=2"),
            std::string::npos);
}

TEST(Graph, RejectsKernelLargerThanInput) {
  GraphBuilder b("t", Shape{1, 4, 4}, 10);
  EXPECT_NE(error_of([&] { b.conv("big", b.input(), 2, 7); }).find("does not fit"),
            std::string::npos);
}

TEST(Graph, JsonRoundTripKeepsEveryNodeAndShape) {
  GraphBuilder b("net", Shape{3, 9, 9}, 7);
  int x = b.conv("stem", b.input(), 8, 3, 2, 1, 1, true);
  x = b.relu6("act", b.bn("bn", x));
  const int y = b.avgpool("pool", x, 2, 1);
  const int z = b.maxpool("pool2", x, 2, 1, 0);
  x = b.add("sum", y, z);
  x = b.dropout("drop", b.flatten("flat", x), 0.25);
  b.linear("fc", x, 7, false);
  const Graph g = b.build();
  const Graph back = Graph::from_json(nlohmann::json::parse(g.to_json().dump()));
  ASSERT_EQ(back.size(), g.size());
  for (int i = 0; i < g.size(); ++i) {
    EXPECT_EQ(back.node(i).name, g.node(i).name);
    EXPECT_EQ(back.node(i).kind, g.node(i).kind);
    EXPECT_EQ(back.node(i).inputs, g.node(i).inputs);
    EXPECT_EQ(back.node(i).out_shape, g.node(i).out_shape);
    EXPECT_EQ(back.node(i).bias, g.node(i).bias);
  }
  EXPECT_DOUBLE_EQ(back.node(g.find("drop")).dropout_p, 0.25);
  EXPECT_EQ(back.to_json(), g.to_json());
}

TEST(Graph, FromJsonRejectsUnknownInputName) {
  nlohmann::json j = {{"name", "x"}, {"input", {1, 4, 4}}, {"num_classes", 2},
                      {"nodes", {{{"name", "r"}, {"op", "relu"}, {"inputs", {"nope"}}}}}};
  const std::string msg = error_of([&] { Graph::from_json(j); });
  EXPECT_NE(msg.find("'nope'"), std::string::npos) << msg;
}
