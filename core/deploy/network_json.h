#pragma once
// The writing half of the bundle format (FORMAT.md): an IntegerModel becomes network.json plus
// the binary arrays it points into (weights.bin, tables.bin, bias.bin, requant.bin), and a
// batch of test vectors becomes testvectors/index.json plus one int32 file per layer. The
// reading half is deploy/host/network_reader.h and bundle_reader.h.
#include <string>
#include <utility>
#include <vector>

#include "integer/integer_model.h"

namespace bitshift {

// A file of the bundle: its path relative to the bundle root and its bytes.
struct BundleFile {
  std::string path;
  std::string bytes;
};

// network.json first, then weights.bin, tables.bin, bias.bin, requant.bin, each path (and each
// reference to it) starting with `prefix` ("" or "conformance/"). Throws Error naming the layer
// when a weight code does not fit its w_bits.
std::vector<BundleFile> network_files(const IntegerModel& model, const std::string& prefix = "");

// testvectors/index.json, then testvectors/input.bin and one golden file per further layer,
// under `prefix`. Throws Error when `golden` does not hold one batch per layer of the input's size.
std::vector<BundleFile> testvector_files(const IntegerModel& model, const IntTensor& input,
                                         const std::vector<IntTensor>& golden,
                                         const std::string& prefix = "");

}  // namespace bitshift
