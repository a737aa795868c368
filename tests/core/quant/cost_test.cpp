// BOPs and weight memory against hand calculations.
#include <gtest/gtest.h>

#include <cmath>

#include "graph/builder.h"
#include "graph/op.h"
#include "models/zoo.h"
#include "quant/cost.h"

using namespace bitshift;

// Relative tolerance for sums of ~20 doubles computed in another order.
constexpr double kRelTol = 1e-12;

TEST(Cost, SingleConvBopsFollowUnIqFormula) {
  GraphBuilder b("one", Shape{3, 8, 8}, 10);
  b.linear("fc", b.flatten("f", b.conv("c", b.input(), 4, 3, 1, 1)), 10);
  const Graph g = b.build();
  QuantPlan p = make_plan(g, "lsq", "w2a3", EdgePolicy::EdgePolicyQuantized);
  const ModelCost c = cost(g, p);
  // conv: 4·8·8 outputs × n·k² = 27 × (3·2 + 3 + 2 + log2 27).
  const double conv = 4 * 8 * 8 * 27 * (6 + 5 + std::log2(27.0));
  EXPECT_NEAR(c.layers[0].bops, conv, conv * kRelTol);
  // weights: 4·27 at 2 bits + 4 biases at 16 bits.
  EXPECT_EQ(c.layers[0].weight_bits, 4 * 27 * 2 + 4 * 16);
}

TEST(Cost, SqueezeExcitationMulCountsOneProductPerElementOnItsOperandsGrids) {
  GraphBuilder b("se", Shape{4, 5, 7}, 3);
  const int x = b.conv("c", b.input(), 6, 3, 1, 1);
  Node keep;
  keep.keepdims = true;  // 6x1x1, as torchvision's squeeze
  const int squeezed = b.add_node("p", OpKind::GlobalAvgPool, {x}, keep);
  const int gate = b.add_node("gate", OpKind::Sigmoid, {b.conv("e", squeezed, 6, 1)});
  const int y = b.add_node("scale", OpKind::Mul, {x, gate});  // [6,5,7] · [6,1,1]
  b.linear("fc", b.flatten("f", b.global_avgpool("q", y)), 3);
  const Graph g = b.build();
  const ModelCost c = cost(g, make_plan(g, "lsq", "w4a4", EdgePolicy::EdgePolicyQuantized));
  ASSERT_EQ(c.layers.size(), 4u);  // c, e, fc, then the mul
  const LayerCost& mul = c.layers.back();
  EXPECT_EQ(mul.layer, "scale");
  // fc reads the product at 4 bits, so both operands sit on 4-bit grids:
  // 6·5·7 products of 4×4 bits: 210 × (4·4 + 4 + 4 + log2 1).
  EXPECT_EQ(mul.a_bits, 4);
  EXPECT_EQ(mul.w_bits, 4);
  EXPECT_DOUBLE_EQ(mul.bops, 210.0 * 24.0);
  EXPECT_EQ(mul.macs, 0);
  EXPECT_EQ(mul.weight_bits, 0);
  EXPECT_EQ(c.macs, g.total_macs());
  EXPECT_NEAR(c.bops, c.layers[0].bops + c.layers[1].bops + c.layers[2].bops + 210.0 * 24.0,
              c.bops * kRelTol);
  // In FP32 they are two 32-bit operands: 210 × (32·32 + 32 + 32).
  const ModelCost f = cost(g, make_plan(g, "lsq", "fp32"));
  EXPECT_DOUBLE_EQ(f.layers.back().bops, 210.0 * 1088.0);
}

TEST(Cost, TheGateOfAProductIsItsBroadcastOperandWhicheverSideItIsOn) {
  for (const bool gate_first : {false, true}) {
    GraphBuilder b("se", Shape{4, 5, 7}, 3);
    const int x = b.conv("c", b.input(), 6, 3, 1, 1);
    Node keep;
    keep.keepdims = true;
    const int squeezed = b.add_node("p", OpKind::GlobalAvgPool, {x}, keep);
    const int gate = b.add_node("gate", OpKind::Sigmoid, {b.conv("e", squeezed, 6, 1)});
    const int y = b.add_node("scale", OpKind::Mul, gate_first ? std::vector<int>{gate, x}
                                                               : std::vector<int>{x, gate});
    b.linear("fc", b.flatten("f", b.global_avgpool("q", y)), 3);
    const Graph g = b.build();
    QuantPlan plan = make_plan(g, "lsq", "w4a4", EdgePolicy::EdgePolicyQuantized);
    for (auto& l : plan.layers)
      if (l.layer == "e") l.a_bits = 8;  // e reads the features (through p) at 8 bits
    const auto report = cost(g, plan);  // kept: `mul` refers into it
    const LayerCost& mul = report.layers.back();
    EXPECT_EQ(mul.a_bits, 8) << gate_first;  // the features: max(8 for e, 4 for the product)
    EXPECT_EQ(mul.w_bits, 4) << gate_first;  // the gate: 4, from fc through the product
    EXPECT_DOUBLE_EQ(mul.bops, 210.0 * (8 * 4 + 8 + 4)) << gate_first;
  }
}

TEST(Cost, ResNet18BopsMatchHandCalculation) {
  const Graph g = resnet18(Shape{3, 224, 224}, 1000);
  // Sums of m·H·W·n·k²·(ab + a + b + log2(n·k²)) over the 20 convs and the FC, computed
  // independently from torchvision's layer list (see the commit that added this test).
  const double w4a4 = 62152570579.31135, w32a32 = 1992326608595.3108;
  const ModelCost q = cost(g, make_plan(g, "lsq", "w4a4", EdgePolicy::EdgePolicyQuantized));
  const ModelCost f = cost(g, make_plan(g, "lsq", "fp32"));
  EXPECT_NEAR(q.bops, w4a4, w4a4 * kRelTol);
  EXPECT_NEAR(f.bops, w32a32, w32a32 * kRelTol);
  EXPECT_EQ(q.macs, 1814073344);
}

TEST(Cost, LutLayersMultiplyWithEightBitsButStoreFourBitCodes) {
  GraphBuilder b("one", Shape{1, 4, 4}, 2);
  b.linear("fc", b.flatten("f", b.input()), 2);
  const Graph g = b.build();
  const ModelCost c = cost(g, make_plan(g, "pot-lut", "w4a8"));
  const double per = 16 * (8 * 8 + 8 + 8 + std::log2(16.0));
  EXPECT_NEAR(c.bops, 2 * per, 1e-9);
  EXPECT_EQ(c.layers[0].weight_bits, 2 * 16 * 4 + 2 * 16 + 16 * 8);  // codes + biases + table
}
