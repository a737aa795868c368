// avgpool: the mean of each window; padded zeros count in the divisor when count_include_pad.
// For quantization it only sums codes (its 1/(kh·kw) joins the reader's scale) unless its
// windows divide by different counts: then its input and output sit on grids.
#include <nlohmann/json.hpp>

#include "graph/onnx_emitter.h"
#include "graph/ops/pool.h"
#include "util/error.h"

namespace bitshift {
namespace {
struct AvgPoolOp final : WindowPoolOp {
  const char* name() const override { return "avgpool"; }
  QuantRole quant_role(const Node& n) const override {
    return average_divides_unevenly(n.window, n.in_shape) ? QuantRole::Averages
                                                           : QuantRole::PassesCodes;
  }
  Shape infer_shape(const Node& n, const std::string& where) const override {
    const Window& w = n.window;
    require(w.dh == 1 && w.dw == 1, where + ": average pooling has no dilation");
    require(w.count_include_pad || w.symmetric_pads(),
            where + ": pads that differ between sides need count_include_pad");
    return pool_shape(w, n.in_shape, where);
  }
  void write_onnx(const Node& n, OnnxEmitter& e) const override {
    e.node("AveragePool", {e.input(0)}, {e.output()},
           onnx_window_attrs(n.window, WindowUse::AveragePool));
  }
  torch::Tensor forward(const Node& n, const std::vector<torch::Tensor>& in,
                        const OpRun&) const override {
    Window w = n.window;
    const auto x = pad_asymmetric(in[0], w, 0.0);
    return torch::avg_pool2d(x, {w.kh, w.kw}, {w.sh, w.sw}, {w.pad_top, w.pad_left}, w.ceil_mode,
                             w.count_include_pad);
  }
};
}  // namespace
const Op& op_avgpool() {
  static const AvgPoolOp op;
  return op;
}
}  // namespace bitshift
