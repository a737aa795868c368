// maxpool: the largest value of each window (pads never win: they are -inf). Keeps its input's
// quantization codes.
#include <nlohmann/json.hpp>

#include <limits>

#include "graph/onnx_emitter.h"
#include "graph/ops/pool.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct MaxPoolOp final : WindowPoolOp {
  const char* name() const override { return "maxpool"; }
  Shape infer_shape(const Node& n, const std::string& where) const override {
    const Window& w = n.window;
    return pool_shape(w, n.in_shape, where);
  }
  void write_onnx(const Node& n, OnnxEmitter& e) const override {
    e.node("MaxPool", {e.input(0)}, {e.output()}, onnx_window_attrs(n.window, WindowUse::MaxPool));
  }
  torch::Tensor forward(const Node& n, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    Window w = n.window;
    const auto x = pad_asymmetric(in[0], w, -std::numeric_limits<double>::infinity());
    return torch::max_pool2d(x, {w.kh, w.kw}, {w.sh, w.sw}, {w.pad_top, w.pad_left}, {w.dh, w.dw},
                             w.ceil_mode);
  }
};
}  // namespace
const Op& op_maxpool() {
  static const MaxPoolOp op;
  return op;
}
}  // namespace bitshift
