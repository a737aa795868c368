#pragma once
// Writes an export bundle (DESIGN.md, "Export bundle"; byte layout in deploy/host/FORMAT.md):
// MANIFEST.json, FORMAT.md, network.json with weights.bin/tables.bin/bias.bin/requant.bin,
// device/*.cl, the standalone host program in host/, test vectors and reports.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "integer/integer_model.h"

namespace bitshift {

// Makes ready to write a bundle at `dir`: throws Error naming it when it exists and is not a
// bundle (a folder of anything else is never replaced) or its parent cannot be written, then
// makes the parent folder. Returns the bundle's absolute path ("out/" -> ".../out"). Called
// before the long work of an export (its lock file sits in that parent), and by write_bundle.
std::string prepare_bundle_target(const std::string& dir);

// Writes the bundle into `<dir>.tmp-XXXXXX` and renames it to `dir` only when complete and
// readable by the bundle reader, so `dir` is either its old self or the new bundle, never half
// written. `golden` is run_reference(model, input); `reports` are (file name, contents) placed
// in reports/ (e.g. {"estimate.txt", ...}). `before_publish` (when set) gets the complete
// temporary folder before the rename: verification runs there, so the one rename publishes a
// verified bundle, and a throw from it (a cancel, a failed check) leaves `dir` as it was and no
// temporary folder. Throws Error naming what was wrong.
void write_bundle(const std::string& dir, const IntegerModel& model, const IntTensor& input,
                  const std::vector<IntTensor>& golden,
                  const std::vector<std::pair<std::string, std::string>>& reports,
                  const std::function<void(const std::string& tmp_dir)>& before_publish = {});

}  // namespace bitshift
