// Ops with parameters: conv2d (non-square, asymmetric pads, dilation, groups), linear,
// batchnorm2d.
#include "ops_test_util.h"

using namespace bitshift;
using namespace bitshift::ops_test;

TEST(Ops, Conv2dNonSquareKernelAsymmetricPadsDilationAndGroupsMatchIndependentReferences) {
  // (a) 3×5×7 -> 7 channels, kernel 3×5, stride 2, pads t1 l2 b0 r1, dilation 1, bias:
  //     H = (5 + 1 + 0 - 3) / 2 + 1 = 2,  W = (7 + 2 + 1 - 5) / 2 + 1 = 3        -> 7×2×3
  //     params = 7 · 3 · 3 · 5 + 7 = 322,  MACs = (7 · 2 · 3) · (3 · 3 · 5) = 42 · 45 = 1890
  // (c) 3×5×7 -> 6 channels, groups 3, kernel 3×5, stride 2, pads 1 (H) and 2 (W), bias:
  //     H = (5 + 2 - 3) / 2 + 1 = 3,  W = (7 + 4 - 5) / 2 + 1 = 4                  -> 6×3×4
  //     params = 6 · (3/3) · 3 · 5 + 6 = 96,  MACs = (6 · 3 · 4) · (1 · 3 · 5) = 72 · 15 = 1080
  // (s) square 3×3, stride 2, padding 1: (5 + 2 - 3) / 2 + 1 = 3, (7 + 2 - 3) / 2 + 1 = 4 -> 5×3×4
  GraphBuilder b("t", Shape{3, 5, 7}, 2);
  Node a;
  a.out_channels = 7;
  a.window = window({3, 5}, {2, 2}, {1, 2, 0, 1});
  a.bias = true;
  const int ia = b.add_node("conv.asym", OpKind::Conv2d, {b.input()}, a);
  Node c;
  c.out_channels = 6;
  c.window = window({3, 5}, {2, 2}, {1, 2, 1, 2});
  c.groups = 3;
  c.bias = true;
  const int ic = b.add_node("conv.grouped", OpKind::Conv2d, {b.input()}, c);
  const int is = b.conv("conv.square", b.input(), 5, 3, 2, 1);
  const Graph g = b.build();

  EXPECT_EQ(g.node(ia).out_shape, (Shape{7, 2, 3, false}));
  EXPECT_EQ(g.node(ic).out_shape, (Shape{6, 3, 4, false}));
  EXPECT_EQ(g.node(is).out_shape, (Shape{5, 3, 4, false}));
  EXPECT_EQ(g.params(ia), 322);
  EXPECT_EQ(g.macs(ia), 1890);
  EXPECT_EQ(g.params(ic), 96);
  EXPECT_EQ(g.macs(ic), 1080);
  EXPECT_EQ(op_of(OpKind::Conv2d).quant_role(Node{}), QuantRole::Computes);
  EXPECT_EQ(op_of(OpKind::Conv2d).output_sign(g.node(ia)), OutputSign::Signed);

  GraphModule m(g);
  {
    torch::NoGradGuard no_grad;
    torch::manual_seed(kSeed + 1);
    m->weight(ia).copy_(torch::randn({7, 3, 3, 5}));
    m->bias(ia).copy_(torch::randn({7}));
    m->weight(ic).copy_(torch::randn({6, 1, 3, 5}));
    m->bias(ic).copy_(torch::randn({6}));
  }
  const auto x = random_input(Shape{3, 5, 7});
  const auto outs = run_eval(m, x);
  torch::NoGradGuard no_grad;
  {
    SCOPED_TRACE("asymmetric pads vs constant_pad_nd + conv2d with padding 0");
    ASSERT_EQ(sizes_of(outs[ia]), (std::vector<int64_t>{kBatch, 7, 2, 3}));
    // constant_pad_nd takes (left, right, top, bottom).
    const auto padded = torch::constant_pad_nd(x, {2, 1, 1, 0}, 0.0);
    const auto want = torch::conv2d(padded, m->weight(ia), m->bias(ia), torch::IntArrayRef{2, 2},
                                    torch::IntArrayRef{0, 0});
    expect_values(outs[ia], values_of(want));
  }
  {
    SCOPED_TRACE("groups 3 vs one ungrouped conv2d per group");
    ASSERT_EQ(sizes_of(outs[ic]), (std::vector<int64_t>{kBatch, 6, 3, 4}));
    std::vector<torch::Tensor> parts;
    for (int64_t grp = 0; grp < 3; ++grp)  // input channel grp feeds outputs 2·grp and 2·grp + 1
      parts.push_back(torch::conv2d(x.slice(1, grp, grp + 1),
                                    m->weight(ic).slice(0, 2 * grp, 2 * grp + 2),
                                    m->bias(ic).slice(0, 2 * grp, 2 * grp + 2),
                                    torch::IntArrayRef{2, 2}, torch::IntArrayRef{1, 2}));
    expect_values(outs[ic], values_of(torch::cat(parts, 1)));
  }
  {
    SCOPED_TRACE("dilation 2 vs a plain C++ loop, one channel");
    // 1×5×7 -> 1 channel, kernel 2×3, stride (1, 2), pads 1 on every side, dilation 2:
    //   H = (5 + 2 - 2·(2-1) - 1) / 1 + 1 = 5,  W = (7 + 2 - 2·(3-1) - 1) / 2 + 1 = 3 -> 1×5×3
    GraphBuilder bd("t", Shape{1, 5, 7}, 2);
    Node d;
    d.out_channels = 1;
    d.window = window({2, 3}, {1, 2}, {1, 1, 1, 1}, {2, 2});
    const int id = bd.add_node("conv.dilated", OpKind::Conv2d, {bd.input()}, d);
    GraphModule md(bd.build());
    const double w[2][3] = {{1.0, -2.0, 3.0}, {0.5, -1.0, 2.0}};
    {
      torch::NoGradGuard ng;
      md->weight(id).copy_(
          torch::tensor({1.0f, -2.0f, 3.0f, 0.5f, -1.0f, 2.0f}).view({1, 1, 2, 3}));
    }
    EXPECT_EQ(md->graph().node(id).out_shape, (Shape{1, 5, 3, false}));
    const auto xd = random_input(Shape{1, 5, 7});
    const auto yd = run_eval(md, xd)[id];
    ASSERT_EQ(sizes_of(yd), (std::vector<int64_t>{kBatch, 1, 5, 3}));
    const auto xv = values_of(xd);
    std::vector<double> want;
    for (int n = 0; n < kBatch; ++n)
      for (int oh = 0; oh < 5; ++oh)
        for (int ow = 0; ow < 3; ++ow) {
          double s = 0;
          for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 3; ++j) {
              const int r = oh * 1 - 1 + i * 2, col = ow * 2 - 1 + j * 2;
              if (r >= 0 && r < 5 && col >= 0 && col < 7) s += w[i][j] * xv[n * 35 + r * 7 + col];
            }
          want.push_back(s);
        }
    expect_values(yd, want);

    const Graph back = round_trip(md->graph());
    expect_window(node_named(back, "conv.dilated").window, {2, 3}, {1, 2}, {1, 1, 1, 1}, {2, 2},
                  false, true);
  }
  {
    SCOPED_TRACE("ceil_mode: refused by name, or the forward gives the shape the graph infers");
    // 1×5×5 -> 1 channel, kernel 2, stride 2, ceil_mode: (5 - 2 + 1) / 2 + 1 = 3 (floor: 2).
    GraphBuilder bc("t", Shape{1, 5, 5}, 2);
    Node cm;
    cm.out_channels = 1;
    cm.window = Window::square(2, 2, 0);
    cm.window.ceil_mode = true;
    int icm = -1;
    const std::string err =
        error_of([&] { icm = bc.add_node("conv.ceil", OpKind::Conv2d, {bc.input()}, cm); });
    if (icm < 0) {
      EXPECT_CONTAINS(err, "layer 'conv.ceil'");
    } else {
      const Graph gc = bc.build();
      const Shape s = gc.node(icm).out_shape;
      const auto y = run_eval(gc, torch::zeros({1, 1, 5, 5}))[icm];
      EXPECT_EQ(sizes_of(y), (std::vector<int64_t>{1, s.c, s.h, s.w}))
          << "inferred " << s.str() << ", forward " << y.sizes();
    }
  }
  {
    SCOPED_TRACE("JSON round trip");
    const json ja = node_json(g, "conv.asym");
    EXPECT_EQ(ja.at("kernel"), json::array({3, 5}));
    EXPECT_EQ(ja.at("pads"), json::array({1, 2, 0, 1}));
    expect_square_window_json(node_json(g, "conv.square"), 3, 2, 1);
    const Graph back = round_trip(g);
    const Node& ba = node_named(back, "conv.asym");
    expect_window(ba.window, {3, 5}, {2, 2}, {1, 2, 0, 1}, {1, 1}, false, true);
    EXPECT_EQ(ba.out_channels, 7);
    EXPECT_TRUE(ba.bias);
    EXPECT_EQ(ba.out_shape, (Shape{7, 2, 3, false}));
    const Node& bc = node_named(back, "conv.grouped");
    EXPECT_EQ(bc.groups, 3);
    EXPECT_EQ(bc.out_channels, 6);
    expect_window(node_named(back, "conv.square").window, {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1},
                  false, true);
    EXPECT_FALSE(node_named(back, "conv.square").bias);
  }
  {
    SCOPED_TRACE("refusals name the layer");
    Node big;
    big.out_channels = 4;
    big.window = window({7, 3}, {1, 1}, {0, 0, 0, 0});  // H: 5 - 7 + 1 < 1
    std::string msg = add_error(Shape{3, 5, 7}, "conv.big", OpKind::Conv2d, big);
    EXPECT_CONTAINS(msg, "layer 'conv.big'");
    EXPECT_CONTAINS(msg, "7x3 window does not fit input 3x5x7");

    Node dil;
    dil.out_channels = 4;
    dil.window = window({3, 3}, {1, 1}, {0, 0, 0, 0}, {3, 1});  // H: 5 - 3·2 - 1 < 0
    msg = add_error(Shape{3, 5, 7}, "conv.dilated", OpKind::Conv2d, dil);
    EXPECT_CONTAINS(msg, "layer 'conv.dilated'");
    EXPECT_CONTAINS(msg, "does not fit");

    Node grp;
    grp.out_channels = 4;
    grp.groups = 2;
    msg = add_error(Shape{3, 5, 7}, "conv.groups", OpKind::Conv2d, grp);
    EXPECT_CONTAINS(msg, "layer 'conv.groups'");
    EXPECT_CONTAINS(msg, "groups=2 must divide in channels 3");

    Node stride0;
    stride0.out_channels = 4;
    stride0.window = window({3, 3}, {0, 1}, {1, 1, 1, 1});
    msg = add_error(Shape{3, 5, 7}, "conv.stride0", OpKind::Conv2d, stride0);
    EXPECT_CONTAINS(msg, "layer 'conv.stride0'");
    EXPECT_CONTAINS(msg, "got 0");

    Node negpad;
    negpad.out_channels = 4;
    negpad.window = window({3, 3}, {1, 1}, {1, -1, 1, 1});
    msg = add_error(Shape{3, 5, 7}, "conv.negpad", OpKind::Conv2d, negpad);
    EXPECT_CONTAINS(msg, "layer 'conv.negpad'");
    EXPECT_CONTAINS(msg, "got -1");

    msg = from_json_error(g, "conv.asym", "pads", json::array({1, 2, 0}));
    EXPECT_CONTAINS(msg, "layer 'conv.asym'");
    EXPECT_CONTAINS(msg, "[top, left, bottom, right]");
  }
}

