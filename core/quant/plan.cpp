#include "quant/plan.h"

#include <nlohmann/json.hpp>

#include <regex>

#include "util/error.h"
#include "util/json_file.h"

namespace bitshift {

LayerPlan* QuantPlan::find(const std::string& layer) {
  for (auto& l : layers)
    if (l.layer == layer) return &l;
  return nullptr;
}

const LayerPlan* QuantPlan::find(const std::string& layer) const {
  return const_cast<QuantPlan*>(this)->find(layer);
}

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names = {"w1a1", "w2a2", "w3a3", "w4a4", "w4a8",
                                                 "w8a8", "w1a32", "w4a32", "fp32"};
  return names;
}

void parse_preset(const std::string& preset, int* w_bits, int* a_bits) {
  if (preset == "fp32") {
    *w_bits = *a_bits = kFullPrecisionBits;
    return;
  }
  std::smatch m;
  static const std::regex re("w([0-9]+)a([0-9]+)");
  require(std::regex_match(preset, m, re),
          "bit-width preset '" + preset + "' is not of the form wNaM (e.g. w4a4, w4a8) or fp32");
  *w_bits = std::stoi(m[1]);
  *a_bits = std::stoi(m[2]);
}

QuantPlan make_plan(const Graph& graph, const std::string& method, const std::string& preset) {
  return make_plan(graph, method, preset, method_info(method).edges);
}

QuantPlan make_plan(const Graph& graph, const std::string& method, const std::string& preset,
                    EdgePolicy edges) {
  method_info(method);  // throws for an unknown id
  int w = 0, a = 0;
  parse_preset(preset, &w, &a);
  QuantPlan plan;
  const auto layers = graph.weight_layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerPlan l;
    l.layer = graph.node(layers[i]).name;
    l.method = method;
    l.w_bits = w;
    l.a_bits = a;
    const bool first = i == 0, last = i + 1 == layers.size();
    const bool fp = (edges == EdgePolicy::EdgePolicyFp && (first || last)) ||
                    (edges == EdgePolicy::EdgePolicyFirstFp && first);
    if (fp) l.w_bits = l.a_bits = kFullPrecisionBits;
    // UniQ's binary policy: binary networks keep the first and last layers in FP32 instead of
    // 8 bits (and the projection shortcuts, below).
    const bool binary_uniq = method == "uniq-sym" && w == 1 && edges == EdgePolicy::EdgePolicyEightBit;
    if (binary_uniq && (first || last)) l.w_bits = l.a_bits = kFullPrecisionBits;
    if (!binary_uniq && edges == EdgePolicy::EdgePolicyEightBit && (first || last)) {
      if (w != kFullPrecisionBits) l.w_bits = std::max(w, 8);
      if (a != kFullPrecisionBits) l.a_bits = std::max(a, 8);
    }
    if (binary_uniq && is_projection_shortcut(graph, layers[i]))
      l.w_bits = l.a_bits = kFullPrecisionBits;
    plan.layers.push_back(l);
  }
  return plan;
}

bool is_projection_shortcut(const Graph& graph, int node) {
  const Node& n = graph.node(node);
  if (n.kind != OpKind::Conv2d || n.window.kh != 1 || n.window.kw != 1) return false;
  // A 1x1 conv whose output (through its BatchNorm) is read by a residual Add.
  for (int c : graph.consumers(node)) {
    if (graph.node(c).kind == OpKind::Add) return true;
    if (graph.node(c).kind == OpKind::BatchNorm2d)
      for (int cc : graph.consumers(c))
        if (graph.node(cc).kind == OpKind::Add) return true;
  }
  return false;
}

bool has_binary_uniq(const QuantPlan& plan) {
  for (const auto& l : plan.layers)
    if (l.method == "uniq-sym" && l.w_bits == 1) return true;
  return false;
}

