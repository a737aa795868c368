// Ops that combine or move values: add and mul (broadcasting), concat, slice, channel_shuffle,
// flatten, dropout.
#include "ops_test_util.h"

using namespace bitshift;
using namespace bitshift::ops_test;

TEST(Ops, AddBroadcastsCxHxWWithCx1x1BothWays) {
  // 3×5×7 + 3×1×1 (a per-channel mean) -> 3×5×7, in either order.
  GraphBuilder b("t", Shape{3, 5, 7}, 2);
  Node keep;
  keep.keepdims = true;
  const int gate = b.add_node("gate", OpKind::GlobalAvgPool, {b.input()}, keep);
  const int ab = b.add("add.map_gate", b.input(), gate);
  const int ba = b.add("add.gate_map", gate, b.input());
  const Graph g = b.build();
  EXPECT_EQ(g.node(ab).out_shape, (Shape{3, 5, 7, false}));
  EXPECT_EQ(g.node(ba).out_shape, (Shape{3, 5, 7, false}));

  const auto x = random_input(Shape{3, 5, 7});
  const auto outs = run_eval(g, x);
  ASSERT_EQ(sizes_of(outs[ab]), (std::vector<int64_t>{kBatch, 3, 5, 7}));
  ASSERT_EQ(sizes_of(outs[ba]), (std::vector<int64_t>{kBatch, 3, 5, 7}));
  const auto xv = values_of(x);
  std::vector<double> want(xv.size());
  for (int nc = 0; nc < kBatch * 3; ++nc) {
    double mean = 0;
    for (int i = 0; i < 35; ++i) mean += xv[nc * 35 + i] / 35.0;
    for (int i = 0; i < 35; ++i) want[nc * 35 + i] = xv[nc * 35 + i] + mean;
  }
  expect_values(outs[ab], want);
  expect_values(outs[ba], want);

  GraphBuilder bad("t", Shape{3, 5, 7}, 2);
  Node first_two;
  first_two.begin = 0, first_two.end = 2;
  const int two = bad.add_node("two", OpKind::Slice, {bad.input()}, first_two);  // 2×5×7
  std::string msg = error_of([&] { bad.add("block.add", bad.input(), two); });
  EXPECT_CONTAINS(msg, "layer 'block.add'");
  EXPECT_CONTAINS(msg, "shapes 3x5x7 and 2x5x7 do not broadcast");
  const int flat = bad.flatten("flat", bad.input());
  msg = error_of([&] { bad.add("mixed.add", flat, bad.input()); });
  EXPECT_CONTAINS(msg, "layer 'mixed.add'");
  EXPECT_CONTAINS(msg, "cannot combine a flat vector");
  msg = error_of([&] { bad.add_node("lonely.add", OpKind::Add, {bad.input()}); });
  EXPECT_CONTAINS(msg, "layer 'lonely.add'");
  EXPECT_CONTAINS(msg, "expected 2 input(s), got 1");
}

TEST(Ops, FlattenOfChannelsLastInputIsChannelMajor) {
  // 3×5×7 -> a flat vector of 3·5·7 = 105, index c·35 + h·7 + w whatever the memory layout.
  GraphBuilder b("t", Shape{3, 5, 7}, 2);
  const int f = b.flatten("flat", b.input());
  const Graph g = b.build();
  EXPECT_EQ(g.node(f).out_shape, (Shape{105, 1, 1, true}));

  const auto x = random_input(Shape{3, 5, 7});
  const auto y = run_eval(g, to_channels_last(x))[f];
  ASSERT_EQ(sizes_of(y), (std::vector<int64_t>{kBatch, 105}));
  const auto xa = x.accessor<float, 4>();
  const auto yc = y.contiguous();
  const auto ya = yc.accessor<float, 2>();
  int bad = 0;
  for (int n = 0; n < kBatch; ++n)
    for (int c = 0; c < 3; ++c)
      for (int h = 0; h < 5; ++h)
        for (int w = 0; w < 7; ++w)
          if (ya[n][c * 35 + h * 7 + w] != xa[n][c][h][w]) ++bad;
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(op_of(OpKind::Flatten).quant_role(Node{}), QuantRole::PassesCodes);
  EXPECT_EQ(node_named(round_trip(g), "flat").out_shape, (Shape{105, 1, 1, true}));
}

