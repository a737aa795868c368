#include "interop/quantized_writer.h"

#include <torch/torch.h>

#include <filesystem>
#include <sstream>

#include "util/error.h"

namespace bitshift::interop_detail {

namespace {

std::string join(const std::vector<float>& v) {
  std::ostringstream s;
  s.precision(9);  // float32 round-trips through 9 significant digits
  for (size_t i = 0; i < v.size(); ++i) s << (i ? "," : "") << v[i];
  return s.str();
}

}  // namespace

QuantizedWriter::QuantizedWriter(QuantizedNetwork& net, int64_t opset, std::string format,
                                 int64_t batch)
    : OnnxWriter(net.model, opset), net_(net), batch_(batch) {
  result_.format = std::move(format);
}

std::string QuantizedWriter::write_weight(int layer, const torch::Tensor& w) {
  const auto q = net_.hooks->weight_quantizer(layer);
  if (!q) {
    ++result_.float_weights;
    return OnnxWriter::write_weight(layer, w);
  }
  require_hard(layer, q->state(), "weight quantizer");
  torch::NoGradGuard no_grad;
  const IntegerWeights iw = q->integer_weights(w.detach());
  const std::string name = graph().node(layer).name;
  WeightCodes c;
  if (!iw.real_levels.empty()) {  // UNIQ's quantiles: no integer grid to write
    ++result_.float_weights;
    result_.notes.push_back("layer '" + name + "': weights are " +
                            std::to_string(iw.real_levels.size()) +
                            " real-valued levels (quantiles) with no integer grid; written as "
                            "their float values");
    float_weights_written(layer, "real-valued weight levels (quantiles), written in float");
    return OnnxWriter::write_weight(layer, q->quantize(w.detach()));
  }
  c.values = iw.codes;
  c.table = !iw.table.empty();
  if (c.table) c.values = torch::tensor(iw.table, torch::kInt64).index({iw.codes});
  c.lo = c.values.min().item<int64_t>(), c.hi = c.values.max().item<int64_t>();
  c.scale = iw.scale.to(torch::kFloat32);
  ++result_.weight_layers;
  return weight_nodes(layer, c, q->bits());
}

std::string QuantizedWriter::write_bias(int layer, const torch::Tensor& b) {
  torch::NoGradGuard no_grad;  // the bias the simulation adds (NICE's: on the accumulator grid)
  return OnnxWriter::write_bias(layer, net_.hooks->bias(layer, b.detach()));
}

std::string QuantizedWriter::after_output(int layer, const std::string& out) {
  const auto q = net_.hooks->activation_quantizer(layer);
  if (!q) return out;
  require_hard(layer, q->state(), "activation quantizer");
  ActivationGrid grid;
  try {
    grid = q->grid();
  } catch (const Error& e) {
    fail(layer, std::string("its activation quantizer has no integer grid: ") + e.what());
  }
  ++result_.activation_sites;
  if (!grid.thresholds.empty()) return threshold_nodes(layer, out, grid);
  SiteCodes c{grid.scale, 0.0, grid.lo, grid.hi};
  if (!grid.affine) {
    if ((grid.hi - grid.lo) % 2 != 0)
      fail(layer, "its activation levels are neither an affine nor an odd grid");
    c.step = 2.0 * grid.scale;
    c.shift = -static_cast<double>(grid.lo) * grid.scale;
    c.lo = 0, c.hi = (grid.hi - grid.lo) / 2;
  }
  if (c.shift == 0.0) return site_nodes(layer, out, c, q->bits());
  // Shift onto the codes, quantize, shift back.
  const std::string base = graph().node(layer).name;
  const std::string shifted = intermediate("shifted"), value = intermediate("unshifted");
  node("Add", {out, initializer(base + ".act_shift", scalar(c.shift))}, {shifted});
  const std::string quantized = site_nodes(layer, shifted, c, q->bits());
  node("Add", {quantized, initializer(base + ".act_unshift", scalar(-c.shift))}, {value});
  result_.notes.push_back("layer '" + base + "': odd activation levels (" +
                          std::to_string(grid.lo) + ", " + std::to_string(grid.lo + 2) + ", ..., " +
                          std::to_string(grid.hi) +
                          " steps) written as codes of twice the step between two Adds");
  return value;
}

QuantizedExport QuantizedWriter::write_file(const Normalization& norm, const std::string& path,
                                            const std::string& doc) {
  net_.model->eval();
  onnx::ModelProto model = write(batch_);
  model.set_doc_string("Bitshift " + result_.format + " export of '" + net_.model->graph().name() +
                       "'. Input: the image as float [N, C, H, W] " +
                       "in 0..1, minus mean, divided by std (metadata). " + doc);
  auto meta = [&](const std::string& k, const std::string& v) {
    auto* p = model.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  };
  meta("normalization_mean", join(norm.mean));
  meta("normalization_std", join(norm.std));
  std::string methods;
  for (const LayerPlan& lp : net_.plan.layers)
    if (methods.find(lp.method) == std::string::npos)
      methods += (methods.empty() ? "" : ",") + lp.method;
  meta("bitshift_methods", methods);
  finish(model);
  if (const auto dir = std::filesystem::path(path).parent_path(); !dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      throw Error("cannot create the folder '" + dir.string() + "' for '" + path +
                  "': " + ec.message());
  }
  save_onnx(model, path);
  result_.path = path;
  return result_;
}

void QuantizedWriter::require_hard(int layer, QuantState s, const char* what) const {
  if (s != QuantState::QuantStateQuantized)
    fail(layer, std::string("its ") + what +
                    " is not hard yet (gradual schedule unfinished); finish the quantization "
                    "before exporting");
}

}  // namespace bitshift::interop_detail
