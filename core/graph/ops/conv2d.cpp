// conv2d: 2-D convolution with any kernel, stride, pads, dilation and groups (depthwise when
// groups = in channels). Holds weight [out, in/groups, kh, kw] and an optional bias.
#include <torch/nn/modules/conv.h>
#include <nlohmann/json.hpp>

#include "graph/forward_hooks.h"
#include "graph/onnx_emitter.h"
#include "graph/op.h"
#include "graph/ops/window.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct Conv2dOp final : Op {
  const char* name() const override { return "conv2d"; }
  bool has_weights() const override { return true; }

  void write_attrs(const Node& n, nlohmann::json& j) const override {
    j["out_channels"] = n.out_channels;
    write_window(n.window, j);
    j["groups"] = n.groups;
    j["bias"] = n.bias;
  }
  void read_attrs(const nlohmann::json& j, Node& n) const override {
    n.out_channels = j.value("out_channels", int64_t{0});
    n.window = read_window(j, "layer '" + n.name + "'");
    n.groups = j.value("groups", int64_t{1});
    n.bias = j.value("bias", false);
  }

  Shape infer_shape(const Node& n, const std::string& where) const override {
    const Shape in = n.in_shape;
    require(!in.flat, where + ": needs a CxHxW input, got a flat vector of " + in.str());
    require(n.out_channels >= 1, where + ": out_channels must be positive");
    require(n.groups >= 1 && in.c % n.groups == 0 && n.out_channels % n.groups == 0,
            where + ": groups=" + std::to_string(n.groups) + " must divide in channels " +
                std::to_string(in.c) + " and out channels " + std::to_string(n.out_channels));
    require(!n.window.ceil_mode, where + ": a convolution has no ceil mode");
    return window_shape(n.window, in, n.out_channels, where);
  }
  int64_t params(const Node& n) const override {
    return n.out_channels * fan_in(n) + (n.bias ? n.out_channels : 0);
  }
  int64_t macs(const Node& n) const override { return n.out_shape.numel() * fan_in(n); }

  std::shared_ptr<torch::nn::Module> make_module(const Node& n) const override {
    auto opts = torch::nn::Conv2dOptions(n.in_shape.c, n.out_channels, {n.window.kh, n.window.kw})
                    .groups(n.groups)
                    .bias(n.bias);
    auto conv = std::make_shared<torch::nn::Conv2dImpl>(opts);
    // torchvision's initialisation for convolutions followed by BN + ReLU.
    torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
    return conv;
  }
  void write_onnx(const Node& n, OnnxEmitter& e) const override {
    std::vector<std::string> in = {e.input(0), e.weight()};
    if (n.bias) in.push_back(e.bias());
    auto attrs = onnx_window_attrs(n.window, WindowUse::Conv);
    attrs.push_back(OnnxAttr::of("group", n.groups));
    e.node("Conv", in, {e.output()}, attrs);
  }
  torch::Tensor forward(const Node& n, const std::vector<torch::Tensor>& in,
                        const OpRun& run) const override {
    auto* conv = dynamic_cast<torch::nn::Conv2dImpl*>(run.module);
    torch::Tensor w = conv->weight, b = conv->bias;
    if (run.hooks) {
      w = run.hooks->weight(run.index, w);
      if (b.defined()) b = run.hooks->bias(run.index, b);
    }
    Window win = n.window;
    const torch::Tensor x = pad_asymmetric(in[0], win, 0.0);
    return torch::conv2d(x, w, b, {win.sh, win.sw}, {win.pad_top, win.pad_left}, {win.dh, win.dw},
                         n.groups);
  }

  static int64_t fan_in(const Node& n) {
    return (n.in_shape.c / n.groups) * n.window.kh * n.window.kw;
  }
};
}  // namespace
const Op& op_conv2d() {
  static const Conv2dOp op;
  return op;
}
}  // namespace bitshift
