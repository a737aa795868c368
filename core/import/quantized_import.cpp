#include "import/quantized_import.h"

#include <torch/torch.h>

#include <set>

#include "quant/fixed_grid.h"
#include "quant/quantized_network.h"
#include "train/quantized_checkpoint.h"
#include "util/error.h"

namespace bitshift {

namespace {

constexpr double kOffGrid = 1e-3;  // of a step: weights folded from codes sit on them exactly

// A layer's weight levels: plain signed codes in [lo, hi], or a table of the values present.
struct WeightLevels {
  int bits = 8;
  int64_t lo = 0, hi = 0;
  std::vector<int64_t> table;
};

int plain_bits(int64_t lo, int64_t hi) {
  int b = 1;
  while (b < 32 && (lo < -(int64_t{1} << (b - 1)) || hi > (int64_t{1} << (b - 1)) - 1)) ++b;
  return b;
}

WeightLevels levels_of(const torch::Tensor& w, const torch::Tensor& scale, int stated_bits,
                       bool bipolar, const std::string& where) {
  std::vector<int64_t> shape(w.dim(), 1);
  shape[0] = scale.numel() > 1 ? scale.numel() : 1;
  const auto x = w.to(torch::kFloat64) / scale.to(torch::kFloat64).view(shape);
  const auto codes = torch::round(x);
  const double off = (x - codes).abs().max().item<double>();
  require(off <= kOffGrid, where + ": weights lie off their grid (" + std::to_string(off) +
                               " of a step away); the file's scales do not match its values");
  WeightLevels out;
  if (bipolar) {
    out.bits = 1, out.lo = 0, out.hi = 1, out.table = {-1, 1};
    return out;
  }
  const auto v = codes.to(torch::kInt64);
  out.lo = v.min().item<int64_t>(), out.hi = v.max().item<int64_t>();
  out.bits = plain_bits(out.lo, out.hi);
  if (stated_bits > 0 && out.bits <= stated_bits) out.bits = stated_bits;
  const auto distinct = std::get<0>(torch::_unique(v.flatten(), /*sorted=*/true));
  int table_bits = 1;
  while ((int64_t{1} << table_bits) < distinct.numel()) ++table_bits;
  // A table where the values are a lattice of stride > 1 (offset grids: DoReFa's and UniQ's odd
  // levels) or where it saves two bits or more (non-uniform levels: PoT+LUT); plain codes
  // otherwise, at the stated bits (an 8-bit layer using only 100 levels stays 8-bit plain).
  const auto gaps = distinct.numel() > 1
                        ? (distinct.slice(0, 1) - distinct.slice(0, 0, -1)).min().item<int64_t>()
                        : 1;
  if (table_bits < out.bits && (gaps > 1 || table_bits + 2 <= out.bits)) {
    out.bits = table_bits;
    out.table.assign(distinct.data_ptr<int64_t>(), distinct.data_ptr<int64_t>() + distinct.numel());
    out.lo = 0, out.hi = distinct.numel() - 1;
  }
  require(out.bits <= 8, where + ": weight values " + std::to_string(out.lo) + ".." +
                             std::to_string(out.hi) + " need " + std::to_string(out.bits) +
                             " bits; Bitshift's weights take at most 8");
  return out;
}

}  // namespace

Checkpoint fixed_grid_checkpoint(const Checkpoint& imported, const std::string& path) {
  const nlohmann::json& qf = imported.meta.at("quantized_file");
  const nlohmann::json& layers = qf.at("layers");
  const nlohmann::json& file_sites = qf.at("sites");
  const std::string where = "quantized ONNX model '" + path + "'";
  GraphModule model = module_from_checkpoint(imported);
  const Graph& g = model->graph();

  QuantPlan plan;
  std::map<int, WeightLevels> levels;
  std::map<int, torch::Tensor> scales;
  for (int i = 0; i < g.size(); ++i) {
    const Node& n = g.node(i);
    if (n.kind != OpKind::Conv2d && n.kind != OpKind::Linear) continue;
    LayerPlan lp;
    lp.layer = n.name;
    lp.method = "fixed";
    if (layers.contains(n.name)) {
      const auto& l = layers.at(n.name);
      scales[i] = torch::tensor(l.at("scale").get<std::vector<float>>());
      levels[i] = levels_of(model->weight(i).detach(), scales[i], l.at("bits").get<int>(),
                            l.at("bipolar").get<bool>(), where + ", layer '" + n.name + "'");
      lp.w_bits = levels[i].bits;
      if (scales[i].numel() > 1) lp.granularity = Granularity::GranularityPerChannel;
    }
    const std::string source = g.node(grid_source(g, n.inputs[0])).name;
    if (file_sites.contains(source)) lp.a_bits = file_sites.at(source).at("bits").get<int>();
    plan.layers.push_back(lp);
  }
  try {
    validate(plan, g);
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
  QuantizedNetwork net = attach_quantizers(model, plan);
  torch::NoGradGuard no_grad;
  for (const auto& [node, l] : levels) {
    auto q = std::dynamic_pointer_cast<FixedWeightQuantizer>(net.hooks->weight_quantizer(node));
    require(q != nullptr, where + ": layer '" + g.node(node).name + "' has no fixed weight grid");
    q->set_grid(scales.at(node), l.lo, l.hi, l.table);
  }
  std::set<std::string> used;
  for (const ActivationSite& site : net.hooks->sites()) {
    const std::string name = g.node(site.node).name;
    std::string readers;
    for (int r : site.readers) readers += (readers.empty() ? "'" : ", '") + g.node(r).name + "'";
    require(file_sites.contains(name),
            where + ": the output of '" + name + "' is read by quantized layer(s) " + readers +
                " but the file gives it no grid (no QuantizeLinear/DequantizeLinear or Quant "
                "there)");
    const auto& s = file_sites.at(name);
    auto q = std::dynamic_pointer_cast<FixedActivationQuantizer>(
        net.hooks->activation_quantizer(site.node));
    require(q != nullptr, where + ": the output of '" + name + "' has no fixed grid");
    q->set_grid(s.at("scale").get<double>(), s.at("lo").get<int64_t>(), s.at("hi").get<int64_t>(),
                s.at("stride").get<int64_t>(), s.at("thresholds").get<std::vector<double>>());
    used.insert(name);
  }
  for (const auto& [name, s] : file_sites.items())
    require(used.count(name) > 0,
            where + ": the file quantizes the output of '" + name +
                "', which no quantized layer reads directly (an add, a concat or a float "
                "layer); Bitshift would keep it in float and compute another model");

  nlohmann::json meta = imported.meta;
  meta.erase("quantized_file");
  meta["origin"]["quantized"] = qf.at("format");
  return make_quantized_checkpoint(net, imported.normalization, imported.dataset, meta);
}

}  // namespace bitshift
