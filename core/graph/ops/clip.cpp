// clip: min(max(x, lo), hi) with any bounds (ReLU6 is clip(0, 6) and imports as relu6).
#include <nlohmann/json.hpp>

#include "graph/onnx_emitter.h"
#include "graph/ops/elementwise.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct ClipOp final : ElementwiseOp {
  const char* name() const override { return "clip"; }
  OutputSign output_sign(const Node& n) const override {
    return n.lo >= 0 ? OutputSign::NonNegative : OutputSign::Signed;
  }
  void write_attrs(const Node& n, nlohmann::json& j) const override {
    j["min"] = n.lo;
    j["max"] = n.hi;
  }
  void read_attrs(const nlohmann::json& j, Node& n) const override {
    n.lo = j.at("min").get<double>();
    n.hi = j.at("max").get<double>();
  }
  Shape infer_shape(const Node& n, const std::string& where) const override {
    require(n.lo <= n.hi,
            where + ": min " + std::to_string(n.lo) + " exceeds max " + std::to_string(n.hi));
    return n.in_shape;
  }
  void write_onnx(const Node& n, OnnxEmitter& e) const override {
    e.node("Clip", {e.input(0), e.constant("min", torch::tensor(static_cast<float>(n.lo))),
                    e.constant("max", torch::tensor(static_cast<float>(n.hi)))},
           {e.output()});
  }
  torch::Tensor forward(const Node& n, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return torch::clamp(in[0], n.lo, n.hi);
  }
};
}  // namespace
const Op& op_clip() {
  static const ClipOp op;
  return op;
}
}  // namespace bitshift
