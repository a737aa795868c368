// Re-heading a trained model for another class count: the new head's shape and fresh weights,
// everything before it kept, and the message when the output does not come from the head.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "../test_util.h"
#include "graph/builder.h"
#include "train/rehead.h"

using namespace bitshift;
using bitshift::testing::error_of;

namespace {
// conv -> bn -> relu -> gap -> flatten -> head.fc (10 classes), as torchvision classifiers end.
Graph classifier() {
  GraphBuilder b("small", Shape{3, 9, 7, false}, 10);
  int x = b.conv("features.conv", b.input(), 6, 3, 1, 1);
  x = b.bn("features.bn", x);
  x = b.relu("features.relu", x);
  x = b.global_avgpool("pool", x);
  x = b.flatten("flatten", x);
  b.linear("head.fc", x, 10);
  return b.build();
}
}  // namespace

TEST(Rehead, LastLayerGetsTheNewClassCountAndFreshWeightsTheRestIsKept) {
  GraphModule trained(classifier(), 3);
  {
    torch::NoGradGuard g;
    for (auto& p : trained->parameters()) p.add_(0.5);  // unlike any fresh init
  }
  const Checkpoint ck =
      make_checkpoint(trained, Normalization{{0.f, 0.f, 0.f}, {1.f, 1.f, 1.f}}, "d");
  const Checkpoint out = rehead(ck, 4, 21);
  EXPECT_EQ(classifier_layer(ck.graph), "head.fc");
  EXPECT_EQ(out.graph.num_classes(), 4);
  EXPECT_EQ(out.graph.node(out.graph.output()).out_shape.c, 4);
  EXPECT_EQ(out.graph.node(out.graph.output()).out_channels, 4);
  for (const char* kept :
       {"features.conv.weight", "features.bn.weight", "features.bn.running_mean"})
    EXPECT_TRUE(torch::equal(out.tensors.at(kept), ck.tensors.at(kept))) << kept;
  // The head is what a new module of the re-headed graph gets from the same seed.
  GraphModule fresh(out.graph, 21);
  const auto named = fresh->named_parameters();
  EXPECT_TRUE(torch::equal(out.tensors.at("head.fc.weight"), named["head.fc.weight"]));
  EXPECT_TRUE(torch::equal(out.tensors.at("head.fc.bias"), named["head.fc.bias"]));
  EXPECT_EQ(out.tensors.at("head.fc.weight").sizes(), (std::vector<int64_t>{4, 6}));
  // It builds and runs: 4 scores per image.
  GraphModule m = module_from_checkpoint(out);
  m->eval();
  EXPECT_EQ(m->forward(torch::rand({2, 3, 9, 7})).sizes(), (std::vector<int64_t>{2, 4}));
}

TEST(Rehead, HeadWhoseChannelsAreNotTheScoresIsRefusedNamingIt) {
  // The last weight layer is a conv whose 2x2 map is flattened: its channels are not the
  // classes, so giving it 3 channels gives 12 numbers.
  GraphBuilder b("convhead", Shape{1, 4, 4, false}, 8);
  int x = b.conv("cls", b.input(), 2, 3, 1, 0);
  b.flatten("flat", x);
  GraphModule m(b.build(), 1);
  const Checkpoint ck = make_checkpoint(m, Normalization{{0.f}, {1.f}}, "d");
  EXPECT_NE(error_of([&] {
              rehead(ck, 3, 1);
            }).find("giving its last weight layer 'cls' 3 outputs makes the output"),
            std::string::npos);
}
