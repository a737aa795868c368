#pragma once
// Reads network.json and the binary files it points into (weights.bin, tables.bin, bias.bin,
// requant.bin) into an IntegerModel, checking the structure an executor relies on (input
// indices, shapes, array lengths, code ranges) so a malformed bundle fails here with the layer
// named instead of reading out of bounds later. Std only; part of the bundle reader.
#include <functional>
#include <string>

#include "integer/integer_model.h"
#include "json_lite.h"

namespace bitshift {

// The bytes of a bundle file by its relative path; throws std::runtime_error naming the file
// when the bundle has no such (hashed) file.
using FileBytes = std::function<const std::string&(const std::string& path)>;

// Throws std::runtime_error starting with the file at fault ("network.json: layer 3 'conv1':
// ..." or "weights.bin: layer 'conv1' weights: ..."); `file` names the network.json read.
IntegerModel read_network(const json_lite::Value& network, const FileBytes& files,
                          const std::string& file = "network.json");

}  // namespace bitshift
