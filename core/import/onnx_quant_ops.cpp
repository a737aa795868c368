// Quantized ONNX read back (onnx_converter.h): QDQ (QuantizeLinear -> [Clip] -> DequantizeLinear)
// and QONNX (Quant, BipolarQuant). Weights fold to their dequantized values and keep their grid
// for the layer that reads them; an activation's codes stand for the node they quantize, which
// records the grid. import/quantized_import.h turns both into a fixed-grid quantized model.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "import/onnx_attrs.h"
#include "import/onnx_converter.h"
#include "util/error.h"

namespace bitshift {
namespace onnx_import {

namespace {

bool is_qonnx_domain(const std::string& d) {
  return d == "qonnx.custom_op.general" || d == "finn.custom_op.general" || d == "onnx.brevitas";
}

// Bits that hold `levels` codes.
int bits_for(int64_t levels) {
  int b = 1;
  while ((int64_t{1} << b) < levels) ++b;
  return b;
}

// `t` ([n] or a scalar) shaped to broadcast along `axis` of a rank-`rank` tensor.
torch::Tensor along(const torch::Tensor& t, int64_t axis, int64_t rank) {
  if (t.numel() == 1) return t.reshape({});
  std::vector<int64_t> shape(rank, 1);
  shape[axis] = t.numel();
  return t.reshape(shape);
}

// The one axis along which a broadcastable `scale` varies over `x` (-1: one value).
int64_t varying_axis(const torch::Tensor& scale, const torch::Tensor& x) {
  if (scale.numel() == 1) return -1;
  const int64_t offset = x.dim() - scale.dim();
  int64_t axis = -1;
  for (int64_t d = 0; d < scale.dim(); ++d)
    if (scale.size(d) > 1) {
      if (axis >= 0) return -2;
      axis = d + offset;
    }
  return axis;
}

}  // namespace

bool OnnxConverter::is_quant_op(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (op == "QuantizeLinear" || op == "DequantizeLinear")
    return n.domain().empty() || n.domain() == "ai.onnx";
  return is_qonnx_domain(n.domain()) &&
         (op == "Quant" || op == "BipolarQuant" || op == "MultiThreshold" || op == "Trunc");
}

int32_t OnnxConverter::element_type(const std::string& name) const {
  for (const auto& t : model_.graph().initializer())
    if (t.name() == name) return t.data_type();
  for (const auto& n : model_.graph().node())
    if (n.op_type() == "Constant" && n.output_size() == 1 && n.output(0) == name)
      if (const auto* a = onnx_attr(n, "value")) return a->t().data_type();
  return 0;
}

void OnnxConverter::record_site(const onnx::NodeProto& n, int node, const FileSite& site) {
  auto it = sites_.find(node);
  if (it != sites_.end() &&
      (it->second.scale != site.scale || it->second.lo != site.lo || it->second.hi != site.hi))
    throw Unsupported{"a second, different quantization of the output of '" +
                      graph_.node(node).name + "' (Bitshift keeps one grid per tensor)"};
  sites_[node] = site;
}

void OnnxConverter::convert_quant(const onnx::NodeProto& n, const std::vector<const Value*>& in) {
  const std::string& op = n.op_type();
  const std::string out = n.output(0);
  auto input = [&](size_t i) -> const Value* { return i < in.size() ? in[i] : nullptr; };
  auto one_value = [&](size_t i, const char* role) {
    const auto t = constant(n, input(i), role);
    if (t.numel() != 1)
      throw Unsupported{std::string("its ") + role + " has " + std::to_string(t.numel()) +
                        " values; an activation takes one (per-tensor)"};
    return t.to(torch::kFloat64).item<double>();
  };
  auto positive = [&](const torch::Tensor& s) {
    if (!(s > 0).all().item<bool>()) throw Unsupported{"a scale that is not positive"};
    return s;
  };
  if (quant_format_.empty()) quant_format_ = is_qonnx_domain(n.domain()) ? "qonnx" : "qdq";
  if (op == "MultiThreshold") {  // level = #{t <= x}, value = out_scale·level + out_bias
    const int x = node_of(n, input(0));
    const auto t = constant(n, input(1), "thresholds").to(torch::kFloat32);
    if (t.dim() != 2 || t.size(1) < 1 || !(t == t[0]).all().item<bool>())
      throw Unsupported{"thresholds " + c10::str(t.sizes()) +
                        "; Bitshift reads one row shared by every channel"};
    const auto row = t[0].to(torch::kFloat64).contiguous();
    if (!(row.slice(0, 1) >= row.slice(0, 0, -1)).all().item<bool>())
      throw Unsupported{"thresholds that are not ascending"};
    const double s = attr_float(n, "out_scale", 1.0), bias = attr_float(n, "out_bias", 0.0);
    const double lo = bias / s;
    if (!(s > 0) || std::abs(lo - std::round(lo)) > 1e-3)
      throw Unsupported{"out_bias that is not a whole number of out_scale steps"};
    if (attr_string(n, "data_layout", "NCHW") != "NCHW")
      throw Unsupported{"data_layout other than NCHW"};
    FileSite site;
    site.scale = s;
    site.lo = std::llround(lo);
    site.hi = site.lo + row.numel();
    site.bits = bits_for(row.numel() + 1);
    site.thresholds.assign(row.data_ptr<double>(), row.data_ptr<double>() + row.numel());
    record_site(n, x, site);
    set_node(out, x);
    return;
  }
  if (op == "Trunc") throw Unsupported{"Trunc (integer average pools) is not read back yet"};

  if (op == "QuantizeLinear") {
    const int32_t type = input(2) ? element_type(n.input(2)) : onnx::TensorProto_DataType_UINT8;
    if (type != onnx::TensorProto_DataType_UINT8 && type != onnx::TensorProto_DataType_INT8)
      throw Unsupported{"codes of a type other than uint8 and int8 (opset 21 types are not read)"};
    const int64_t type_lo = type == onnx::TensorProto_DataType_INT8 ? -128 : 0;
    const auto x = input(0);
    if (x && x->is_const) {  // weights quantized in the file: fold to codes
      const auto s = positive(constant(n, input(1), "scale").to(torch::kFloat64));
      const auto z = input(2) ? constant(n, input(2), "zero point").to(torch::kFloat64)
                              : torch::zeros({1}, torch::kFloat64);
      const int64_t rank = x->constant.dim();
      int64_t axis = attr_int(n, "axis", 1);
      if (axis < 0) axis += rank;
      if (s.numel() > 1 && (axis < 0 || axis >= rank || x->constant.size(axis) != s.numel()))
        throw Unsupported{"its per-axis scales do not match the weight's axis"};
      const auto codes = torch::round(x->constant.to(torch::kFloat64) / along(s, axis, rank)) +
                         along(z, axis, rank);
      set_const(out, codes.clamp(type_lo, type_lo + 255).to(torch::kInt64));
      return;
    }
    Value v;
    Codes c;
    if (x && x->shifted) {
      v.node = x->node;
      c.shift = x->shift;
    } else {
      v.node = node_of(n, x);
    }
    c.scale = one_value(1, "scale");
    if (!(c.scale > 0)) throw Unsupported{"a scale that is not positive"};
    c.zero_point = input(2) ? static_cast<int64_t>(one_value(2, "zero point")) : 0;
    c.lo = type_lo, c.hi = type_lo + 255;
    v.codes = std::make_shared<Codes>(c);
    values_[out] = v;
    return;
  }
  if (op == "Clip") {  // on codes, or on integer weight codes
    double lo = -1e300, hi = 1e300;
    if (opset_ < 11) {
      lo = attr_float(n, "min", lo), hi = attr_float(n, "max", hi);
    } else {
      if (input(1)) lo = constant(n, input(1), "min").to(torch::kFloat64).item<double>();
      if (input(2)) hi = constant(n, input(2), "max").to(torch::kFloat64).item<double>();
    }
    const Value* x = input(0);
    if (x->is_const) {
      set_const(out, x->constant.clamp(static_cast<int64_t>(std::ceil(std::max(lo, -1e18))),
                                       static_cast<int64_t>(std::floor(std::min(hi, 1e18)))));
      return;
    }
    Codes c = *x->codes;
    c.lo = std::max(c.lo, static_cast<int64_t>(std::ceil(std::max(lo, -1e18))));
    c.hi = std::min(c.hi, static_cast<int64_t>(std::floor(std::min(hi, 1e18))));
    if (c.lo >= c.hi) throw Unsupported{"it clips the codes to fewer than two levels"};
    Value v = *x;
    v.codes = std::make_shared<Codes>(c);
    values_[out] = v;
    return;
  }
  if (op == "DequantizeLinear") {
    const Value* x = input(0);
    if (x && x->is_const) {
      const auto codes = x->constant;
      if (codes.is_floating_point()) throw Unsupported{"its codes are not integers"};
      const auto s = positive(constant(n, input(1), "scale").to(torch::kFloat32).flatten());
      const auto z = input(2) ? constant(n, input(2), "zero point").to(torch::kInt64).flatten()
                              : torch::zeros({1}, torch::kInt64);
      const int64_t rank = codes.dim();
      int64_t axis = attr_int(n, "axis", 1);
      if (axis < 0) axis += rank;
      if (s.numel() > 1 && (axis < 0 || axis >= rank || codes.size(axis) != s.numel()))
        throw Unsupported{"its per-axis scales do not match the codes' axis"};
      const auto v = codes - along(z, axis, rank);
      auto grid = std::make_shared<ConstGrid>();
      grid->scale = s;
      grid->axis = s.numel() > 1 ? axis : -1;
      set_const(
          out,
          (v.to(torch::kFloat64) * along(s.to(torch::kFloat64), axis, rank)).to(torch::kFloat32));
      values_[out].grid = grid;
      return;
    }
    if (!x || !x->codes)
      throw Unsupported{"it dequantizes a runtime tensor that no QuantizeLinear made"};
    const Codes& c = *x->codes;
    const double s = one_value(1, "scale");
    const int64_t z = input(2) ? static_cast<int64_t>(one_value(2, "zero point")) : 0;
    if (s != c.scale || z != c.zero_point)
      throw Unsupported{"its scale or zero point differs from its QuantizeLinear's"};
    site_output(n, x->node, FileSite{s, c.lo - z, c.hi - z, bits_for(c.hi - c.lo + 1), 1, {}}, c.shift);
    return;
  }
  if (op == "Quant") {
    const auto bw = constant(n, input(3), "bit width").to(torch::kFloat64);
    const double b = bw.numel() == 1 ? bw.item<double>() : -1;
    if (!(b >= 1 && b <= 16 && b == std::floor(b)))
      throw Unsupported{"bit width " + std::to_string(b) + " (expected an integer 1..16)"};
    const int bits = static_cast<int>(b);
    const bool is_signed = attr_int(n, "signed", 1) != 0, narrow = attr_int(n, "narrow", 0) != 0;
    const int64_t qlo = is_signed ? -(int64_t{1} << (bits - 1)) + (narrow ? 1 : 0) : 0;
    const int64_t qhi =
        is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1 - (narrow ? 1 : 0);
    const std::string mode = attr_string(n, "rounding_mode", "ROUND");
    const Value* x = input(0);
    if (x && x->is_const) {  // weights
      const auto s = positive(constant(n, input(1), "scale").to(torch::kFloat32));
      const double z = one_value(2, "zero point");
      const auto w = x->constant.to(torch::kFloat64);
      const int64_t axis = varying_axis(s, w);
      if (axis == -2) throw Unsupported{"its scale varies along more than one axis"};
      const auto t = w / s.to(torch::kFloat64) + z;
      torch::Tensor r;
      if (mode == "ROUND" || mode == "HALF_EVEN")
        r = torch::round(t);
      else if (mode == "HALF_UP")
        r = torch::floor(t + 0.5);
      else if (mode == "FLOOR")
        r = torch::floor(t);
      else if (mode == "CEIL")
        r = torch::ceil(t);
      else
        throw Unsupported{"rounding_mode " + mode + " (expected ROUND, HALF_UP, FLOOR or CEIL)"};
      const auto q = (r.clamp(qlo, qhi) - z) * s.to(torch::kFloat64);
      auto grid = std::make_shared<ConstGrid>();
      grid->scale = s.flatten();
      grid->axis = axis;
      grid->bits = bits;
      set_const(out, q.to(torch::kFloat32));
      values_[out].grid = grid;
      return;
    }
    const double s = one_value(1, "scale");
    const double z = one_value(2, "zero point");
    if (!(s > 0) || z != std::floor(z))
      throw Unsupported{"an activation needs a positive scale and an integer zero point"};
    const std::string note = "activation Quant nodes round " + mode +
                             "; Bitshift rounds half up (the two differ only at exact ties)";
    if (mode != "HALF_UP" && std::find(notes_.begin(), notes_.end(), note) == notes_.end())
      notes_.push_back(note);
    const int64_t zi = static_cast<int64_t>(z);
    const bool shifted = x && x->shifted;
    site_output(n, shifted ? x->node : node_of(n, x), FileSite{s, qlo - zi, qhi - zi, bits, 1, {}},
                shifted ? x->shift : 0.0);
    return;
  }
  if (op == "BipolarQuant") {
    const Value* x = input(0);
    if (!x || !x->is_const)
      throw Unsupported{
          "binary activations (BipolarQuant on a runtime tensor) have no grid in "
          "Bitshift"};
    const auto s = positive(constant(n, input(1), "scale").to(torch::kFloat32));
    const auto w = x->constant.to(torch::kFloat64);
    const int64_t axis = varying_axis(s, w);
    if (axis == -2) throw Unsupported{"its scale varies along more than one axis"};
    auto grid = std::make_shared<ConstGrid>();
    grid->scale = s.flatten();
    grid->axis = axis;
    grid->bits = 1;
    grid->bipolar = true;
    set_const(out, (torch::where(w >= 0, 1.0, -1.0) * s.to(torch::kFloat64)).to(torch::kFloat32));
    values_[out].grid = grid;
    return;
  }
  throw Unsupported{"not a quantization node this importer reads"};
}

void OnnxConverter::site_output(const onnx::NodeProto& n, int node, FileSite site, double shift) {
  if (shift == 0.0) {
    record_site(n, node, site);
    set_node(n.output(0), node);
    return;
  }
  // Codes k of x + shift: values k·s − shift, odd levels of half the step when 2·shift/s is a
  // whole number. The output still carries the shift; the Add after it takes it off.
  const double offset = 2.0 * shift / site.scale;
  if (std::abs(offset - std::round(offset)) > 1e-3)
    throw Unsupported{
        "its input is shifted by a constant that is not a whole number of half "
        "steps"};
  const auto o = static_cast<int64_t>(std::llround(offset));
  record_site(n, node, FileSite{site.scale / 2.0, 2 * site.lo - o, 2 * site.hi - o, site.bits, 2, {}});
  Value v;
  v.node = node;
  v.unshifting = true;
  v.unshift = shift;
  values_[n.output(0)] = v;
}

bool OnnxConverter::convert_shift_add(const onnx::NodeProto& n,
                                      const std::vector<const Value*>& in) {
  if (in.size() != 2 || !in[0] || !in[1]) return false;
  const int k = in[1]->is_const ? 1 : in[0]->is_const ? 0 : -1;
  if (k < 0 || in[k]->constant.numel() != 1 || in[1 - k]->is_const) return false;
  const double c = in[k]->constant.to(torch::kFloat64).item<double>();
  const Value& x = *in[1 - k];
  if (c == 0.0 || x.codes || x.padded || x.shuffle_groups || x.shifted) return false;
  Value v;
  v.node = x.node;
  if (x.unshifting) {
    if (std::abs(c + x.unshift) > 1e-6 * std::abs(x.unshift))
      throw Unsupported{"it adds " + std::to_string(c) + " after odd-level codes shifted by " +
                        std::to_string(x.unshift) + " (expected its negative)"};
  } else {
    v.shifted = true;
    v.shift = c;
  }
  values_[n.output(0)] = v;
  return true;
}

void OnnxConverter::take_weight_grid(const Value* w, const std::string& layer, int64_t out_axis,
                                     int64_t out_channels) {
  if (!w || !w->grid) return;
  const ConstGrid& g = *w->grid;
  if (g.axis >= 0 && g.axis != out_axis)
    throw Unsupported{"its weight scales vary along axis " + std::to_string(g.axis) +
                      ", not along the output channels"};
  if (g.scale.numel() != 1 && g.scale.numel() != out_channels)
    throw Unsupported{"its weight has " + std::to_string(g.scale.numel()) + " scales for " +
                      std::to_string(out_channels) + " output channels"};
  layer_grids_[layer] = g;
}

void OnnxConverter::write_quantized_meta(nlohmann::json& meta) const {
  if (layer_grids_.empty() && sites_.empty()) return;
  nlohmann::json layers = nlohmann::json::object(), sites = nlohmann::json::object();
  for (const auto& [name, g] : layer_grids_) {
    const auto s = g.scale.contiguous();
    layers[name] = {
        {"scale", std::vector<float>(s.data_ptr<float>(), s.data_ptr<float>() + s.numel())},
        {"bits", g.bits},
        {"bipolar", g.bipolar}};
  }
  for (const auto& [node, site] : sites_)
    sites[graph_.node(node).name] = {{"scale", site.scale},   {"lo", site.lo},
                                     {"hi", site.hi},         {"bits", site.bits},
                                     {"stride", site.stride}, {"thresholds", site.thresholds}};
  meta["quantized_file"] = {{"format", quant_format_}, {"layers", layers}, {"sites", sites}};
}

}  // namespace onnx_import
}  // namespace bitshift
