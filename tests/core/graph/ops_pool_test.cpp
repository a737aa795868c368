// Pools: maxpool and avgpool (ceil mode, pads, dilation), global average pooling.
#include "ops_test_util.h"

using namespace bitshift;
using namespace bitshift::ops_test;

TEST(Ops, MaxPoolCeilModeAndAsymmetricDilatedWindowMatchHandValues) {
  {
    SCOPED_TRACE("ceil_mode on a 5×5 arange");
    // 1×5×5, kernel 2, stride 2: floor (5 - 2) / 2 + 1 = 2; ceil mode keeps the last window
    // that starts inside the input (rows {4}): 3 -> 1×3×3.
    GraphBuilder b("t", Shape{1, 5, 5}, 2);
    Node ceil_node = with_window(Window::square(2, 2, 0));
    ceil_node.window.ceil_mode = true;
    const int ic = b.add_node("pool.ceil", OpKind::MaxPool, {b.input()}, ceil_node);
    const int ifl = b.maxpool("pool.floor", b.input(), 2, 2);
    const Graph g = b.build();
    EXPECT_EQ(g.node(ic).out_shape, (Shape{1, 3, 3, false}));
    EXPECT_EQ(g.node(ifl).out_shape, (Shape{1, 2, 2, false}));
    const auto outs = run_eval(g, arange_input(Shape{1, 5, 5}));
    ASSERT_EQ(sizes_of(outs[ic]), (std::vector<int64_t>{1, 1, 3, 3}));
    //  0  1 |  2  3 |  4
    //  5  6 |  7  8 |  9
    // 10 11 | 12 13 | 14
    // 15 16 | 17 18 | 19
    // 20 21 | 22 23 | 24
    expect_values(outs[ic], {6, 8, 9, 16, 18, 19, 21, 23, 24});
    expect_values(outs[ifl], {6, 8, 16, 18});

    const json jc = node_json(g, "pool.ceil");
    expect_square_window_json(jc, 2, 2, 0);
    EXPECT_EQ(jc.at("ceil_mode"), true);
    const Graph back = round_trip(g);
    expect_window(node_named(back, "pool.ceil").window, {2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, true,
                  true);
    EXPECT_EQ(node_named(back, "pool.ceil").out_shape, (Shape{1, 3, 3, false}));
  }
  {
    SCOPED_TRACE("kernel 2×3, stride (2, 1), dilation (1, 2), pads t1 l0 b0 r2 vs a loop");
    // H = (5 + 1 + 0 - 1·(2-1) - 1) / 2 + 1 = 3,  W = (7 + 0 + 2 - 2·(3-1) - 1) / 1 + 1 = 5
    GraphBuilder b("t", Shape{3, 5, 7}, 2);
    const int ip = b.add_node("pool.odd", OpKind::MaxPool, {b.input()},
                              with_window(window({2, 3}, {2, 1}, {1, 0, 0, 2}, {1, 2})));
    const Graph g = b.build();
    EXPECT_EQ(g.node(ip).out_shape, (Shape{3, 3, 5, false}));
    const auto x = random_input(Shape{3, 5, 7});
    const auto y = run_eval(g, x)[ip];
    ASSERT_EQ(sizes_of(y), (std::vector<int64_t>{kBatch, 3, 3, 5}));
    const auto xv = values_of(x);
    std::vector<double> want;
    for (int nc = 0; nc < kBatch * 3; ++nc)
      for (int oh = 0; oh < 3; ++oh)
        for (int ow = 0; ow < 5; ++ow) {
          double best = -std::numeric_limits<double>::infinity();
          for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 3; ++j) {
              const int r = oh * 2 - 1 + i * 1, col = ow * 1 - 0 + j * 2;
              if (r >= 0 && r < 5 && col >= 0 && col < 7)
                best = std::max(best, xv[nc * 35 + r * 7 + col]);
            }
          want.push_back(best);
        }
    expect_values(y, want);
    EXPECT_EQ(op_of(OpKind::MaxPool).quant_role(Node{}), QuantRole::PassesCodes);
    EXPECT_EQ(op_of(OpKind::MaxPool).output_sign(g.node(ip)), OutputSign::AsInputs);

    const Graph back = round_trip(g);
    expect_window(node_named(back, "pool.odd").window, {2, 3}, {2, 1}, {1, 0, 0, 2}, {1, 2}, false,
                  true);
  }
  {
    SCOPED_TRACE("refusals name the layer");
    Window w = window({3, 3}, {2, 2}, {1, 1, 0, 1});
    w.ceil_mode = true;
    std::string msg = add_error(Shape{3, 5, 7}, "pool.ceil_asym", OpKind::MaxPool, with_window(w));
    EXPECT_CONTAINS(msg, "layer 'pool.ceil_asym'");
    EXPECT_CONTAINS(msg, "ceil_mode with pads that differ");
    msg = add_error(Shape{3, 5, 7}, "pool.wide_pads", OpKind::MaxPool,
                    with_window(Window::square(3, 1, 2)));
    EXPECT_CONTAINS(msg, "layer 'pool.wide_pads'");
    EXPECT_CONTAINS(msg, "pads must be at most half the window");
    msg = add_error(Shape{3, 5, 7}, "pool.tall", OpKind::MaxPool,
                    with_window(window({6, 1}, {1, 1}, {0, 0, 0, 0})));
    EXPECT_CONTAINS(msg, "layer 'pool.tall'");
    EXPECT_CONTAINS(msg, "6x1 window does not fit input 3x5x7");
  }
}

