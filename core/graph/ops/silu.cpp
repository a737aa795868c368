// silu: x · sigmoid(x) (Swish), EfficientNet's activation (its minimum is about -0.278).
#include "graph/ops/elementwise.h"

namespace bitshift {
namespace {
struct SiLUOp final : LookupOp {
  const char* name() const override { return "silu"; }
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
