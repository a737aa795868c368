// dropout: zeroes a fraction p of values while training; the identity in evaluation.
#include <nlohmann/json.hpp>

#include "graph/onnx_emitter.h"
#include "graph/ops/elementwise.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct DropoutOp final : ElementwiseOp {
  const char* name() const override { return "dropout"; }
  QuantRole quant_role(const Node&) const override { return QuantRole::PassesCodes; }
  OutputSign output_sign(const Node&) const override { return OutputSign::AsInputs; }
  void write_attrs(const Node& n, nlohmann::json& j) const override { j["p"] = n.dropout_p; }
  void read_attrs(const nlohmann::json& j, Node& n) const override {
    n.dropout_p = j.value("p", 0.0);
  }
  Shape infer_shape(const Node& n, const std::string& where) const override {
    require(n.dropout_p >= 0 && n.dropout_p < 1,
            where + ": p must be in [0, 1), got " + std::to_string(n.dropout_p));
    return n.in_shape;
  }
  // Inference only: dropout is the identity.
  void write_onnx(const Node&, OnnxEmitter& e) const override {
    e.node("Identity", {e.input(0)}, {e.output()});
  }
  torch::Tensor forward(const Node& n, const std::vector<torch::Tensor>& in,
                        const OpRun& run) const override {
    return torch::dropout(in[0], n.dropout_p, run.training);
  }
};
}  // namespace
const Op& op_dropout() {
  static const DropoutOp op;
  return op;
}
}  // namespace bitshift