TEST(Ops, AvgPoolExcludingPadsCeilModeAndAsymmetricPadsMatchHandValues) {
  {
    SCOPED_TRACE("kernel 3, stride 2, padding 1 on a 5×5 arange, with and without pads counted");
    // (5 + 2 - 3) / 2 + 1 = 3 -> 1×3×3. Rows (and columns) of the windows: {0,1}, {1,2,3}, {3,4}.
    // Window sum = 5·|cols|·Σrows + |rows|·Σcols; Σ = 1, 6, 7; sizes 2, 3, 2.
    GraphBuilder b("t", Shape{1, 5, 5}, 2);
    Node excl = with_window(Window::square(3, 2, 1));
    excl.window.count_include_pad = false;
    const int ie = b.add_node("pool.excl", OpKind::AvgPool, {b.input()}, excl);
    const int ii = b.avgpool("pool.incl", b.input(), 3, 2, 1);
    Node ceil_node = with_window(Window::square(2, 2, 0));
    ceil_node.window.ceil_mode = true;
    const int ic = b.add_node("pool.ceil", OpKind::AvgPool, {b.input()}, ceil_node);
    const Graph g = b.build();
    EXPECT_EQ(g.node(ie).out_shape, (Shape{1, 3, 3, false}));
    EXPECT_EQ(g.node(ic).out_shape, (Shape{1, 3, 3, false}));
    const auto outs = run_eval(g, arange_input(Shape{1, 5, 5}));
    ASSERT_EQ(sizes_of(outs[ie]), (std::vector<int64_t>{1, 1, 3, 3}));
    // Sums 12 27 24 / 63 108 81 / 72 117 84 over 4 6 4 / 6 9 6 / 4 6 4 real values, or over 9.
    expect_values(outs[ie], {3, 4.5, 6, 10.5, 12, 13.5, 18, 19.5, 21});
    expect_values(outs[ii], {12 / 9.0, 3, 24 / 9.0, 7, 12, 9, 8, 13, 84 / 9.0});
    // Ceil mode, kernel 2, stride 2: windows {0,1}, {2,3}, {4}; the mean of what is there.
    expect_values(outs[ic], {3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24});

    const json je = node_json(g, "pool.excl");
    expect_square_window_json(je, 3, 2, 1);
    EXPECT_EQ(je.at("count_include_pad"), false);
    const Graph back = round_trip(g);
    expect_window(node_named(back, "pool.excl").window, {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, false,
                  false);
    expect_window(node_named(back, "pool.incl").window, {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, false,
                  true);
    expect_window(node_named(back, "pool.ceil").window, {2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, true,
                  true);
  }
  {
    SCOPED_TRACE("kernel 3×2, stride (2, 3), pads t0 l1 b2 r0, pads counted, vs a loop");
    // H = (5 + 0 + 2 - 3) / 2 + 1 = 3,  W = (7 + 1 + 0 - 2) / 3 + 1 = 3 -> 3×3×3
    GraphBuilder b("t", Shape{3, 5, 7}, 2);
    const int ip = b.add_node("pool.asym", OpKind::AvgPool, {b.input()},
                              with_window(window({3, 2}, {2, 3}, {0, 1, 2, 0})));
    const Graph g = b.build();
    EXPECT_EQ(g.node(ip).out_shape, (Shape{3, 3, 3, false}));
    const auto x = random_input(Shape{3, 5, 7});
    const auto y = run_eval(g, x)[ip];
    ASSERT_EQ(sizes_of(y), (std::vector<int64_t>{kBatch, 3, 3, 3}));
    const auto xv = values_of(x);
    std::vector<double> want;
    for (int nc = 0; nc < kBatch * 3; ++nc)
      for (int oh = 0; oh < 3; ++oh)
        for (int ow = 0; ow < 3; ++ow) {
          double s = 0;
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 2; ++j) {
              const int r = oh * 2 - 0 + i, col = ow * 3 - 1 + j;
              if (r >= 0 && r < 5 && col >= 0 && col < 7) s += xv[nc * 35 + r * 7 + col];
            }
          want.push_back(s / 6.0);
        }
    expect_values(y, want);
    EXPECT_EQ(op_of(OpKind::AvgPool).quant_role(Node{}), QuantRole::PassesCodes);
    expect_window(node_named(round_trip(g), "pool.asym").window, {3, 2}, {2, 3}, {0, 1, 2, 0},
                  {1, 1}, false, true);
  }
  {
    SCOPED_TRACE("refusals name the layer");
    std::string msg = add_error(Shape{3, 5, 7}, "pool.dilated", OpKind::AvgPool,
                                with_window(window({2, 2}, {1, 1}, {0, 0, 0, 0}, {2, 2})));
    EXPECT_CONTAINS(msg, "layer 'pool.dilated'");
    EXPECT_CONTAINS(msg, "no dilation");
    Window w = window({3, 3}, {1, 1}, {0, 1, 1, 1});
    w.count_include_pad = false;
    msg = add_error(Shape{3, 5, 7}, "pool.asym_excl", OpKind::AvgPool, with_window(w));
    EXPECT_CONTAINS(msg, "layer 'pool.asym_excl'");
    EXPECT_CONTAINS(msg, "need count_include_pad");
    msg = add_error(Shape{3, 5, 7}, "pool.wide", OpKind::AvgPool,
                    with_window(window({1, 9}, {1, 1}, {0, 0, 0, 0})));
    EXPECT_CONTAINS(msg, "layer 'pool.wide'");
    EXPECT_CONTAINS(msg, "1x9 window does not fit input 3x5x7");
  }
}

TEST(Ops, GapKeepdimsGivesCx1x1AndFlatGivesCMeansOfEachChannel) {
  GraphBuilder b("t", Shape{3, 5, 7}, 2);
  Node keep;
  keep.keepdims = true;
  const int ik = b.add_node("gap.keep", OpKind::GlobalAvgPool, {b.input()}, keep);
  const int iflat = b.global_avgpool("gap.flat", b.input());
  const Graph g = b.build();
  EXPECT_EQ(g.node(ik).out_shape, (Shape{3, 1, 1, false}));
  EXPECT_EQ(g.node(iflat).out_shape, (Shape{3, 1, 1, true}));

  const auto x = random_input(Shape{3, 5, 7});
  const auto outs = run_eval(g, x);
  ASSERT_EQ(sizes_of(outs[ik]), (std::vector<int64_t>{kBatch, 3, 1, 1}));
  ASSERT_EQ(sizes_of(outs[iflat]), (std::vector<int64_t>{kBatch, 3}));
  const auto xv = values_of(x);
  std::vector<double> want;
  for (int nc = 0; nc < kBatch * 3; ++nc) {
    double s = 0;
    for (int i = 0; i < 35; ++i) s += xv[nc * 35 + i];
    want.push_back(s / 35.0);
  }
  expect_values(outs[ik], want);
  expect_values(outs[iflat], want);

  const Graph back = round_trip(g);
  EXPECT_TRUE(node_named(back, "gap.keep").keepdims);
  EXPECT_FALSE(node_named(back, "gap.flat").keepdims);
  EXPECT_EQ(node_named(back, "gap.keep").out_shape, (Shape{3, 1, 1, false}));

  GraphBuilder bf("t", Shape{3, 5, 7}, 2);
  const int f = bf.flatten("flat", bf.input());
  const std::string msg = error_of([&] { bf.global_avgpool("head.gap", f); });
  EXPECT_CONTAINS(msg, "layer 'head.gap'");
  EXPECT_CONTAINS(msg, "needs a CxHxW input");
}