TEST(Ops, LinearOnFlattenedSevenFeaturesMatchesHandMatrixProduct) {
  // 7×1×1 -> flatten -> 7 -> linear 3 with bias -> 3 (flat); params 3·7 + 3 = 24, MACs 21.
  GraphBuilder b("t", Shape{7, 1, 1}, 3);
  const int fc = b.linear("fc", b.flatten("flat", b.input()), 3, /*bias=*/true);
  const Graph g = b.build();
  EXPECT_EQ(g.node(fc).out_shape, (Shape{3, 1, 1, true}));
  EXPECT_EQ(g.params(fc), 24);
  EXPECT_EQ(g.macs(fc), 21);

  GraphModule m(g);
  double w[3][7];
  std::vector<double> wv;
  for (int o = 0; o < 3; ++o)
    for (int i = 0; i < 7; ++i) wv.push_back(w[o][i] = 0.25 * (o + 1) - 0.1 * i);
  const double bias[3] = {0.5, -1.0, 2.0};
  {
    torch::NoGradGuard no_grad;
    m->weight(fc).copy_(tensor_of(wv, {3, 7}));
    m->bias(fc).copy_(torch::tensor({0.5f, -1.0f, 2.0f}));
  }
  const auto x = random_input(Shape{7, 1, 1});
  const auto y = run_eval(m, x)[fc];
  ASSERT_EQ(sizes_of(y), (std::vector<int64_t>{kBatch, 3}));
  const auto xv = values_of(x);
  std::vector<double> want;
  for (int n = 0; n < kBatch; ++n)
    for (int o = 0; o < 3; ++o) {
      double s = bias[o];
      for (int i = 0; i < 7; ++i) s += w[o][i] * xv[n * 7 + i];
      want.push_back(s);
    }
  expect_values(y, want);

  const Graph read_back = round_trip(g);  // kept: `back` refers into it
  const Node& back = node_named(read_back, "fc");
  EXPECT_EQ(back.out_channels, 3);
  EXPECT_TRUE(back.bias);

  Node attrs;
  attrs.out_channels = 3;
  std::string msg = add_error(Shape{7, 5, 3}, "head.fc", OpKind::Linear, attrs);
  EXPECT_CONTAINS(msg, "layer 'head.fc'");
  EXPECT_CONTAINS(msg, "needs a flat input");
  msg = from_json_error(g, "fc", "out_features", 0);
  EXPECT_CONTAINS(msg, "layer 'fc'");
  EXPECT_CONTAINS(msg, "out_features must be positive");
}

