// slice: channels [begin, end) of its input (ShuffleNet's channel split). Keeps the codes.
#include <nlohmann/json.hpp>

#include "graph/onnx_emitter.h"
#include "graph/op.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct SliceOp final : Op {
  const char* name() const override { return "slice"; }
  QuantRole quant_role(const Node&) const override { return QuantRole::PassesCodes; }
  OutputSign output_sign(const Node&) const override { return OutputSign::AsInputs; }
  void write_attrs(const Node& n, nlohmann::json& j) const override {
    j["begin"] = n.begin;
    j["end"] = n.end;
  }
  void read_attrs(const nlohmann::json& j, Node& n) const override {
    n.begin = j.at("begin").get<int64_t>();
    n.end = j.at("end").get<int64_t>();
  }
  Shape infer_shape(const Node& n, const std::string& where) const override {
    require(0 <= n.begin && n.begin < n.end && n.end <= n.in_shape.c,
            where + ": channels [" + std::to_string(n.begin) + ", " + std::to_string(n.end) +
                ") are not within the input's " + std::to_string(n.in_shape.c));
    Shape out = n.in_shape;
    out.c = n.end - n.begin;
    return out;
  }
  void write_onnx(const Node& n, OnnxEmitter& e) const override {
    e.node("Slice",
           {e.input(0), e.constant("starts", torch::tensor({n.begin})),
            e.constant("ends", torch::tensor({n.end})),
            e.constant("axes", torch::tensor({int64_t{1}}))},
           {e.output()});
  }
  torch::Tensor forward(const Node& n, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    return in[0].slice(1, n.begin, n.end);
  }
};
}  // namespace
const Op& op_slice() {
  static const SliceOp op;
  return op;
}
}  // namespace bitshift
