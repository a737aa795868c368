// hardsigmoid: clamp(alpha·x + beta, 0, 1). PyTorch's is alpha = 1/6, beta = 1/2 (ONNX's
// default is alpha = 0.2); MobileNetV3's gates use PyTorch's.
#include <nlohmann/json.hpp>

#include "graph/onnx_emitter.h"
#include "graph/ops/elementwise.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct HardSigmoidOp final : LookupOp {
  const char* name() const override { return "hardsigmoid"; }
  OutputSign output_sign(const Node&) const override { return OutputSign::NonNegative; }
  ValueRange live_inputs(const Node& n) const override {
    if (n.alpha <= 0.0) return {};
    return {-n.beta / n.alpha, (1.0 - n.beta) / n.alpha};  // where alpha·x + beta is in [0, 1]
  }
  void write_attrs(const Node& n, nlohmann::json& j) const override {
    j["alpha"] = n.alpha;
    j["beta"] = n.beta;
  }
  void read_attrs(const nlohmann::json& j, Node& n) const override {
    n.alpha = j.value("alpha", 1.0 / 6.0);
    n.beta = j.value("beta", 0.5);
  }
  void write_onnx(const Node& n, OnnxEmitter& e) const override {
    e.node("HardSigmoid", {e.input(0)}, {e.output()},
           {OnnxAttr::of("alpha", static_cast<float>(n.alpha)),
            OnnxAttr::of("beta", static_cast<float>(n.beta))});
  }
  torch::Tensor forward(const Node& n, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    if (static_cast<float>(n.alpha) == 1.0f / 6.0f && n.beta == 0.5)
      return torch::hardsigmoid(in[0]);
    return torch::clamp(in[0] * n.alpha + n.beta, 0.0, 1.0);
  }
};
}  // namespace
const Op& op_hardsigmoid() {
  static const HardSigmoidOp op;
  return op;
}
}  // namespace bitshift
