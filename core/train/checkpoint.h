#pragma once
// Checkpoints: the graph, its weights and training state in one self-describing file.
//
// File layout (little-endian): 8 bytes magic "BSCKPT01", uint64 header length L, L bytes of
// JSON header {graph, normalization, dataset, meta, tensors: [{name, dtype, shape, offset,
// nbytes}], optimizer: {offset, nbytes}}, then the raw data section the offsets point into.
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <map>
#include <string>

#include "data/dataset.h"
#include "graph/graph.h"
#include "graph/graph_module.h"

namespace bitshift {

struct Checkpoint {
  Graph graph;
  Normalization normalization;
  std::string dataset;                           // e.g. "fashion-mnist"
  nlohmann::json meta = nlohmann::json::object();  // epoch, accuracy, config, method, ...
  std::map<std::string, torch::Tensor> tensors;  // parameters and buffers by dotted name
  std::string optimizer_state;                   // LibTorch optimizer archive (may be empty)
};

// Captures the module's parameters and buffers (copied to CPU, contiguous).
Checkpoint make_checkpoint(const GraphModule& model, const Normalization& norm,
                           const std::string& dataset, nlohmann::json meta = nlohmann::json::object());

// Writes atomically (temporary name, then rename); throws Error naming the path.
void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);

// Reads and validates; throws Error naming the file and what was wrong (magic, truncation...).
Checkpoint load_checkpoint(const std::string& path);

// A new module built from the checkpoint's graph, holding its weights.
GraphModule module_from_checkpoint(const Checkpoint& checkpoint);

// Copies the checkpoint's weights into `model`. Fails with a clear message when the checkpoint
// holds another architecture (names the first differing layer) or a tensor has another shape.
void load_weights(GraphModule& model, const Checkpoint& checkpoint, const std::string& origin);

}  // namespace bitshift
