// add: the elementwise sum of two tensors (residual connections), with broadcasting.
#include "graph/onnx_emitter.h"
#include "graph/op.h"
#include "graph/ops/broadcast.h"

namespace bitshift {
namespace {
struct AddOp final : Op {
  const char* name() const override { return "add"; }
  int min_inputs() const override { return 2; }
  Shape infer_shape(const Node& n, const std::string& where) const override {
    return broadcast_shapes(n.in_shapes[0], n.in_shapes[1], where);
  }
  void write_onnx(const Node&, OnnxEmitter& e) const override {
    e.node("Add", {e.input(0), e.input(1)}, {e.output()});
  }
  torch::Tensor forward(const Node&, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return in[0] + in[1];
  }
};
}  // namespace
const Op& op_add() {
  static const AddOp op;
  return op;
}
}  // namespace bitshift
