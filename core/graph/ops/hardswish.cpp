// hardswish: x · relu6(x + 3) / 6, MobileNetV3's activation (its minimum is -0.375).
#include "graph/ops/elementwise.h"

namespace bitshift {
namespace {
struct HardSwishOp final : LookupOp {
  const char* name() const override { return "hardswish"; }
  ValueRange live_inputs(const Node&) const override {
    return {-3.0, std::numeric_limits<double>::infinity()};  // 0 below -3
  }
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