TEST(Ops, DropoutIsTheIdentityInEvalAndScalesKeptValuesInTraining) {
  GraphBuilder b("t", Shape{3, 5, 7}, 2);
  const int d = b.dropout("drop", b.input(), 0.5);
  const Graph g = b.build();
  EXPECT_EQ(g.node(d).out_shape, (Shape{3, 5, 7, false}));

  GraphModule m(g);
  const auto x = random_input(Shape{3, 5, 7});
  const auto y = run_eval(m, x)[d];
  ASSERT_EQ(sizes_of(y), (std::vector<int64_t>{kBatch, 3, 5, 7}));
  EXPECT_TRUE(torch::equal(y, x));

  // Training: each value is dropped (0) or kept and scaled by 1 / (1 - 0.5) = 2.
  m->train();
  torch::NoGradGuard no_grad;
  torch::manual_seed(kSeed);
  const auto yt = m->forward_all(x)[d];
  const auto xv = values_of(x), yv = values_of(yt);
  int zeros = 0, bad = 0;
  for (size_t i = 0; i < xv.size(); ++i) {
    if (yv[i] == 0)
      ++zeros;
    else if (!within_tol(yv[i], 2 * xv[i]))
      ++bad;
  }
  EXPECT_EQ(bad, 0);
  EXPECT_GT(zeros, 0);
  EXPECT_LT(zeros, static_cast<int>(xv.size()));

  EXPECT_DOUBLE_EQ(node_named(round_trip(g), "drop").dropout_p, 0.5);
  Node one;
  one.dropout_p = 1.0;
  const std::string msg = add_error(Shape{3, 5, 7}, "head.drop", OpKind::Dropout, one);
  EXPECT_CONTAINS(msg, "layer 'head.drop'");
  EXPECT_CONTAINS(msg, "p must be in [0, 1)");
}

TEST(Ops, MulBroadcastsCxHxWWithCx1x1And1xHxW) {
  // 3×5×7 · 3×1×1 (per-channel means, an SE gate) and 3×5×7 · 1×5×7 (channel 0) -> 3×5×7.
  GraphBuilder b("t", Shape{3, 5, 7}, 2);
  Node keep;
  keep.keepdims = true;
  const int gate = b.add_node("gate", OpKind::GlobalAvgPool, {b.input()}, keep);
  Node first;
  first.begin = 0, first.end = 1;
  const int ch0 = b.add_node("ch0", OpKind::Slice, {b.input()}, first);
  const int by_gate = b.add_node("mul.gate", OpKind::Mul, {b.input(), gate});
  const int by_map = b.add_node("mul.map", OpKind::Mul, {ch0, b.input()});
  const Graph g = b.build();
  EXPECT_EQ(g.node(by_gate).out_shape, (Shape{3, 5, 7, false}));
  EXPECT_EQ(g.node(by_map).out_shape, (Shape{3, 5, 7, false}));

  const auto x = random_input(Shape{3, 5, 7});
  const auto outs = run_eval(g, x);
  ASSERT_EQ(sizes_of(outs[by_gate]), (std::vector<int64_t>{kBatch, 3, 5, 7}));
  ASSERT_EQ(sizes_of(outs[by_map]), (std::vector<int64_t>{kBatch, 3, 5, 7}));
  const auto xv = values_of(x);
  std::vector<double> want_gate(xv.size()), want_map(xv.size());
  for (int n = 0; n < kBatch; ++n)
    for (int c = 0; c < 3; ++c) {
      const int base = (n * 3 + c) * 35;
      double mean = 0;
      for (int i = 0; i < 35; ++i) mean += xv[base + i] / 35.0;
      for (int i = 0; i < 35; ++i) {
        want_gate[base + i] = xv[base + i] * mean;
        want_map[base + i] = xv[n * 3 * 35 + i] * xv[base + i];
      }
    }
  expect_values(outs[by_gate], want_gate);
  expect_values(outs[by_map], want_map);

  GraphBuilder bad("t", Shape{3, 5, 7}, 2);
  const int shorter = bad.maxpool("shorter", bad.input(), 1, 2);  // 3×3×4
  const std::string msg = error_of([&] {
    bad.add_node("se.mul", OpKind::Mul, {bad.input(), shorter});
  });
  EXPECT_CONTAINS(msg, "layer 'se.mul'");
  EXPECT_CONTAINS(msg, "shapes 3x5x7 and 3x3x4 do not broadcast");
}

