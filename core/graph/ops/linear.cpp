// linear: a fully connected layer on a flat vector; weight [out, in] and an optional bias.
#include <torch/nn/modules/linear.h>
#include <nlohmann/json.hpp>

#include "graph/forward_hooks.h"
#include "graph/onnx_emitter.h"
#include "graph/op.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct LinearOp final : Op {
  const char* name() const override { return "linear"; }
  bool has_weights() const override { return true; }

  void write_attrs(const Node& n, nlohmann::json& j) const override {
    j["out_features"] = n.out_channels;
    j["bias"] = n.bias;
  }
  void read_attrs(const nlohmann::json& j, Node& n) const override {
    n.out_channels = j.value("out_features", int64_t{0});
    n.bias = j.value("bias", false);
  }

  Shape infer_shape(const Node& n, const std::string& where) const override {
    require(n.in_shape.flat, where + ": needs a flat input (add flatten or global pooling), got " +
                                 n.in_shape.str());
    require(n.out_channels >= 1, where + ": out_features must be positive");
    return Shape{n.out_channels, 1, 1, true};
  }
  int64_t params(const Node& n) const override {
    return n.out_channels * n.in_shape.c + (n.bias ? n.out_channels : 0);
  }
  int64_t macs(const Node& n) const override { return n.out_channels * n.in_shape.c; }

  std::shared_ptr<torch::nn::Module> make_module(const Node& n) const override {
    return std::make_shared<torch::nn::LinearImpl>(
        torch::nn::LinearOptions(n.in_shape.c, n.out_channels).bias(n.bias));
  }
  // Gemm with the weight [out, in] transposed, as PyTorch writes nn.Linear.
  void write_onnx(const Node& n, OnnxEmitter& e) const override {
    std::vector<std::string> in = {e.input(0), e.weight()};
    if (n.bias) in.push_back(e.bias());
    e.node("Gemm", in, {e.output()}, {OnnxAttr::of("transB", int64_t{1})});
  }
  torch::Tensor forward(const Node& n, const std::vector<torch::Tensor>& in,
                        const OpRun& run) const override {
    auto* fc = dynamic_cast<torch::nn::LinearImpl*>(run.module);
    torch::Tensor w = fc->weight, b = fc->bias;
    if (run.hooks) {
      w = run.hooks->weight(run.index, w);
      if (b.defined()) b = run.hooks->bias(run.index, b);
    }
    return torch::linear(in[0], w, b);
  }
};
}  // namespace
const Op& op_linear() {
  static const LinearOp op;
  return op;
}
}  // namespace bitshift