void apply_layer_override(QuantPlan& plan, const std::string& spec) {
  std::smatch m;
  static const std::regex re("([^=]+)=([0-9]+)/([0-9]+)");
  require(std::regex_match(spec, m, re),
          "layer override '" + spec + "' is not of the form NAME=W/A (e.g. conv1=8/8)");
  LayerPlan* l = plan.find(m[1]);
  if (!l) {
    std::string known;
    for (const auto& x : plan.layers) known += (known.empty() ? "" : ", ") + x.layer;
    throw Error("layer override '" + spec + "': no weight layer named '" + std::string(m[1]) +
                "' (layers: " + known + ")");
  }
  l->w_bits = std::stoi(m[2]);
  l->a_bits = std::stoi(m[3]);
}

static bool valid_bits(int b) { return (b >= 1 && b <= 8) || b == 16 || b == kFullPrecisionBits; }

void validate(const QuantPlan& plan, const Graph& graph) {
  for (const auto& l : plan.layers) {
    const int idx = graph.find(l.layer);
    require(idx >= 0, "plan names layer '" + l.layer + "', which model '" + graph.name() +
                          "' does not have");
    require(graph.node(idx).has_weights(),
            "plan names layer '" + l.layer + "', which is a " + op_name(graph.node(idx).kind) +
                ", not a Conv2d or Linear");
    const std::string where = "layer '" + l.layer + "'";
    require(valid_bits(l.w_bits) && l.w_bits != 16,
            where + ": weight bits " + std::to_string(l.w_bits) + " (expected 1-8 or 32)");
    require(valid_bits(l.a_bits), where + ": activation bits " + std::to_string(l.a_bits) +
                                      " (expected 1-8, 16 or 32)");
    const MethodInfo& m = method_info(l.method);
    require(l.w_bits == kFullPrecisionBits || l.w_bits >= m.min_weight_bits,
            where + ": method " + m.name + " cannot quantize weights to " +
                std::to_string(l.w_bits) + " bit (needs at least " +
                std::to_string(m.min_weight_bits) + ")");
    require(l.a_bits == kFullPrecisionBits || l.a_bits >= m.min_activation_bits,
            where + ": method " + m.name + " cannot quantize activations to " +
                std::to_string(l.a_bits) + " bit (needs at least " +
                std::to_string(m.min_activation_bits) + ")");
  }
  for (int idx : graph.weight_layers())
    require(plan.find(graph.node(idx).name) != nullptr,
            "plan has no entry for layer '" + graph.node(idx).name + "'");
}

const char* granularity_name(Granularity g) {
  return g == Granularity::GranularityPerChannel ? "per-channel" : "per-tensor";
}

nlohmann::json to_json(const QuantPlan& plan) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : plan.layers)
    layers.push_back({{"layer", l.layer}, {"method", l.method}, {"w_bits", l.w_bits},
                      {"a_bits", l.a_bits}, {"granularity", granularity_name(l.granularity)}});
  return {{"schema", 1}, {"layers", layers}};
}

QuantPlan plan_from_json(const nlohmann::json& j) {
  QuantPlan plan;
  try {
    for (const auto& jl : j.at("layers")) {
      LayerPlan l;
      l.layer = jl.at("layer").get<std::string>();
      l.method = jl.at("method").get<std::string>();
      for (const char* key : {"w_bits", "a_bits"})
        require(jl.at(key).is_number_integer() && jl.at(key).get<int64_t>() >= 0 && jl.at(key).get<int64_t>() <= 32,
                "layer '" + l.layer + "': " + key + " " + jl.at(key).dump() + " (expected an integer 0..32)");
      l.w_bits = jl.at("w_bits").get<int>();
      l.a_bits = jl.at("a_bits").get<int>();
      const std::string g = jl.value("granularity", "per-tensor");
      require(g == "per-tensor" || g == "per-channel",
              "layer '" + l.layer + "': granularity '" + g + "' (expected per-tensor or per-channel)");
      l.granularity = g == "per-channel" ? Granularity::GranularityPerChannel
                                         : Granularity::GranularityPerTensor;
      plan.layers.push_back(l);
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error("quantization plan: " + json_error_text(e));
  }
  return plan;
}

}  // namespace bitshift