TEST(Ops, ConcatLaysHandPickedChannelsSideBySide) {
  // concat(channel 2, all 3 channels, channel 0) of a 3×5×7 input -> 5×5×7: 2, 0, 1, 2, 0.
  GraphBuilder b("t", Shape{3, 5, 7}, 2);
  Node last, first;
  last.begin = 2, last.end = 3;
  first.begin = 0, first.end = 1;
  const int tail = b.add_node("tail", OpKind::Slice, {b.input()}, last);
  const int head = b.add_node("head", OpKind::Slice, {b.input()}, first);
  const int cat = b.add_node("cat", OpKind::Concat, {tail, b.input(), head});
  const Graph g = b.build();
  EXPECT_EQ(g.node(cat).out_shape, (Shape{5, 5, 7, false}));
  EXPECT_EQ(op_of(OpKind::Concat).quant_role(Node{}), QuantRole::JoinsGrids);

  const auto x = random_input(Shape{3, 5, 7});
  const auto y = run_eval(g, x)[cat];
  ASSERT_EQ(sizes_of(y), (std::vector<int64_t>{kBatch, 5, 5, 7}));
  const int64_t source[5] = {2, 0, 1, 2, 0};
  for (int64_t k = 0; k < 5; ++k)
    EXPECT_TRUE(torch::equal(y.select(1, k), x.select(1, source[k]))) << "channel " << k;

  const Graph back = round_trip(g);
  EXPECT_EQ(node_named(back, "cat").inputs, (std::vector<int>{tail, 0, head}));
  EXPECT_EQ(node_named(back, "cat").out_shape, (Shape{5, 5, 7, false}));

  GraphBuilder bad("t", Shape{3, 5, 7}, 2);
  const int shorter = bad.add_node("shorter", OpKind::MaxPool, {bad.input()},
                                   with_window(window({2, 1}, {1, 1}, {0, 0, 0, 0})));  // 3×4×7
  const std::string msg = error_of([&] {
    bad.add_node("block.cat", OpKind::Concat, {bad.input(), shorter});
  });
  EXPECT_CONTAINS(msg, "layer 'block.cat'");
  EXPECT_CONTAINS(msg, "input 1 is 3x4x7, input 0 is 3x5x7");
}

