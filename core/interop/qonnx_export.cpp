// QONNX (interop/quantized_export.h): Quant, BipolarQuant and MultiThreshold nodes of the domain
// qonnx.custom_op.general beside ONNX opset 11, the form FINN and hls4ml read; what a FINN flow
// would refuse is reported per layer (FINN's QONNX import: zero points must be 0, activations of
// more than 8 bits are not converted to thresholds).
#include <torch/torch.h>

#include <optional>

#include "interop/qonnx_schemas.h"
#include "interop/quantized_export.h"
#include "interop/quantized_writer.h"
#include "util/error.h"

namespace bitshift {

namespace {

using interop_detail::scalar;
using interop_detail::SiteCodes;
using interop_detail::WeightCodes;

constexpr int64_t kQonnxOpset = 11;  // what qonnx's and FINN's tools are tested with
constexpr int kMaxFinnThresholdBits = 8;

// A b-bit Quant: codes [min_int, max_int] of (signed, narrow), shifted by the zero point.
struct QuantRange {
  int bits = 8;
  bool is_signed = false, narrow = false;
  int64_t zero_point = 0;
};

// The Quant whose codes are exactly [lo, hi]: a signed or unsigned (narrow) b-bit range, else
// 2^b codes moved by a zero point; none when the count of codes is no power of two.
std::optional<QuantRange> quant_range(int64_t lo, int64_t hi) {
  for (int b = 1; b <= 24; ++b) {
    const int64_t n = int64_t{1} << b, half = n / 2;
    if (lo == 0 && hi == n - 1) return QuantRange{b, false, false, 0};
    if (lo == 0 && hi == n - 2 && b > 1) return QuantRange{b, false, true, 0};
    if (lo == -half && hi == half - 1) return QuantRange{b, true, false, 0};
    if (lo == -half + 1 && hi == half - 1 && b > 1) return QuantRange{b, true, true, 0};
    if (hi - lo == n - 1) return QuantRange{b, false, false, -lo};
  }
  return std::nullopt;
}

class QonnxWriter : public interop_detail::QuantizedWriter {
 public:
  // Batch 1, as FINN's flows build for.
  explicit QonnxWriter(QuantizedNetwork& net) : QuantizedWriter(net, kQonnxOpset, "qonnx", 1) {}

 protected:
  std::vector<std::pair<std::string, int64_t>> extra_domains() const override {
    return {{kQonnxDomain, 1}};
  }

  // The dequantized weights as a float initializer through Quant (BipolarQuant for ±1), so
  // that FINN reads the weights' data type off the node; scales per output channel broadcast
  // over the weight ([C, 1, 1, 1] or [C, 1]).
  std::string weight_nodes(int layer, const WeightCodes& c, int bits) override {
    const std::string name = graph().node(layer).name;
    std::vector<int64_t> shape(c.values.dim(), 1);
    shape[0] = c.scale.numel();
    const torch::Tensor scale = c.scale.numel() == 1 ? c.scale.reshape({}) : c.scale.view(shape);
    const torch::Tensor dequantized = c.values.to(torch::kFloat32) * scale;
    const std::string out = intermediate("weight_quantized");
    const bool bipolar = c.lo == -1 && c.hi == 1 && c.values.abs().eq(1).all().item<bool>();
    if (bipolar) {
      qnode(
          "BipolarQuant",
          {initializer(name + ".weight", dequantized), initializer(name + ".weight_scale", scale)},
          out, {});
      return out;
    }
    int b = 1;
    while (c.lo < -(int64_t{1} << (b - 1)) || c.hi > (int64_t{1} << (b - 1)) - 1) ++b;
    if (b != bits)
      result_.notes.push_back("layer '" + name + "': " + std::to_string(bits) +
                              "-bit weight codes " + (c.table ? "index a table of values " : "") +
                              std::to_string(c.lo) + ".." + std::to_string(c.hi) +
                              ", written on a signed " + std::to_string(b) + "-bit grid");
    qnode("Quant",
          {initializer(name + ".weight", dequantized), initializer(name + ".weight_scale", scale),
           initializer(name + ".weight_zeropt", scalar(0.0)),
           initializer(name + ".weight_bitwidth", scalar(b))},
          out,
          {OnnxAttr::of("signed", int64_t{1}), OnnxAttr::of("narrow", int64_t{0}),
           OnnxAttr::of("rounding_mode", std::string("ROUND"))});
    return out;
  }

