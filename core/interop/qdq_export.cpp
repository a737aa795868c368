#include "interop/qdq_export.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <sstream>

#include "interop/onnx_writer.h"
#include "util/error.h"

namespace bitshift {

namespace {

constexpr int64_t kQdqOpset = 13;  // DequantizeLinear's per-channel `axis`

std::string join(const std::vector<float>& v) {
  std::ostringstream s;
  for (size_t i = 0; i < v.size(); ++i) s << (i ? "," : "") << v[i];
  return s.str();
}

// An activation grid as QuantizeLinear/DequantizeLinear see it: the value of code q is
// (q − zero_point)·step − shift, codes clipped to [code_lo, code_hi] of an 8-bit type.
struct QdqGrid {
  double step = 1.0, shift = 0.0;
  int64_t zero_point = 0, code_lo = 0, code_hi = 255;
  torch::ScalarType type = torch::kUInt8;
  // Whether the codes are narrower than the type (Brevitas' QCDQ: a Clip between Q and DQ).
  bool clips() const {
    const int64_t type_lo = type == torch::kInt8 ? -128 : 0;
    return code_lo != type_lo || code_hi != type_lo + 255;
  }
};

QdqGrid qdq_grid(const ActivationGrid& grid, int bits,
                 const std::function<void(const std::string&)>& fail) {
  QdqGrid g;
  int64_t lo = grid.lo, hi = grid.hi;
  g.step = grid.scale;
  if (!grid.affine) {
    // Odd grids (UniQ's and DoReFa's signed inputs: levels lo, lo + 2, ..., hi) are an affine
    // grid of twice the step, shifted by lo·scale.
    if ((hi - lo) % 2 != 0) fail("its activation levels are neither an affine nor an odd grid");
    g.step = 2.0 * grid.scale;
    g.shift = -static_cast<double>(lo) * grid.scale;
    hi = (hi - lo) / 2, lo = 0;
  }
  // The codes v themselves (zero point 0) where they fit a type, else v − lo on uint8 (min/max
  // network inputs split their 2^b levels unevenly around zero).
  if (lo < 0 && lo >= -128 && hi <= 127) {
    g.type = torch::kInt8;
  } else if (lo < 0 && hi - lo <= 255) {
    g.zero_point = -lo;
  } else if (lo < 0 || hi > 255) {
    fail("its " + std::to_string(bits) + "-bit activation codes " + std::to_string(grid.lo) + ".." +
         std::to_string(grid.hi) +
         " do not fit 8 bits, the widest QuantizeLinear writes at opset 13");
  }
  g.code_lo = lo + g.zero_point, g.code_hi = hi + g.zero_point;
  return g;
}

class QdqWriter : public OnnxWriter {
 public:
  explicit QdqWriter(QuantizedNetwork& net) : OnnxWriter(net.model, kQdqOpset), net_(net) {}

  QdqExport result;

 protected:
  std::string write_weight(int layer, const torch::Tensor& w) override {
    const auto q = net_.hooks->weight_quantizer(layer);
    if (!q) {
      ++result.float_weights;
      return OnnxWriter::write_weight(layer, w);
    }
    require_hard(layer, q->state(), "weight quantizer");
    torch::NoGradGuard no_grad;
    const IntegerWeights iw = q->integer_weights(w.detach());
    const std::string name = graph().node(layer).name;
    if (!iw.real_levels.empty()) {  // UNIQ's quantiles: no integer grid to write
      ++result.float_weights;
      result.notes.push_back("layer '" + name + "': weights are " +
                             std::to_string(iw.real_levels.size()) +
                             " real-valued levels (quantiles) with no integer grid; written as "
                             "their float values");
      return OnnxWriter::write_weight(layer, q->quantize(w.detach()));
    }
    torch::Tensor values = iw.codes;
    if (!iw.table.empty()) values = torch::tensor(iw.table, torch::kInt64).index({iw.codes});
    const int64_t lo = values.min().item<int64_t>(), hi = values.max().item<int64_t>();
    const bool int8 = lo >= -128 && hi <= 127;
    if (!int8)
      result.notes.push_back("layer '" + name + "': weight values " + std::to_string(lo) + ".." +
                             std::to_string(hi) + " do not fit int8; written as int32");
    else if (!iw.table.empty() && q->bits() < 8)
      result.notes.push_back("layer '" + name + "': " + std::to_string(q->bits()) +
                             "-bit weight codes index a table of integer values (non-uniform "
                             "or offset levels); written as those values, on an int8 grid");
    const auto type = int8 ? torch::kInt8 : torch::kInt32;
    const bool per_channel = iw.scale.numel() > 1;
    torch::Tensor scale = iw.scale.to(torch::kFloat32);
    torch::Tensor zero = torch::zeros({iw.scale.numel()}, type);
    if (!per_channel) scale = scale.reshape({}), zero = zero.reshape({});
    const std::string codes = initializer(name + ".weight_codes", values.to(type));
    const std::string s = initializer(name + ".weight_scale", scale);
    const std::string z = initializer(name + ".weight_zero_point", zero);
    const std::string out = intermediate("weight_dequantized");
    std::vector<OnnxAttr> attrs;
    if (per_channel) attrs.push_back(OnnxAttr::of("axis", int64_t{0}));
    node("DequantizeLinear", {codes, s, z}, {out}, attrs);
    ++result.weight_layers;
    return out;
  }

