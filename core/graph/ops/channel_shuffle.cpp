// channel_shuffle: ShuffleNet's interleaving of g groups of channels: channel i·(C/g) + j goes
// to j·g + i (the Reshape-Transpose-Reshape that exporters write). Keeps the codes.
#include <nlohmann/json.hpp>

#include "graph/onnx_emitter.h"
#include "graph/op.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct ChannelShuffleOp final : Op {
  const char* name() const override { return "channel_shuffle"; }
  QuantRole quant_role(const Node&) const override { return QuantRole::PassesCodes; }
  OutputSign output_sign(const Node&) const override { return OutputSign::AsInputs; }
  void write_attrs(const Node& n, nlohmann::json& j) const override { j["groups"] = n.groups; }
  void read_attrs(const nlohmann::json& j, Node& n) const override {
    n.groups = j.at("groups").get<int64_t>();
  }
  Shape infer_shape(const Node& n, const std::string& where) const override {
    require(!n.in_shape.flat, where + ": needs a CxHxW input");
    require(n.groups >= 1 && n.in_shape.c % n.groups == 0,
            where + ": groups=" + std::to_string(n.groups) + " must divide channels " +
                std::to_string(n.in_shape.c));
    return n.in_shape;
  }
  // [N, g, C/g, H, W], transposed to [N, C/g, g, H, W], back to [N, C, H, W].
  void write_onnx(const Node& n, OnnxEmitter& e) const override {
    const Shape& s = n.in_shape;
    const std::string grouped = e.intermediate("grouped"), swapped = e.intermediate("swapped");
    e.node("Reshape",
           {e.input(0), e.constant("grouped_shape", torch::tensor({int64_t{-1}, n.groups,
                                                                   s.c / n.groups, s.h, s.w}))},
           {grouped});
    e.node("Transpose", {grouped}, {swapped},
           {OnnxAttr::of("perm", std::vector<int64_t>{0, 2, 1, 3, 4})});
    e.node("Reshape", {swapped, e.constant("shape", torch::tensor({int64_t{-1}, s.c, s.h, s.w}))},
           {e.output()});
  }
  torch::Tensor forward(const Node& n, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    const auto& x = in[0];
    const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
    return x.reshape({N, n.groups, C / n.groups, H, W}).transpose(1, 2).reshape({N, C, H, W});
  }
};
}  // namespace
const Op& op_channel_shuffle() {
  static const ChannelShuffleOp op;
  return op;
}
}  // namespace bitshift
