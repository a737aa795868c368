#pragma once
// Models from outside: an .onnx or TorchScript .pt file turned into a Bitshift checkpoint (graph
// with the source's layer names, weights, origin), by the file's extension.
#include <string>

#include "graph/shape.h"
#include "train/checkpoint.h"

namespace bitshift {

// Whether `path` names a model file an importer reads (.onnx, .pt, .pth, .ts).
bool is_importable_model(const std::string& path);

// Imports the file; `input` is the image shape for TorchScript files that do not record it.
// Throws Error naming the file and what is wrong.
Checkpoint import_model(const std::string& path, const Shape& input);

}  // namespace bitshift