TEST(Ops, SliceTakesChannelsTwoToFiveOfSeven) {
  // 7×5×7, channels [2, 5) -> 3×5×7.
  GraphBuilder b("t", Shape{7, 5, 7}, 2);
  Node attrs;
  attrs.begin = 2, attrs.end = 5;
  const int s = b.add_node("split", OpKind::Slice, {b.input()}, attrs);
  const Graph g = b.build();
  EXPECT_EQ(g.node(s).out_shape, (Shape{3, 5, 7, false}));
  EXPECT_EQ(op_of(OpKind::Slice).quant_role(Node{}), QuantRole::PassesCodes);

  const auto x = random_input(Shape{7, 5, 7});
  const auto y = run_eval(g, x)[s];
  ASSERT_EQ(sizes_of(y), (std::vector<int64_t>{kBatch, 3, 5, 7}));
  const int64_t source[3] = {2, 3, 4};
  for (int64_t k = 0; k < 3; ++k)
    EXPECT_TRUE(torch::equal(y.select(1, k), x.select(1, source[k]))) << "channel " << k;

  const Graph read_back = round_trip(g);  // kept: `back` refers into it
  const Node& back = node_named(read_back, "split");
  EXPECT_EQ(back.begin, 2);
  EXPECT_EQ(back.end, 5);

  Node beyond;
  beyond.begin = 5, beyond.end = 8;
  std::string msg = add_error(Shape{7, 5, 7}, "branch.split", OpKind::Slice, beyond);
  EXPECT_CONTAINS(msg, "layer 'branch.split'");
  EXPECT_CONTAINS(msg, "channels [5, 8) are not within the input's 7");
  Node empty;
  empty.begin = 3, empty.end = 3;
  msg = add_error(Shape{7, 5, 7}, "branch.empty", OpKind::Slice, empty);
  EXPECT_CONTAINS(msg, "layer 'branch.empty'");
  msg = from_json_error(g, "split", "end", 9);
  EXPECT_CONTAINS(msg, "layer 'split'");
  EXPECT_CONTAINS(msg, "[2, 9)");
}

TEST(Ops, ChannelShuffleOfSixChannelsMatchesHandPermutations) {
  // Out channel j·g + i = in channel i·(C/g) + j. C = 6:
  //   g = 3 (C/g = 2): out 0..5 = in 0, 2, 4, 1, 3, 5
  //   g = 2 (C/g = 3): out 0..5 = in 0, 3, 1, 4, 2, 5
  GraphBuilder b("t", Shape{6, 5, 7}, 2);
  Node g3, g2;
  g3.groups = 3;
  g2.groups = 2;
  const int s3 = b.add_node("shuffle3", OpKind::ChannelShuffle, {b.input()}, g3);
  const int s2 = b.add_node("shuffle2", OpKind::ChannelShuffle, {b.input()}, g2);
  const Graph g = b.build();
  EXPECT_EQ(g.node(s3).out_shape, (Shape{6, 5, 7, false}));
  EXPECT_EQ(g.node(s2).out_shape, (Shape{6, 5, 7, false}));

  const auto x = random_input(Shape{6, 5, 7});
  const auto outs = run_eval(g, x);
  ASSERT_EQ(sizes_of(outs[s3]), (std::vector<int64_t>{kBatch, 6, 5, 7}));
  const int64_t from3[6] = {0, 2, 4, 1, 3, 5}, from2[6] = {0, 3, 1, 4, 2, 5};
  for (int64_t k = 0; k < 6; ++k) {
    EXPECT_TRUE(torch::equal(outs[s3].select(1, k), x.select(1, from3[k]))) << "g=3, out " << k;
    EXPECT_TRUE(torch::equal(outs[s2].select(1, k), x.select(1, from2[k]))) << "g=2, out " << k;
  }

  const Graph back = round_trip(g);
  EXPECT_EQ(node_named(back, "shuffle3").groups, 3);
  EXPECT_EQ(node_named(back, "shuffle2").groups, 2);

  std::string msg = add_error(Shape{7, 5, 7}, "stage2.shuffle", OpKind::ChannelShuffle, g2);
  EXPECT_CONTAINS(msg, "layer 'stage2.shuffle'");
  EXPECT_CONTAINS(msg, "groups=2 must divide channels 7");
  msg = from_json_error(g, "shuffle3", "groups", 4);
  EXPECT_CONTAINS(msg, "layer 'shuffle3'");
  EXPECT_CONTAINS(msg, "groups=4 must divide channels 6");
}
