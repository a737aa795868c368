#pragma once
// ONNX import: an .onnx file (torch.onnx.export at opsets 11-17, and graphs that reduce to the
// same ops) turned into a Bitshift checkpoint: the Graph with the source's layer names, and its
// weights. Constant shape subgraphs (x.view(x.size(0), -1)) are folded; Pad merges into the
// next conv; Sigmoid·x and HardSigmoid·x become silu and hardswish; Reshape-Transpose-Reshape
// becomes channel_shuffle. Unsupported nodes are listed all at once.
#include <string>

#include "train/checkpoint.h"

namespace bitshift {

// Throws Error naming the file (and every unsupported node, or the bad value).
Checkpoint import_onnx(const std::string& path);

}  // namespace bitshift
