// QDQ ONNX (interop/quantized_export.h): QuantizeLinear/DequantizeLinear at opset 13.
#include <torch/torch.h>

#include "interop/quantized_export.h"
#include "interop/quantized_writer.h"
#include "util/error.h"

namespace bitshift {

namespace {

using interop_detail::scalar;
using interop_detail::SiteCodes;
using interop_detail::WeightCodes;

constexpr int64_t kQdqOpset = 13;  // DequantizeLinear's per-channel `axis`

class QdqWriter : public interop_detail::QuantizedWriter {
 public:
  explicit QdqWriter(QuantizedNetwork& net) : QuantizedWriter(net, kQdqOpset, "qdq") {}

 protected:
  std::string weight_nodes(int layer, const WeightCodes& c, int bits) override {
    const std::string name = graph().node(layer).name;
    const bool int8 = c.lo >= -128 && c.hi <= 127;
    if (!int8)
      result_.notes.push_back("layer '" + name + "': weight values " + std::to_string(c.lo) + ".." +
                              std::to_string(c.hi) + " do not fit int8; written as int32");
    else if (c.table && bits < 8)
      result_.notes.push_back("layer '" + name + "': " + std::to_string(bits) +
                              "-bit weight codes index a table of integer values (non-uniform "
                              "or offset levels); written as those values, on an int8 grid");
    const auto type = int8 ? torch::kInt8 : torch::kInt32;
    const bool per_channel = c.scale.numel() > 1;
    torch::Tensor scale = c.scale, zero = torch::zeros({c.scale.numel()}, type);
    if (!per_channel) scale = scale.reshape({}), zero = zero.reshape({});
    const std::string out = intermediate("weight_dequantized");
    std::vector<OnnxAttr> attrs;
    if (per_channel) attrs.push_back(OnnxAttr::of("axis", int64_t{0}));
    node("DequantizeLinear",
         {initializer(name + ".weight_codes", c.values.to(type)),
          initializer(name + ".weight_scale", scale),
          initializer(name + ".weight_zero_point", zero)},
         {out}, attrs);
    return out;
  }

  // Codes as an 8-bit type holds them: v itself (zero point 0) where it fits, else v − lo on
  // uint8 (min/max network inputs split their 2^b levels unevenly around zero); a Clip between
  // QuantizeLinear and DequantizeLinear where the codes are narrower than the type.
  std::string site_nodes(int layer, const std::string& x, const SiteCodes& c, int bits) override {
    int64_t zero_point = 0;
    torch::ScalarType type = torch::kUInt8;
    if (c.lo < 0 && c.lo >= -128 && c.hi <= 127)
      type = torch::kInt8;
    else if (c.lo < 0 && c.hi - c.lo <= 255)
      zero_point = -c.lo;
    else if (c.lo < 0 || c.hi > 255)
      fail(layer, "its " + std::to_string(bits) + "-bit activation codes " + std::to_string(c.lo) +
                      ".." + std::to_string(c.hi) +
                      " do not fit 8 bits, the widest QuantizeLinear writes at opset 13");
    const int64_t type_lo = type == torch::kInt8 ? -128 : 0, type_hi = type_lo + 255;
    const int64_t code_lo = c.lo + zero_point, code_hi = c.hi + zero_point;
    const std::string base = graph().node(layer).name;
    const std::string scale = initializer(base + ".act_scale", scalar(c.step));
    const std::string zero =
        initializer(base + ".act_zero_point", torch::tensor(zero_point).to(type));
    std::string codes = intermediate("quantized");
    node("QuantizeLinear", {x, scale, zero}, {codes});
    if (code_lo != type_lo || code_hi != type_hi) {
      const std::string clipped = intermediate("clipped");
      node("Clip",
           {codes, initializer(base + ".act_min", torch::tensor(code_lo).to(type)),
            initializer(base + ".act_max", torch::tensor(code_hi).to(type))},
           {clipped});
      codes = clipped;
    }
    const std::string value = intermediate("dequantized");
    node("DequantizeLinear", {codes, scale, zero}, {value});
    return value;
  }

  std::string threshold_nodes(int layer, const std::string&, const ActivationGrid&) override {
    fail(layer,
         "its activations are levels of learned thresholds (N2UQ), which QuantizeLinear "
         "cannot express; --format qonnx writes them as MultiThreshold, and the bundle "
         "export lowers them to multi-thresholds");
  }
};

}  // namespace

QuantizedExport write_qdq(QuantizedNetwork& net, const Normalization& norm,
                          const std::string& path) {
  QdqWriter w(net);
  return w.write_file(norm, path,
                      "QuantizeLinear rounds half to even where the simulation rounds half up: "
                      "a value exactly between two levels may land one level apart.");
}

}  // namespace bitshift
