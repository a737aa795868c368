// PlanningModel::sensitivity and ::fit_to_budget: which layer can take fewer bits, and the plan
// that spends a budget where it hurts least (train/sensitivity.h, train/budget_fit.h).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "deploy/host/sha256.h"
#include "engine/dataset_cache.h"
#include "engine/plan_rows.h"
#include "engine/planning_model_impl.h"
#include "train/budget_fit.h"
#include "train/sensitivity.h"
#include "train/sensitivity_json.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift::studio {

namespace {

constexpr int64_t kSensitivityImages = 256;  // as `bitshift-cli allocate` measures
constexpr uint64_t kSensitivitySeed = 1;
// Part of the cache key: raise it when measure_sensitivity's numbers change for the same inputs.
constexpr int kSensitivityFormat = 1;

// $XDG_CACHE_HOME/bitshift/sensitivity, else ~/.cache/...; empty when neither is set.
std::string sensitivity_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/bitshift/sensitivity";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/bitshift/sensitivity";
  return {};
}

// SHA-256 of a file, read in blocks (a model file can be large).
std::string file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Sha256 h;
  std::vector<char> block(1 << 20);
  while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0)
    h.update(block.data(), static_cast<size_t>(in.gcount()));
  require(!in.bad(), "cannot read '" + path + "'");
  return h.hex_digest();
}

// The cache file of these weights, data and method; empty for weights that are not in a file
// (a zoo model's random initialisation) or when there is no cache folder.
std::string sensitivity_cache_file(const LoadedModel& loaded, const std::string& source,
                                   const std::string& data, const std::string& method) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string weights = fs::is_regular_file(source, ec) ? source : loaded.origin;
  const std::string dir = sensitivity_cache_dir();
  if (dir.empty() || !loaded.pretrained || !fs::is_regular_file(weights, ec)) return {};
  std::string bits;
  for (int b : candidate_bits()) bits += std::to_string(b) + ",";
  // Data by name (a folder's contents are not hashed: an edited folder keeps its entry).
  Sha256 key;
  key.update("bitshift sensitivity " + std::to_string(kSensitivityFormat) + "\n" + file_digest(weights) +
             "\n" + data + "\n" + method + "\n" + std::to_string(kSensitivityImages) + " images, seed " +
             std::to_string(kSensitivitySeed) + ", per-tensor, bits " + bits + "\n");
  return dir + "/" + key.hex_digest() + ".json";
}

EngineSensitivity engine_sensitivity(const Graph& g, const Sensitivity& s, bool cached) {
  EngineSensitivity out;
  out.method = s.method;
  out.images = s.images;
  out.fp_loss = s.fp_loss;
  out.cached = cached;
  for (int node : g.weight_layers()) out.layers.push_back({g.node(node).name, {}, {}});
  for (const SensitivityEntry& e : s.entries)
    for (auto& l : out.layers)
      if (l.name == e.layer) (e.operand == "w" ? l.w : l.a).emplace_back(e.bits, e.loss_increase);
  return out;
}

Sensitivity core_sensitivity(const EngineSensitivity& s) {
  Sensitivity out;
  out.method = s.method;
  for (const auto& l : s.layers) {
    for (const auto& [bits, loss] : l.w) out.entries.push_back({l.name, "w", bits, 0, 0, loss, 0, false});
    for (const auto& [bits, loss] : l.a) out.entries.push_back({l.name, "a", bits, 0, 0, loss, 0, false});
  }
  return out;
}

}  // namespace

Result<EngineSensitivity> PlanningModel::sensitivity(
    const std::string& method, const std::function<bool(int, int)>& progress) const {
  return capture([&] {
    // The cache is a convenience: any trouble with it (unreadable, damaged, no permission) is
    // measured around, never a failure.
    std::string file;
    try {
      file = sensitivity_cache_file(impl_->loaded, impl_->source, impl_->data, method);
      std::error_code ec;
      if (!file.empty() && std::filesystem::is_regular_file(file, ec)) {
        const Sensitivity s = read_sensitivity_file(file);
        if (s.method == method) return engine_sensitivity(impl_->graph(), s, true);
      }
    } catch (const std::exception&) {
    }
    LoadedModel fresh = open_studio_model(impl_->source, impl_->data);  // quantizers attach to it
    SensitivityConfig config;
    config.method = method;
    config.seed = kSensitivitySeed;
    config.weight_bits = config.activation_bits = candidate_bits();
    const Dataset calibration = fresh.data.train.random_subset(kSensitivityImages, kSensitivitySeed);
    const Sensitivity s =
        measure_sensitivity(fresh.module, calibration, fresh.normalization, config, progress);
    if (!file.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
      try {  // no cache is no failure: the numbers are in hand
        write_file_atomic(file, to_json(s).dump(1) + "\n");
      } catch (const std::exception&) {
      }
    }
    return engine_sensitivity(impl_->graph(), s, false);
  });
}

Result<EngineFit> PlanningModel::fit_to_budget(const std::vector<EngineLayer>& rows,
                                               const std::vector<std::string>& locked,
                                               const std::string& method, const std::string& edges,
                                               const std::string& budget,
                                               const EngineSensitivity& sensitivity) const {
  return capture([&] {
    const Graph& g = impl_->graph();
    require(sensitivity.method == method, "the sensitivity was measured for method '" + sensitivity.method +
                                              "', not '" + method + "': measure it again");
    BudgetFitRequest request;
    request.method = method;
    request.edges = edges.empty() ? method_info(method).edges : edge_policy_from_name(edges);
    request.budget = parse_budget(budget, g, method, request.edges);
    for (const std::string& name : locked)
      for (const EngineLayer& r : rows)
        if (r.name == name) request.locks[name] = {r.w_bits, r.a_bits};
    const BudgetFit fit = bitshift::fit_to_budget(g, core_sensitivity(sensitivity), request);
    EngineFit out;
    out.rows = to_rows(g, fit.plan);
    for (EngineLayer& row : out.rows)  // locked rows as they were, method included
      for (const EngineLayer& before : rows)
        if (before.name == row.name && request.locks.count(row.name)) row = before;
    out.unit = request.budget.kind == BudgetKind::Bops ? "BOPs" : "weight bits";
    out.budget = request.budget.value;
    out.spent = fit.spent;
    out.cheapest = fit.cheapest;
    out.predicted_loss = fit.allocation.objective;
    out.gap = fit.allocation.gap();
    for (const auto& [name, bits] : fit.locked) out.locked.push_back(name);
    return out;
  });
}

}  // namespace bitshift::studio
