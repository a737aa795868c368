// sigmoid: 1 / (1 + e^-x), the gate of squeeze-excitation blocks.
#include "graph/onnx_emitter.h"
#include "graph/ops/elementwise.h"

namespace bitshift {
namespace {
struct SigmoidOp final : LookupOp {
  const char* name() const override { return "sigmoid"; }
  OutputSign output_sign(const Node&) const override { return OutputSign::NonNegative; }
  void write_onnx(const Node&, OnnxEmitter& e) const override {
    e.node("Sigmoid", {e.input(0)}, {e.output()});
  }
  torch::Tensor forward(const Node&, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return torch::sigmoid(in[0]);
  }
};
}  // namespace
const Op& op_sigmoid() {
  static const SigmoidOp op;
  return op;
}
}  // namespace bitshift
