// leaky_relu: x for x >= 0, alpha·x below.
#include <nlohmann/json.hpp>

#include "graph/onnx_emitter.h"
#include "graph/ops/elementwise.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct LeakyReLUOp final : LookupOp {
  const char* name() const override { return "leaky_relu"; }
  void write_attrs(const Node& n, nlohmann::json& j) const override { j["alpha"] = n.alpha; }
  void read_attrs(const nlohmann::json& j, Node& n) const override {
    n.alpha = j.value("alpha", 0.01);
  }
  void write_onnx(const Node& n, OnnxEmitter& e) const override {
    e.node("LeakyRelu", {e.input(0)}, {e.output()},
           {OnnxAttr::of("alpha", static_cast<float>(n.alpha))});
  }
  torch::Tensor forward(const Node& n, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return torch::leaky_relu(in[0], n.alpha);
  }
};
}  // namespace
const Op& op_leaky_relu() {
  static const LeakyReLUOp op;
  return op;
}
}  // namespace bitshift
