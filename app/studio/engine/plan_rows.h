#pragma once
// Plan rows of the studio <-> the engine's QuantPlan (engine-internal).
#include <string>
#include <vector>

#include "engine/studio_engine.h"
#include "graph/graph.h"
#include "quant/plan.h"

namespace bitshift::studio {

QuantPlan to_plan(const std::vector<EngineLayer>& rows);
// A weight layer's op and the activation it feeds, through batch norm: "conv2d → hardswish";
// the op alone when its output goes elsewhere (a sum, a pool, several readers).
std::string row_type(const Graph& g, int index);
// The name a quantized tensor goes by in the plots: its node's, or "<layer> (output)" for a
// weight layer's own output (read by a table op or a product, not by another layer).
std::string site_label(const Graph& g, int node);
// Every weight layer of `g` with its entry of `plan` (FP32 where it has none).
std::vector<EngineLayer> to_rows(const Graph& g, const QuantPlan& plan);

}  // namespace bitshift::studio
