// flatten: C×H×W to a flat vector of C·H·W (channel-major, as PyTorch's view(N, -1)).
#include "graph/op.h"

namespace bitshift {
namespace {
struct FlattenOp final : Op {
  const char* name() const override { return "flatten"; }
  QuantRole quant_role(const Node&) const override { return QuantRole::PassesCodes; }
  OutputSign output_sign(const Node&) const override { return OutputSign::AsInputs; }
  Shape infer_shape(const Node& n, const std::string&) const override {
    return Shape{n.in_shape.numel(), 1, 1, true};
  }
  torch::Tensor forward(const Node&, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return in[0].flatten(1);
  }
};
}  // namespace
const Op& op_flatten() {
  static const FlattenOp op;
  return op;
}
}  // namespace bitshift
