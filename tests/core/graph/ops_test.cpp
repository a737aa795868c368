// The op list itself, and the input node.
#include "ops_test_util.h"

using namespace bitshift;
using namespace bitshift::ops_test;

TEST(Ops, EveryOpKindInOpListIsInTheListOfTestedKinds) {
  // The kinds this file tests, one TEST(Ops, <Kind>...) each; a new op in op_list.h fails here
  // until its test is added.
  const std::set<std::string> tested = {"input",      "conv2d",      "linear",    "batchnorm2d",
                                        "relu",       "relu6",       "maxpool",   "avgpool",
                                        "gap",        "add",         "flatten",   "dropout",
                                        "mul",        "concat",      "slice",     "channel_shuffle",
                                        "sigmoid",    "hardsigmoid", "hardswish", "silu",
                                        "leaky_relu", "clip"};
  std::set<std::string> listed;
  for (OpKind k : all_op_kinds()) listed.insert(op_name(k));
  EXPECT_EQ(listed, tested);
}

TEST(Ops, InputIsNodeZeroPassesTheBatchThroughAndCannotBeAddedAgain) {
  GraphBuilder b("t", Shape{7, 5, 3}, 2);
  const std::string msg = error_of([&] { b.add_node("stem.input", OpKind::Input, {}, Node{}); });
  EXPECT_CONTAINS(msg, "layer 'stem.input'");
  EXPECT_CONTAINS(msg, "only the graph has an input node");
  const Graph g = b.build();

  ASSERT_EQ(g.size(), 1);
  EXPECT_EQ(g.node(0).kind, OpKind::Input);
  EXPECT_EQ(g.node(0).name, "input");
  EXPECT_EQ(g.node(0).out_shape, (Shape{7, 5, 3, false}));
  EXPECT_EQ(g.input_shape(), (Shape{7, 5, 3, false}));

  const auto x = random_input(Shape{7, 5, 3});
  const auto outs = run_eval(g, x);
  EXPECT_TRUE(torch::equal(outs[0], x));

  // JSON: the input is "input": [C, H, W], not a node; an "input" node is refused by name.
  const json j = g.to_json();
  EXPECT_EQ(j.at("input"), json::array({7, 5, 3}));
  EXPECT_TRUE(j.at("nodes").empty());
  EXPECT_EQ(round_trip(g).input_shape(), (Shape{7, 5, 3, false}));
  json bad = j;
  bad["nodes"].push_back({{"name", "second.input"}, {"op", "input"}, {"inputs", json::array()}});
  EXPECT_CONTAINS(error_of([&] { Graph::from_json(bad); }), "layer 'second.input'");
}
