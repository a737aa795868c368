// relu: max(x, 0). A quantizer that clamps at zero replaces it (one pass less).
#include "graph/onnx_emitter.h"
#include "graph/ops/elementwise.h"

namespace bitshift {
namespace {
struct ReLUOp final : ElementwiseOp {
  const char* name() const override { return "relu"; }
  OutputSign output_sign(const Node&) const override { return OutputSign::NonNegative; }
  void write_onnx(const Node&, OnnxEmitter& e) const override {
    e.node("Relu", {e.input(0)}, {e.output()});
  }
  torch::Tensor forward(const Node&, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return torch::relu(in[0]);
  }
};
}  // namespace
const Op& op_relu() {
  static const ReLUOp op;
  return op;
}
}  // namespace bitshift
