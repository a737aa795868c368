// hardswish: x · relu6(x + 3) / 6, MobileNetV3's activation (its minimum is -0.375).
#include "graph/ops/elementwise.h"

namespace bitshift {
namespace {
struct HardSwishOp final : LookupOp {
  const char* name() const override { return "hardswish"; }
  torch::Tensor forward(const Node&, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return torch::hardswish(in[0]);
  }
};
}  // namespace
const Op& op_hardswish() {
  static const HardSwishOp op;
  return op;
}
}  // namespace bitshift
