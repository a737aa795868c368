#pragma once
// Plan files: a per-layer plan as JSON, as `bitshift-cli allocate --out` and the studio's
// Plan › Save plan write it ({"plan": {...}}, other keys ignored) and as `quantize --plan`,
// `cost --plan` and the studio's Plan › Load plan read it.
#include <string>

#include "graph/graph.h"
#include "quant/plan.h"

namespace bitshift {

// Reads `path` (a {"plan": ...} file or a bare plan) and checks it against `graph`: every
// weight layer present, bits and methods valid. Throws Error naming the file and what is wrong.
QuantPlan read_plan_file(const std::string& path, const Graph& graph);
// Writes {"plan": ...} to `path` atomically.
void write_plan_file(const std::string& path, const QuantPlan& plan);

}  // namespace bitshift
