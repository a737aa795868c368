// relu6: min(max(x, 0), 6), MobileNet's activation.
#include "graph/ops/elementwise.h"

namespace bitshift {
namespace {
struct ReLU6Op final : ElementwiseOp {
  const char* name() const override { return "relu6"; }
  OutputSign output_sign(const Node&) const override { return OutputSign::NonNegative; }
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
