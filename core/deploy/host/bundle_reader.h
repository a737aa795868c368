#pragma once
// Loads an export bundle (FORMAT.md) with nothing but std: the IntegerModel, the test-vector
// input batch, every layer's golden output and the OpenCL kernel source. Used by
// `bitshift-cli verify` and shipped in every bundle's host/ for its standalone host program.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "integer/integer_model.h"

namespace bitshift {

// The schema this reader understands (MANIFEST.json "schema_version").
constexpr int kBundleSchemaVersion = 1;
// Where a bundle keeps its conformance network (network.json, .bin files, testvectors/).
constexpr const char* kConformanceDir = "conformance/";

struct LoadedBundle {
  std::string dir;
  IntegerModel model;
  IntTensor input;                        // testvectors/input.bin
  std::vector<IntTensor> golden;          // per layer, like run_reference: golden[0] = input
  std::vector<std::string> golden_files;  // where each came from (golden_files[0] = input.bin)
  std::vector<std::string> kernel_files;  // device/*.cl in MANIFEST order
  std::string kernel_source;              // their contents, concatenated in that order
  std::string verified_on;                // MANIFEST's record of a past verification, or ""
  // conformance/: a synthetic network whose golden vectors pin the rounding (FORMAT.md); its
  // model, input and golden only. Null in bundles written before it existed.
  std::shared_ptr<LoadedBundle> conformance;
};

// Reads `dir`: first MANIFEST.json and every file it lists, each checked against its size and
// sha256; then network.json, the .bin files and the test vectors, checked against each other.
// Throws std::runtime_error naming the file and what was expected, e.g.
// "weights.bin: sha256 mismatch (MANIFEST says 3f.., file has 9a..)".
LoadedBundle load_bundle(const std::string& dir);

}  // namespace bitshift