  std::string site_nodes(int layer, const std::string& x, const SiteCodes& c, int bits) override {
    const std::string base = graph().node(layer).name;
    const auto r = quant_range(c.lo, c.hi);
    if (!r)
      fail(layer, "its activation codes " + std::to_string(c.lo) + ".." + std::to_string(c.hi) +
                      " are no b-bit range a Quant node can state");
    if (r->zero_point != 0)
      finn_reject(base, "its activation Quant has zero point " + std::to_string(r->zero_point) +
                            " (FINN's import supports zero point 0 only)");
    if (r->bits > kMaxFinnThresholdBits)
      finn_reject(base, std::to_string(r->bits) +
                            "-bit activations: FINN converts activation Quant nodes to "
                            "thresholds only up to 8 bits");
    if (c.shift != 0.0)
      finn_reject(base, "odd levels written with an Add on each side of the Quant node");
    const std::string out = intermediate("quantized");
    qnode(
        "Quant",
        {x, initializer(base + ".act_scale", scalar(c.step)),
         initializer(base + ".act_zeropt", scalar(static_cast<double>(r->zero_point))),
         initializer(base + ".act_bitwidth", scalar(r->bits))},
        out,
        {OnnxAttr::of("signed", int64_t{r->is_signed}), OnnxAttr::of("narrow", int64_t{r->narrow}),
         // The simulation's rounding; qonnx's HALF_UP rounds ties away from zero, so only a
         // negative value exactly between two levels can differ.
         OnnxAttr::of("rounding_mode", std::string("HALF_UP"))});
    return out;
  }

  // N2UQ: level lo + #{i : x >= t_i}, value scale·level (MultiThreshold's out_scale, out_bias).
  std::string threshold_nodes(int layer, const std::string& x, const ActivationGrid& g) override {
    const std::string base = graph().node(layer).name;
    const torch::Tensor t =
        torch::tensor(g.thresholds, torch::kFloat64).to(torch::kFloat32).reshape({1, -1});
    int b = 1;
    while ((int64_t{1} << b) - 1 < static_cast<int64_t>(g.thresholds.size())) ++b;
    const std::string dtype = (g.lo < 0 ? "INT" : "UINT") + std::to_string(b);
    const std::string out = intermediate("thresholded");
    qnode("MultiThreshold", {x, initializer(base + ".thresholds", t)}, out,
          {OnnxAttr::of("out_dtype", dtype), OnnxAttr::of("out_scale", static_cast<float>(g.scale)),
           OnnxAttr::of("out_bias", static_cast<float>(g.scale * static_cast<double>(g.lo))),
           OnnxAttr::of("data_layout", std::string("NCHW"))});
    return out;
  }

  void float_weights_written(int layer, const std::string& why) override {
    finn_reject(graph().node(layer).name, why + " (FINN's compute layers need integer weights)");
  }

  void finish(onnx::ModelProto& model) override {
    for (int i = 1; i < graph().size(); ++i) {
      const Node& n = graph().node(i);
      if (n.has_weights() && !net_.hooks->weight_quantizer(i))
        finn_reject(n.name, "full-precision weights (FINN's compute layers need integer ones)");
    }
    infer_qonnx_shapes(model);
  }

 private:
  void qnode(const std::string& type, std::vector<std::string> inputs, const std::string& out,
             std::vector<OnnxAttr> attrs) {
    node(type, std::move(inputs), {out}, std::move(attrs));
    auto* n = last_node();
    n->set_domain(kQonnxDomain);
  }
  void finn_reject(const std::string& layer, const std::string& why) {
    result_.finn_rejects.push_back("layer '" + layer + "': " + why);
  }
};

}  // namespace

QuantizedExport write_qonnx(QuantizedNetwork& net, const Normalization& norm,
                            const std::string& path) {
  QonnxWriter w(net);
  return w.write_file(norm, path,
                      "Quant nodes round half up as the simulation does (qonnx's HALF_UP rounds "
                      "ties away from zero: a negative value exactly between two levels may land "
                      "one level apart).");
}

}  // namespace bitshift
