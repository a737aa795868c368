#include "quant/plan_file.h"

#include <nlohmann/json.hpp>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json_file.h"

namespace bitshift {

QuantPlan read_plan_file(const std::string& path, const Graph& graph) {
  const nlohmann::json j = parse_json(read_file(path, kMaxJsonFileBytes), "plan file '" + path + "'");
  QuantPlan plan;
  try {
    plan = plan_from_json(j.is_object() && j.contains("plan") ? j.at("plan") : j);
    validate(plan, graph);
  } catch (const std::exception& e) {
    throw Error("plan file '" + path + "': " + e.what());
  }
  return plan;
}

void write_plan_file(const std::string& path, const QuantPlan& plan) {
  write_file_atomic(path, nlohmann::json{{"plan", to_json(plan)}}.dump(2) + "\n");
}

}  // namespace bitshift
