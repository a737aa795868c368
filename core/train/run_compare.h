#pragma once
// Comparing finished runs: accuracy against cost (BOPs), and which runs are on the Pareto
// front (no other run is at least as accurate with fewer or equal BOPs and strictly better in
// one of the two). Pure functions over run records, for `bitshift-cli compare` and the studio.
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace bitshift {

struct RunSummary {
  std::string path;     // the run record file
  std::string model, method, bits, kind;
  double top1 = 0.0;    // percent
  double bops = 0.0;    // 0 when the record has none
  double weight_bits = 0.0;
  bool pareto = false;
};

// Reads a run record (bitshift-cli train/quantize); throws Error naming the file and the field.
RunSummary read_run_summary(const std::string& path);

// Marks `pareto` on every run not dominated in (higher top-1, lower BOPs). Runs without BOPs
// are never on the front.
void mark_pareto_front(std::vector<RunSummary>& runs);

}  // namespace bitshift
