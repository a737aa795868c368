// mul: the elementwise product of two tensors with broadcasting (squeeze-excitation gates).
#include "graph/onnx_emitter.h"
#include "graph/op.h"
#include "graph/ops/broadcast.h"

namespace bitshift {
namespace {
struct MulOp final : Op {
  const char* name() const override { return "mul"; }
  int min_inputs() const override { return 2; }
  QuantRole quant_role(const Node&) const override { return QuantRole::Multiplies; }
  OutputSign output_sign(const Node&) const override { return OutputSign::AsInputs; }
  Shape infer_shape(const Node& n, const std::string& where) const override {
    return broadcast_shapes(n.in_shapes[0], n.in_shapes[1], where);
  }
  void write_onnx(const Node&, OnnxEmitter& e) const override {
    e.node("Mul", {e.input(0), e.input(1)}, {e.output()});
  }
  torch::Tensor forward(const Node&, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return in[0] * in[1];
  }
};
}  // namespace
const Op& op_mul() {
  static const MulOp op;
  return op;
}
}  // namespace bitshift
