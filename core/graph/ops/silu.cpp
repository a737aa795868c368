// silu: x · sigmoid(x) (Swish), EfficientNet's activation (its minimum is about -0.278).
#include "graph/onnx_emitter.h"
#include "graph/ops/elementwise.h"

namespace bitshift {
namespace {
struct SiLUOp final : LookupOp {
  const char* name() const override { return "silu"; }
  // x·sigmoid(x): ONNX has no SiLU op.
  void write_onnx(const Node&, OnnxEmitter& e) const override {
    const std::string gate = e.intermediate("gate");
    e.node("Sigmoid", {e.input(0)}, {gate});
    e.node("Mul", {e.input(0), gate}, {e.output()});
  }
  torch::Tensor forward(const Node&, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return torch::silu(in[0]);
  }
};
}  // namespace
const Op& op_silu() {
  static const SiLUOp op;
  return op;
}
}  // namespace bitshift
