// concat: inputs laid side by side along channels (Inception, DenseNet, ShuffleNet). Its
// inputs meet on one quantization grid, at its output.
#include "graph/onnx_emitter.h"
#include "graph/op.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct ConcatOp final : Op {
  const char* name() const override { return "concat"; }
  int min_inputs() const override { return 1; }
  int max_inputs() const override { return -1; }
  QuantRole quant_role(const Node&) const override { return QuantRole::JoinsGrids; }
  OutputSign output_sign(const Node&) const override { return OutputSign::AsInputs; }
  Shape infer_shape(const Node& n, const std::string& where) const override {
    Shape out = n.in_shapes[0];
    for (size_t i = 1; i < n.in_shapes.size(); ++i) {
      const Shape& s = n.in_shapes[i];
      require(s.flat == out.flat && s.h == out.h && s.w == out.w,
              where + ": input " + std::to_string(i) + " is " + s.str() + ", input 0 is " +
                  n.in_shapes[0].str() + " (only channels may differ)");
      out.c += s.c;
    }
    return out;
  }
  void write_onnx(const Node& n, OnnxEmitter& e) const override {
    std::vector<std::string> in;
    for (size_t i = 0; i < n.inputs.size(); ++i) in.push_back(e.input(i));
    e.node("Concat", in, {e.output()}, {OnnxAttr::of("axis", int64_t{1})});
  }
  torch::Tensor forward(const Node&, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return torch::cat(in, 1);
  }
};
}  // namespace
const Op& op_concat() {
  static const ConcatOp op;
  return op;
}
}  // namespace bitshift
