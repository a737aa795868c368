// hardswish: x · relu6(x + 3) / 6, MobileNetV3's activation (its minimum is -0.375).
#include "graph/onnx_emitter.h"
#include "graph/ops/elementwise.h"

namespace bitshift {
namespace {
struct HardSwishOp final : LookupOp {
  const char* name() const override { return "hardswish"; }
  ValueRange live_inputs(const Node&) const override {
    return {-3.0, std::numeric_limits<double>::infinity()};  // 0 below -3
  }
  // HardSwish is opset 14; before it, x·HardSigmoid(x) (how PyTorch writes it for opset 13).
  void write_onnx(const Node&, OnnxEmitter& e) const override {
    if (e.opset() >= 14) return e.node("HardSwish", {e.input(0)}, {e.output()});
    const std::string gate = e.intermediate("gate");
    e.node("HardSigmoid", {e.input(0)}, {gate},
           {OnnxAttr::of("alpha", 1.0f / 6.0f), OnnxAttr::of("beta", 0.5f)});
    e.node("Mul", {e.input(0), gate}, {e.output()});
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
