// relu6: min(max(x, 0), 6), MobileNet's activation.
#include "graph/onnx_emitter.h"
#include "graph/ops/elementwise.h"

namespace bitshift {
namespace {
struct ReLU6Op final : ElementwiseOp {
  const char* name() const override { return "relu6"; }
  OutputSign output_sign(const Node&) const override { return OutputSign::NonNegative; }
  void write_onnx(const Node&, OnnxEmitter& e) const override {
    e.node("Clip", {e.input(0), e.constant("min", torch::tensor(0.0f)),
                    e.constant("max", torch::tensor(6.0f))},
           {e.output()});
  }
  torch::Tensor forward(const Node&, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return torch::hardtanh(in[0], 0.0, 6.0);
  }
};
}  // namespace
const Op& op_relu6() {
  static const ReLU6Op op;
  return op;
}
}  // namespace bitshift
