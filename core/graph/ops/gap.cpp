// gap: global average pooling, the mean of each channel: a flat vector of C, or C×1×1 with
// keepdims (ONNX's GlobalAveragePool, squeeze-excitation blocks).
#include <nlohmann/json.hpp>

#include "graph/onnx_emitter.h"
#include "graph/op.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct GapOp final : Op {
  const char* name() const override { return "gap"; }
  QuantRole quant_role(const Node&) const override { return QuantRole::PassesCodes; }
  OutputSign output_sign(const Node&) const override { return OutputSign::AsInputs; }
  void write_attrs(const Node& n, nlohmann::json& j) const override {
    if (n.keepdims) j["keepdims"] = true;
  }
  void read_attrs(const nlohmann::json& j, Node& n) const override {
    n.keepdims = j.value("keepdims", false);
  }
  Shape infer_shape(const Node& n, const std::string& where) const override {
    require(!n.in_shape.flat, where + ": needs a CxHxW input");
    return Shape{n.in_shape.c, 1, 1, !n.keepdims};
  }
  void write_onnx(const Node& n, OnnxEmitter& e) const override {
    if (n.keepdims) return e.node("GlobalAveragePool", {e.input(0)}, {e.output()});
    const std::string pooled = e.intermediate("pooled");
    e.node("GlobalAveragePool", {e.input(0)}, {pooled});
    e.node("Flatten", {pooled}, {e.output()}, {OnnxAttr::of("axis", int64_t{1})});
  }
  torch::Tensor forward(const Node& n, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return in[0].mean({2, 3}, n.keepdims);
  }
};
}  // namespace
const Op& op_gap() {
  static const GapOp op;
  return op;
}
}  // namespace bitshift
