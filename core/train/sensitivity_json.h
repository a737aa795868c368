#pragma once
// Sensitivity as JSON: what `bitshift-cli sensitivity --json` prints, `allocate --sensitivity`
// reads, and the studio keeps in its cache (one form for all three).
#include <nlohmann/json.hpp>

#include <string>

#include "train/sensitivity.h"

namespace bitshift {

nlohmann::json to_json(const Sensitivity& s);

// Throws Error naming `origin` and the field for a malformed document (a field of the wrong
// type, an operand other than w/a, bits outside 1..32, a loss that is not a finite number).
Sensitivity sensitivity_from_json(const nlohmann::json& j, const std::string& origin);

// A `sensitivity --json` file (bounded read); errors name the file.
Sensitivity read_sensitivity_file(const std::string& path);

}  // namespace bitshift
