#include "train/run_compare.h"

#include <nlohmann/json.hpp>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json_file.h"

namespace bitshift {

namespace {
// The fields a summary shows; nlohmann's type errors are turned into ours by the caller.
void read_summary_fields(const nlohmann::json& j, RunSummary& r) {
  r.kind = j.value("kind", "");
  r.model = j.value("model", "");
  r.top1 = j["top1"].get<double>();
  // A reference, not a copy, so a type error names "config.method" rather than "method".
  static const nlohmann::json no_config = nlohmann::json::object();
  const nlohmann::json& config = j.contains("config") ? j.at("config") : no_config;
  r.method = config.value("method", r.kind == "train" ? "fp32" : "");
  r.bits = config.value("bits", r.kind == "train" ? "w32a32" : "");
  if (j.contains("bops") && j["bops"].is_number()) r.bops = j["bops"].get<double>();
  if (j.contains("weight_bits") && j["weight_bits"].is_number())
    r.weight_bits = j["weight_bits"].get<double>();
}
}  // namespace

RunSummary read_run_summary(const std::string& path) {
  const nlohmann::json j = parse_json(read_file(path, kMaxJsonFileBytes), "run record '" + path + "'");
  if (!j.is_object() || !j.contains("top1") || !j["top1"].is_number())
    throw Error("run record '" + path + "' has no numeric 'top1' (expected a record written by " +
                "bitshift-cli train or quantize)");
  RunSummary r;
  r.path = path;
  try {
    read_summary_fields(j, r);
  } catch (const nlohmann::json::exception& e) {
    throw Error("run record '" + path + "': " + json_error_text(e));
  }
  return r;
}

void mark_pareto_front(std::vector<RunSummary>& runs) {
  for (auto& a : runs) {
    a.pareto = a.bops > 0;
    for (const auto& b : runs) {
      if (&a == &b || b.bops <= 0 || !a.pareto) continue;
      const bool no_worse = b.top1 >= a.top1 && b.bops <= a.bops;
      const bool better = b.top1 > a.top1 || b.bops < a.bops;
      if (no_worse && better) a.pareto = false;
    }
  }
}

}  // namespace bitshift
