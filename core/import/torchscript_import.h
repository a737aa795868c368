#pragma once
// TorchScript import: a .pt file written by torch.jit.trace or torch.jit.script turned into a
// Bitshift checkpoint: the Graph with the source's module paths as layer names ("layer1.0.conv1"),
// and its weights. The forward graph is inlined and evaluated symbolically: module attributes,
// shape arithmetic (x.view(x.size(0), -1)) and branches on constants are folded; the aten ops
// of CNNs map to graph ops. Unsupported nodes are listed all at once.
#include <optional>
#include <string>

#include "graph/shape.h"
#include "train/checkpoint.h"

namespace bitshift {

// `input` is one sample's C×H×W. A TorchScript file does not record it unless its graph carries
// complete input types; without either the import fails asking for it. Throws Error naming the
// file (and every unsupported node, or the bad value).
Checkpoint import_torchscript(const std::string& path, std::optional<Shape> input = std::nullopt);

}  // namespace bitshift
