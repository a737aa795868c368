#pragma once
// The shape rule shared by ops that act on each value alone (activations, dropout).
#include "graph/op.h"

namespace bitshift {

struct ElementwiseOp : Op {
  Shape infer_shape(const Node& n, const std::string&) const override { return n.in_shape; }
};

// A nonlinear function of one value that integers reach through a table indexed by the input's
// code (sigmoid, hard-sigmoid, hard-swish, SiLU, leaky ReLU).
struct LookupOp : ElementwiseOp {
  QuantRole quant_role(const Node&) const override { return QuantRole::LooksUp; }
};

}  // namespace bitshift
