// input: the network's input (node 0). The graph creates it; it computes nothing.
#include "graph/onnx_emitter.h"
#include "graph/op.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct InputOp final : Op {
  const char* name() const override { return "input"; }
  int min_inputs() const override { return 0; }
  Shape infer_shape(const Node&, const std::string& where) const override {
    throw Error(where + ": only the graph has an input node");
  }
  // The graph input itself: the writer names it.
  void write_onnx(const Node&, OnnxEmitter&) const override {}
  torch::Tensor forward(const Node&, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return in.at(0);
  }
};
}  // namespace
const Op& op_input() {
  static const InputOp op;
  return op;
}
}  // namespace bitshift
