#pragma once
// MANIFEST.json of an export bundle (FORMAT.md): schema version, model identity, endianness,
// the arithmetic contract in words, the kernels in build order, every other file's size and
// sha256, and the device the bundle was last verified on.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "deploy/network_json.h"
#include "integer/integer_model.h"

namespace bitshift {

// The arithmetic contract (DESIGN.md) in words, one rule per entry.
std::vector<std::string> contract_text();

// The manifest for `files` (every bundle file but MANIFEST.json itself); `kernels` are the
// device/*.cl paths in the order a reader concatenates them. verified_on is null.
std::string manifest_json(const IntegerModel& model, const std::vector<BundleFile>& files,
                          const std::vector<std::string>& kernels);

// `manifest` with `files` added or their entries replaced, and verified_on set (null to clear).
// Throws Error when `manifest` is not a bundle manifest.
std::string manifest_with(const std::string& manifest, const std::vector<BundleFile>& files,
                          const nlohmann::ordered_json& verified_on);

}  // namespace bitshift