  // The bias the simulation adds (NICE's biases on the accumulator grid), as float.
  std::string write_bias(int layer, const torch::Tensor& b) override {
    torch::NoGradGuard no_grad;
    return OnnxWriter::write_bias(layer, net_.hooks->bias(layer, b.detach()));
  }

  std::string after_output(int layer, const std::string& out) override {
    const auto q = net_.hooks->activation_quantizer(layer);
    if (!q) return out;
    require_hard(layer, q->state(), "activation quantizer");
    ActivationGrid grid;
    try {
      grid = q->grid();
    } catch (const Error& e) {
      fail(layer, std::string("its activation quantizer has no QDQ form: ") + e.what());
    }
    if (!grid.thresholds.empty())
      fail(layer,
           "its activations are levels of learned thresholds (N2UQ), which QuantizeLinear "
           "cannot express; the bundle export lowers them to multi-thresholds");
    const QdqGrid g = qdq_grid(grid, q->bits(), [&](const std::string& why) { fail(layer, why); });
    // Names from the layer: <layer>.quantized (codes), .clipped, and the value readers read.
    const std::string base = graph().node(layer).name;
    std::string x = out;
    if (g.shift != 0.0) {
      x = intermediate("shifted");
      node("Add",
           {out, initializer(base + ".act_shift", torch::tensor(static_cast<float>(g.shift)))},
           {x});
    }
    const std::string scale =
        initializer(base + ".act_scale", torch::tensor(static_cast<float>(g.step)));
    const std::string zero =
        initializer(base + ".act_zero_point", torch::tensor(g.zero_point).to(g.type));
    std::string codes = intermediate("quantized");
    node("QuantizeLinear", {x, scale, zero}, {codes});
    if (g.clips()) {
      const std::string clipped = intermediate("clipped");
      node("Clip",
           {codes, initializer(base + ".act_min", torch::tensor(g.code_lo).to(g.type)),
            initializer(base + ".act_max", torch::tensor(g.code_hi).to(g.type))},
           {clipped});
      codes = clipped;
    }
    std::string value = intermediate("dequantized");
    node("DequantizeLinear", {codes, scale, zero}, {value});
    if (g.shift != 0.0) {
      const std::string shifted = value;
      value = intermediate("unshifted");
      node("Add",
           {shifted,
            initializer(base + ".act_unshift", torch::tensor(static_cast<float>(-g.shift)))},
           {value});
      result.notes.push_back("layer '" + base + "': odd activation levels (" +
                             std::to_string(grid.lo) + ", " + std::to_string(grid.lo + 2) +
                             ", ..., " + std::to_string(grid.hi) +
                             " steps) written as Add, QuantizeLinear/DequantizeLinear at twice "
                             "the step, Add back");
    }
    ++result.activation_sites;
    return value;
  }

 private:
  void require_hard(int layer, QuantState s, const char* what) const {
    if (s != QuantState::QuantStateQuantized)
      fail(layer, std::string("its ") + what +
                      " is not hard yet (gradual schedule unfinished); finish the quantization "
                      "before exporting");
  }

  QuantizedNetwork& net_;
};

}  // namespace

QdqExport write_qdq(QuantizedNetwork& net, const Normalization& norm, const std::string& path) {
  net.model->eval();
  QdqWriter w(net);
  onnx::ModelProto model = w.write();
  model.set_doc_string(
      "Bitshift QDQ export of '" + net.model->graph().name() +
      "'. Input: the image as float "
      "[N, C, H, W] in 0..1, minus mean, divided by std (metadata). QuantizeLinear rounds half "
      "to even where the simulation rounds half up: a value exactly between two levels may land "
      "one level apart.");
  auto meta = [&](const std::string& k, const std::string& v) {
    auto* p = model.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  };
  meta("normalization_mean", join(norm.mean));
  meta("normalization_std", join(norm.std));
  std::string methods;
  for (const LayerPlan& lp : net.plan.layers)
    if (methods.find(lp.method) == std::string::npos)
      methods += (methods.empty() ? "" : ",") + lp.method;
  meta("bitshift_methods", methods);
  if (const auto dir = std::filesystem::path(path).parent_path(); !dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      throw Error("cannot create the folder '" + dir.string() + "' for '" + path +
                  "': " + ec.message());
  }
  save_onnx(model, path);
  w.result.path = path;
  return w.result;
}

}  // namespace bitshift
