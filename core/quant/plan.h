#pragma once
// QuantPlan: for every weight layer (Conv2d/Linear) of a graph, the method, the weight bits and
// the bits of the activation it reads, and the granularity. A value: JSON round-trip, diffable,
// editable in the studio, given on the CLI as `--bits w4a4 --layer conv1=8/8`.
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

#include "graph/graph.h"
#include "quant/method_info.h"

namespace bitshift {

constexpr int kFullPrecisionBits = 32;

enum class Granularity { GranularityPerTensor, GranularityPerChannel };

struct LayerPlan {
  std::string layer;   // node name of a Conv2d/Linear
  std::string method;  // method id
  int w_bits = kFullPrecisionBits;  // 1..8, or 32 for FP
  int a_bits = kFullPrecisionBits;  // bits of the layer's input activation: 1..8, 16, or 32
  Granularity granularity = Granularity::GranularityPerTensor;

  bool operator==(const LayerPlan& o) const {
    return layer == o.layer && method == o.method && w_bits == o.w_bits && a_bits == o.a_bits &&
           granularity == o.granularity;
  }
};

struct QuantPlan {
  std::vector<LayerPlan> layers;  // in graph order, one per weight layer

  LayerPlan* find(const std::string& layer);
  const LayerPlan* find(const std::string& layer) const;
  bool operator==(const QuantPlan& o) const { return layers == o.layers; }
};

// Parses "w4a4", "w4a8", "w1a32", "fp32" (= w32a32); throws Error on anything else.
void parse_preset(const std::string& preset, int* w_bits, int* a_bits);
// The presets offered in the studio and documented in --help.
const std::vector<std::string>& preset_names();

// Every weight layer at the preset's bits with `method`, then the method's (or the given)
// first/last-layer policy applied. UniQ at 1-bit weights with its own policy follows its
// binary-training rule: first, last and projection-shortcut layers in FP32.
QuantPlan make_plan(const Graph& graph, const std::string& method, const std::string& preset);
QuantPlan make_plan(const Graph& graph, const std::string& method, const std::string& preset,
                    EdgePolicy edges);

// A 1x1 convolution on a residual block's shortcut (ResNet's "downsample.0").
bool is_projection_shortcut(const Graph& graph, int node);
// Whether the plan binarises a layer with UniQ, whose training then uses no weight decay.
bool has_binary_uniq(const QuantPlan& plan);

// Applies "NAME=W/A" (e.g. "conv1=8/8", "fc=32/32"); throws Error naming an unknown layer.
void apply_layer_override(QuantPlan& plan, const std::string& spec);

// Throws Error naming the layer and value: unknown or missing layer, 0 or 9..31 bits, a method
// that cannot do the bits asked (e.g. NICE at 1-bit weights). Granularity is not checked:
// methods that are per-channel by design (N2UQ weights) ignore a per-tensor request.
void validate(const QuantPlan& plan, const Graph& graph);

nlohmann::json to_json(const QuantPlan& plan);
QuantPlan plan_from_json(const nlohmann::json& j);

const char* granularity_name(Granularity g);

}  // namespace bitshift
