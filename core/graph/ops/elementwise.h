#pragma once
// The shape rule shared by ops that act on each value alone (activations, dropout).
#include "graph/op.h"

namespace bitshift {

struct ElementwiseOp : Op {
  Shape infer_shape(const Node& n, const std::string&) const override { return n.in_shape; }
};

}  // namespace bitshift