TEST(Ops, BatchNorm2dEps1e3InEvalMatchesHandNormalisation) {
  GraphBuilder b("t", Shape{3, 5, 7}, 2);
  Node attrs;
  attrs.eps = 1e-3;
  const int bn = b.add_node("bn", OpKind::BatchNorm2d, {b.input()}, attrs);
  const Graph g = b.build();
  EXPECT_EQ(g.node(bn).out_shape, (Shape{3, 5, 7, false}));
  EXPECT_EQ(g.params(bn), 6);  // gamma and beta of 3 channels

  const double gamma[3] = {1.5, -0.5, 2.0}, beta[3] = {0.1, 0.2, -0.3};
  const double mean[3] = {0.5, -1.0, 2.0}, var[3] = {0.25, 4.0, 0.01};
  GraphModule m(g);
  {
    torch::NoGradGuard no_grad;
    auto mod = m->batchnorm(bn);
    mod->weight.copy_(torch::tensor({1.5f, -0.5f, 2.0f}));
    mod->bias.copy_(torch::tensor({0.1f, 0.2f, -0.3f}));
    mod->running_mean.copy_(torch::tensor({0.5f, -1.0f, 2.0f}));
    mod->running_var.copy_(torch::tensor({0.25f, 4.0f, 0.01f}));
  }
  const auto x = random_input(Shape{3, 5, 7});
  const auto y = run_eval(m, x)[bn];
  ASSERT_EQ(sizes_of(y), (std::vector<int64_t>{kBatch, 3, 5, 7}));
  const auto xv = values_of(x);
  std::vector<double> want;
  for (size_t i = 0; i < xv.size(); ++i) {
    const int ch = static_cast<int>(i / 35) % 3;
    want.push_back((xv[i] - mean[ch]) / std::sqrt(var[ch] + 1e-3) * gamma[ch] + beta[ch]);
  }
  expect_values(y, want);

  EXPECT_DOUBLE_EQ(node_named(round_trip(g), "bn").eps, 1e-3);
  GraphBuilder bdef("t", Shape{3, 5, 7}, 2);
  bdef.bn("bn", bdef.input());
  EXPECT_DOUBLE_EQ(node_named(round_trip(bdef.build()), "bn").eps, 1e-5);

  Node zero;
  zero.eps = 0.0;
  std::string msg = add_error(Shape{3, 5, 7}, "block.bn", OpKind::BatchNorm2d, zero);
  EXPECT_CONTAINS(msg, "layer 'block.bn'");
  EXPECT_CONTAINS(msg, "eps must be in (0, 1)");
  msg = from_json_error(g, "bn", "eps", 1.5);
  EXPECT_CONTAINS(msg, "layer 'bn'");
  GraphBuilder bf("t", Shape{3, 5, 7}, 2);
  const int f = bf.flatten("flat", bf.input());
  msg = error_of([&] { bf.add_node("bn.flat", OpKind::BatchNorm2d, {f}); });
  EXPECT_CONTAINS(msg, "layer 'bn.flat'");
  EXPECT_CONTAINS(msg, "needs a CxHxW input");
}
