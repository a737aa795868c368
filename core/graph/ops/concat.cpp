// concat: inputs laid side by side along channels (Inception, DenseNet, ShuffleNet). Its
// inputs meet on one quantization grid, at its output.
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
