#include "quant/cost.h"

#include <cmath>
#include <cstdio>
#include <map>

#include "graph/op.h"
#include "util/table_text.h"
#include "quant/quantized_network.h"
#include "util/error.h"

namespace bitshift {

double bops_per_output(int64_t fan_in, int a_bits, int w_bits) {
  return static_cast<double>(fan_in) *
         (a_bits * w_bits + a_bits + w_bits + std::log2(static_cast<double>(fan_in)));
}

ModelCost cost(const Graph& graph, const QuantPlan& plan) {
  ModelCost total;
  for (int idx : graph.weight_layers()) {
    const Node& n = graph.node(idx);
    const LayerPlan* lp = plan.find(n.name);
    require(lp != nullptr, "plan has no entry for layer '" + n.name + "'");
    LayerCost c;
    c.layer = n.name;
    c.w_bits = lp->w_bits;
    c.a_bits = lp->a_bits;
    const bool lut = lp->method == "pot-lut" && lp->w_bits != kFullPrecisionBits;
    c.mac_w_bits = lut ? 8 : lp->w_bits;
    const int64_t outputs = n.out_shape.numel();  // output channels x positions
    c.macs = graph.macs(idx);
    const int64_t fan_in = c.macs / outputs;  // each output's multiply-accumulates
    c.bops = static_cast<double>(outputs) * bops_per_output(fan_in, c.a_bits, c.mac_w_bits);
    const int64_t weights = n.out_channels * fan_in;
    const int bias_bits = lp->w_bits == kFullPrecisionBits ? 32 : 16;
    const int64_t table_bits = lut ? (int64_t{1} << lp->w_bits) * 8 : 0;  // 2^b int8 entries
    c.weight_bits = weights * c.w_bits + n.out_channels * bias_bits + table_bits;
    total.bops += c.bops;
    total.weight_bits += c.weight_bits;
    total.macs += c.macs;
    total.layers.push_back(c);
  }
  // Elementwise products of two tensors (squeeze-excitation gates): one product per output
  // element, of the operands' grids where the plan quantizes them (activation_sites), else FP32.
  // Not MACs of the graph (those are the weight layers'), but BOPs of the network all the same.
  std::map<int, int> site_bits;
  for (const auto& s : activation_sites(graph, plan)) site_bits[s.node] = s.bits;
  auto bits_of = [&](int node) {
    const auto it = site_bits.find(grid_source(graph, node));
    return it == site_bits.end() ? kFullPrecisionBits : it->second;
  };
  for (int idx = 0; idx < graph.size(); ++idx) {
    const Node& n = graph.node(idx);
    if (op_of(n).quant_role(n) != QuantRole::Multiplies) continue;
    LayerCost c;
    c.layer = n.name;
    // The gate (the broadcast operand, C×1×1) in the W column, the features in the A column.
    const bool gate_first = n.in_shapes[0].numel() < n.in_shapes[1].numel();
    c.a_bits = bits_of(n.inputs[gate_first ? 1 : 0]);
    c.w_bits = c.mac_w_bits = bits_of(n.inputs[gate_first ? 0 : 1]);
    c.bops = static_cast<double>(n.out_shape.numel()) * bops_per_output(1, c.a_bits, c.w_bits);
    total.bops += c.bops;
    total.layers.push_back(c);
  }
  return total;
}

std::string cost_table(const ModelCost& cost, const ModelCost& fp32) {
  std::vector<std::string> names;
  for (const auto& l : cost.layers) names.push_back(l.layer);
  const size_t width = name_column_width(names);
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, " %4s %4s %14s %16s %12s\n", "W", "A", "MACs", "BOPs",
                "weight KiB");
  out += padded("layer", width) + line;
  for (const auto& l : cost.layers) {
    std::snprintf(line, sizeof line, " %4d %4d %14lld %16.4g %12.2f\n", l.w_bits, l.a_bits,
                  (long long)l.macs, l.bops, l.weight_bits / 8192.0);
    out += padded(l.layer, width) + line;
  }
  std::snprintf(line, sizeof line, " %4s %4s %14lld %16.4g %12.2f\n", "", "",
                (long long)cost.macs, cost.bops, cost.weight_bits / 8192.0);
  out += padded("total", width) + line;
  std::snprintf(line, sizeof line,
                "vs FP32: BOPs %.4g -> %.4g (x%.1f smaller), weights %.1f -> %.1f KiB (x%.1f)\n",
                fp32.bops, cost.bops, fp32.bops / std::max(cost.bops, 1.0),
                fp32.weight_bits / 8192.0, cost.weight_bits / 8192.0,
                static_cast<double>(fp32.weight_bits) / std::max<int64_t>(cost.weight_bits, 1));
  out += line;
  return out;
}

}  // namespace bitshift
