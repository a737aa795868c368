// Activations, each against its formula in a plain loop.
#include "ops_test_util.h"

using namespace bitshift;
using namespace bitshift::ops_test;

TEST(Ops, ReluMatchesMaxWithZeroInALoop) {
  const Unary u = run_unary(OpKind::ReLU);
  expect_same_shape(u);
  expect_elementwise(u.x, u.y, [](double v) { return v > 0 ? v : 0.0; });
  EXPECT_EQ(op_of(OpKind::ReLU).output_sign(u.graph.node(u.node)), OutputSign::NonNegative);
}

TEST(Ops, Relu6ClampsToZeroAndSixInALoop) {
  const Unary u = run_unary(OpKind::ReLU6);
  expect_same_shape(u);
  expect_elementwise(u.x, u.y, [](double v) { return std::min(std::max(v, 0.0), 6.0); });
  EXPECT_EQ(op_of(OpKind::ReLU6).output_sign(u.graph.node(u.node)), OutputSign::NonNegative);
}

TEST(Ops, SigmoidMatchesOneOverOnePlusExpInALoop) {
  const Unary u = run_unary(OpKind::Sigmoid);
  expect_same_shape(u);
  expect_elementwise(u.x, u.y, sigmoid_ref);
  EXPECT_EQ(op_of(OpKind::Sigmoid).output_sign(u.graph.node(u.node)), OutputSign::NonNegative);
}

TEST(Ops, HardSigmoidOnnxAndPytorchSlopesMatchClampFormulaInALoop) {
  // ONNX's default alpha = 0.2 and PyTorch's alpha = 1/6, both with beta = 0.5.
  GraphBuilder b("t", Shape{3, 5, 7}, 2);
  Node onnx, pt;
  onnx.alpha = 0.2, onnx.beta = 0.5;
  pt.alpha = 1.0 / 6.0, pt.beta = 0.5;
  const int io = b.add_node("hs.onnx", OpKind::HardSigmoid, {b.input()}, onnx);
  const int ip = b.add_node("hs.torch", OpKind::HardSigmoid, {b.input()}, pt);
  const Graph g = b.build();
  EXPECT_EQ(g.node(io).out_shape, (Shape{3, 5, 7, false}));
  EXPECT_EQ(op_of(OpKind::HardSigmoid).output_sign(g.node(io)), OutputSign::NonNegative);

  const auto x = activation_input(Shape{3, 5, 7});
  const auto outs = run_eval(g, x);
  const auto hard = [](double a, double bt) {
    return [a, bt](double v) { return std::min(std::max(a * v + bt, 0.0), 1.0); };
  };
  {
    SCOPED_TRACE("alpha 0.2");
    expect_elementwise(x, outs[io], hard(0.2, 0.5));
  }
  {
    SCOPED_TRACE("alpha 1/6");
    expect_elementwise(x, outs[ip], hard(1.0 / 6.0, 0.5));
  }

  const Graph back = round_trip(g);
  EXPECT_DOUBLE_EQ(node_named(back, "hs.onnx").alpha, 0.2);
  EXPECT_DOUBLE_EQ(node_named(back, "hs.onnx").beta, 0.5);
  EXPECT_DOUBLE_EQ(node_named(back, "hs.torch").alpha, 1.0 / 6.0);
}

TEST(Ops, HardSwishMatchesXTimesRelu6OfXPlus3Over6InALoop) {
  const Unary u = run_unary(OpKind::HardSwish);
  expect_same_shape(u);
  expect_elementwise(u.x, u.y,
                     [](double v) { return v * std::min(std::max(v + 3.0, 0.0), 6.0) / 6.0; });
  EXPECT_EQ(op_of(OpKind::HardSwish).output_sign(u.graph.node(u.node)), OutputSign::Signed);
}

TEST(Ops, SiluMatchesXOverOnePlusExpMinusXInALoop) {
  const Unary u = run_unary(OpKind::SiLU);
  expect_same_shape(u);
  expect_elementwise(u.x, u.y, [](double v) { return v / (1.0 + std::exp(-v)); });
  EXPECT_EQ(op_of(OpKind::SiLU).output_sign(u.graph.node(u.node)), OutputSign::Signed);
}

TEST(Ops, LeakyReluSlope0p1MatchesLoopAndKeepsAlpha) {
  Node attrs;
  attrs.alpha = 0.1;
  const Unary u = run_unary(OpKind::LeakyReLU, attrs);
  expect_same_shape(u);
  expect_elementwise(u.x, u.y, [](double v) { return v >= 0 ? v : 0.1 * v; });
  EXPECT_EQ(op_of(OpKind::LeakyReLU).output_sign(u.graph.node(u.node)), OutputSign::Signed);
  EXPECT_DOUBLE_EQ(node_named(round_trip(u.graph), "act").alpha, 0.1);
}

TEST(Ops, ClipMinusHalfToOneAndAQuarterMatchesLoopAndKeepsBounds) {
  Node attrs;
  attrs.lo = -0.5, attrs.hi = 1.25;
  const Unary u = run_unary(OpKind::Clip, attrs);
  expect_same_shape(u);
  expect_elementwise(u.x, u.y, [](double v) { return std::min(std::max(v, -0.5), 1.25); });
  EXPECT_EQ(op_of(OpKind::Clip).output_sign(u.graph.node(u.node)), OutputSign::Signed);
  Node nonneg;
  nonneg.lo = 0.0, nonneg.hi = 6.0;
  EXPECT_EQ(op_of(OpKind::Clip).output_sign(nonneg), OutputSign::NonNegative);

  const json j = node_json(u.graph, "act");
  EXPECT_DOUBLE_EQ(j.at("min").get<double>(), -0.5);
  EXPECT_DOUBLE_EQ(j.at("max").get<double>(), 1.25);
  const Graph read_back = round_trip(u.graph);  // kept: `back` refers into it
  const Node& back = node_named(read_back, "act");
  EXPECT_DOUBLE_EQ(back.lo, -0.5);
  EXPECT_DOUBLE_EQ(back.hi, 1.25);

  Node inverted;
  inverted.lo = 2.0, inverted.hi = 1.0;
  std::string msg = add_error(Shape{3, 5, 7}, "act.clip", OpKind::Clip, inverted);
  EXPECT_CONTAINS(msg, "layer 'act.clip'");
  EXPECT_CONTAINS(msg, "exceeds max");
  msg = from_json_error(u.graph, "act", "min", 3.0);
  EXPECT_CONTAINS(msg, "layer 'act'");
}
