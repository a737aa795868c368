// flatten: C×H×W to a flat vector of C·H·W (channel-major, as PyTorch's view(N, -1)).
#include "graph/onnx_emitter.h"
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
  void write_onnx(const Node&, OnnxEmitter& e) const override {
    e.node("Flatten", {e.input(0)}, {e.output()}, {OnnxAttr::of("axis", int64_t{1})});
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
