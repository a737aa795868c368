#pragma once
// The comparison behind `bitshift-cli verify` and the bundle's standalone host program: every
// layer's output from a device against the golden vectors, value for value. Both callers run
// this same code, so a bundle passes or fails identically in Bitshift and on the target host.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bundle_reader.h"
#include "integer/integer_model.h"

namespace bitshift {

// One differing value, at sample n, channel c, row y, column x of layer `layer`.
struct Mismatch {
  int layer = 0;
  std::string name;
  int64_t n = 0, c = 0, y = 0, x = 0;
  int32_t got = 0, expected = 0;
};

struct LayerCheck {
  int layer = 0;
  std::string name;
  int64_t values = 0;           // compared
  int64_t mismatches = 0;       // values that differ (all values when the sizes differ)
  std::vector<Mismatch> first;  // the first few, in memory order
  std::string error;            // a size mismatch or a missing output, else ""
  bool equal() const { return mismatches == 0 && error.empty(); }
};

struct CheckReport {
  std::vector<LayerCheck> layers;
  bool passed() const;
  int64_t mismatches() const;  // values, over all layers
  int64_t layers_differing() const;
  const Mismatch* first_mismatch() const;  // in layer order, nullptr when none
};

// Every layer's output as a device computes it (like run_reference: [0] = the input).
using LayerRunner = std::function<std::vector<IntTensor>(const IntTensor& input)>;

// Compares `got` with `golden` layer by layer, keeping up to `keep` mismatches per layer.
CheckReport compare_layers(const IntegerModel& model, const std::vector<IntTensor>& got,
                           const std::vector<IntTensor>& golden, size_t keep = 5);

// Runs the bundle's input through `run` and compares with its golden vectors.
CheckReport check_bundle(const LoadedBundle& bundle, const LayerRunner& run, size_t keep = 5);

// Runs the bundle's conformance network (if it has one) through `run`, a runner for
// bundle.conformance->model, and appends its layers to `report` as "conformance/<layer>".
void check_conformance(const LoadedBundle& bundle, const LayerRunner& run, CheckReport& report,
                       size_t keep = 5);

// Human-readable: one line per layer ("ok" or the mismatch count, then the first ones), and a
// closing line with the verdict.
std::string format_check(const CheckReport& report);

}  // namespace bitshift
