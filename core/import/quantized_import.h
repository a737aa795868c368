#pragma once
// A quantized ONNX file (QDQ or QONNX) read back as a quantized checkpoint: every weight layer on
// the "fixed" method (quant/fixed_grid.h) with the file's weight scales and levels, every
// activation site on the file's grid. Bitshift then evaluates and exports it as the file computes
// (rounding half up, the integer contract's rounding), e.g. as a verified OpenCL bundle.
#include <string>

#include "train/checkpoint.h"

namespace bitshift {

// `imported`: what the ONNX converter made of the file (meta["quantized_file"] holds the grids).
// Throws Error naming `path` and the layer when the file's quantization is not one Bitshift's
// simulation computes the same way (a grid on a tensor no quantized layer reads, a quantized
// layer reading a float tensor, weights off their grid or wider than 8 bits).
Checkpoint fixed_grid_checkpoint(const Checkpoint& imported, const std::string& path);

}  // namespace bitshift
