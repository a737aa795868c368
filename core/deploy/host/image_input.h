#pragma once
// An image file as the network's input: PNG (8 bits per channel: grey, colour, palette; alpha
// dropped), binary PGM (P5, grey) or PPM (P6, colour), already at the model's input size; each pixel looked up in network.json's
// input_pixels codes (FORMAT.md, "The input"), a grey image replicated to 3 channels for a
// colour model as the studio does.
#include <string>

#include "integer/integer_model.h"

namespace bitshift {

// Throws std::runtime_error naming the file and what was expected (format, size, channels), or
// saying that the bundle has no pixel codes.
IntTensor image_input(const IntegerModel& model, const std::string& path);

}  // namespace bitshift
