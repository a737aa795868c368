#pragma once
// What both importers do last: keep only the nodes the output depends on (so the graph's output
// is its last node), take the class count from the output, and keep the kept layers' tensors.
#include <torch/types.h>

#include <map>
#include <string>

#include "graph/graph.h"
#include "train/checkpoint.h"

namespace bitshift {

// `built` was made with a placeholder class count; `output` is the node giving the logits.
Checkpoint imported_checkpoint(const Graph& built, int output,
                               const std::map<std::string, torch::Tensor>& tensors);

}  // namespace bitshift
