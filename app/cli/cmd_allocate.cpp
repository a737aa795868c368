// `bitshift-cli allocate`: per-layer weight and activation bits that minimise the predicted
// sensitivity within a BOPs or weight-memory budget (quant/allocate.h), written as a plan file
// that `quantize --plan` and `cost --plan` read.
#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include "cli/common.h"
#include "quant/allocate.h"
#include "quant/cost.h"
#include "quant/method_info.h"
#include "quant/plan.h"
#include "quant/quantized_network.h"
#include "train/sensitivity.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json_file.h"

namespace bitshift::cli {

namespace {

const std::vector<int> kCandidateBits = {2, 3, 4, 6, 8};

struct Budget {
  std::string kind;  // "bops" or "weights" (bits)
  double value = 0;
  std::string text;
};

double total_of(const ModelCost& c, const std::string& kind) {
  return kind == "bops" ? c.bops : static_cast<double>(c.weight_bits);
}

// "bops=1.2e9", "weights=96" (KiB), or "bops=w3a3": the cost of that uniform plan.
Budget parse_budget(const std::string& text, const Graph& g, const std::string& method,
                    EdgePolicy edges) {
  const auto eq = text.find('=');
  Budget b;
  b.text = text;
  b.kind = text.substr(0, eq);
  if (eq == std::string::npos || (b.kind != "bops" && b.kind != "weights"))
    throw UsageError("--budget '" + text + "': expected bops=N, weights=KIB or KIND=PRESET " +
                     "(e.g. bops=w3a3, weights=w2a4)");
  const std::string v = text.substr(eq + 1);
  if (!v.empty() && v[0] == 'w') {
    b.value = total_of(cost(g, make_plan(g, method, v, edges)), b.kind);
    return b;
  }
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(x > 0))
    throw UsageError("--budget '" + text + "': the value must be a positive number or a preset");
  b.value = b.kind == "weights" ? x * 8192.0 : x;  // KiB -> bits
  return b;
}

// Sensitivity entries from `sensitivity --json` output.
Sensitivity sensitivity_file(const std::string& path, const std::string& method) {
  nlohmann::json j;
  try {
    j = parse_json(read_file(path, kMaxJsonFileBytes), "sensitivity file '" + path + "'");
    Sensitivity s;
    s.method = j.at("method").get<std::string>();
    if (s.method != method)
      throw Error("it measured method '" + s.method + "', not '" + method + "'");
    for (const auto& e : j.at("entries"))
      s.entries.push_back({e.at("layer").get<std::string>(), e.at("operand").get<std::string>(),
                           e.at("bits").get<int>(), 0.0, 0.0, e.at("loss_increase").get<double>(),
                           0.0, false});
    return s;
  } catch (const std::exception& e) {
    throw Error("sensitivity file '" + path + "': " + e.what());
  }
}

// A random importance per layer and operand, each halving per extra bit: plans that spend the
// budget as fully as informed ones, on randomly chosen layers.
Sensitivity random_sensitivity(const Graph& g, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Sensitivity s;
  for (int node : g.weight_layers())
    for (const char* operand : {"w", "a"}) {
      const double importance = u(rng);
      for (int b : kCandidateBits)
        s.entries.push_back(
            {g.node(node).name, operand, b, 0.0, 0.0, importance * std::ldexp(1.0, -b), 0.0, true});
    }
  return s;
}

[[noreturn]] void refuse_budget(const Budget& budget, double cheapest) {
  char text[256];
  std::snprintf(text, sizeof text, "%.4g %s (2 bits everywhere, locked layers as locked)", cheapest,
                budget.kind == "bops" ? "BOPs" : "weight bits");
  throw Error("budget " + budget.text + " is below the cheapest plan this method allows: " + text);
}

}  // namespace

int cmd_allocate(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {
      opt_model(),
      opt_input(),
      opt_data(),
      opt_threads(),
      opt_seed(),
      {"method", "ID", "quantization method of the plan (default lsq)"},
      {"budget", "KIND=VALUE",
       "bops=N, weights=KIB, or bops=PRESET / weights=PRESET: the cost "
       "of that uniform plan (e.g. bops=w3a3)"},
      {"edges", "POLICY", "first/last layers: quantized, 8bit, ... (default: the method's)"},
      {"layer", "NAME=W/A", "lock a layer's bits (repeatable)"},
      opt_granularity(),
      {"sensitivity", "FILE",
       "sensitivity --json output to use instead of measuring; random:SEED draws random "
       "sensitivities (a random plan of the budget's cost, the baseline allocation must beat)"},
      {"images", "N", "calibration images when measuring (default 256)"},
      {"out", "FILE", "write the plan here (JSON; quantize --plan FILE reads it)"},
      opt_json(),
      opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("allocate", "--model NAME|FILE --budget KIND=VALUE [OPTIONS]",
               "Chooses each weight layer's weight and input-activation bits (2, 3, 4, 6 or 8)\n"
               "so that the summed per-layer sensitivity (measured, or from --sensitivity) is\n"
               "smallest within the budget; layers reading one activation share its bits, the\n"
               "method's first/last-layer policy and --layer locks hold. Exact up to the cost\n"
               "discretisation, whose gap is reported.",
               specs);
    return kExitOk;
  }
  const Output out(args.has("json"));
  apply_threads(args);
  std::string data_name;
  DatasetPair data = open_data(args, &data_name);
  LoadedModel model = open_model(args, data, data_name, /*pretrained=*/true);
  const Graph& g = model.module->graph();
  const std::string method = args.get("method", "lsq");
  const MethodInfo& info = method_info(method);
  const EdgePolicy edges =
      args.has("edges") ? edge_policy_from_name(args.get("edges")) : info.edges;
  if (!args.has("budget")) throw UsageError("allocate needs --budget, e.g. --budget bops=w3a3");
  const Budget budget = parse_budget(args.get("budget"), g, method, edges);
  const Granularity granularity = granularity_of(args);

  // Locked layers: what the method's edge policy does to a 2-bit plan, and --layer.
  QuantPlan locks = make_plan(g, method, "w2a2", edges);
  for (const auto& spec : args.all("layer")) apply_layer_override(locks, spec);
  std::map<std::string, std::pair<int, int>> locked;
  for (const LayerPlan& lp : locks.layers)
    if (lp.w_bits != 2 || lp.a_bits != 2) locked[lp.layer] = {lp.w_bits, lp.a_bits};
  for (const auto& spec : args.all("layer")) {
    const std::string name = spec.substr(0, spec.find('='));
    const LayerPlan* lp = locks.find(name);
    locked[name] = {lp->w_bits, lp->a_bits};
  }

  // Refused before any measuring: a budget below 2 bits everywhere (locks kept).
  const double cheapest = total_of(cost(g, locks), budget.kind);
  if (cheapest > budget.value) refuse_budget(budget, cheapest);

  Sensitivity sens;
  const std::string sens_source = args.get("sensitivity", "");
  if (sens_source.rfind("random:", 0) == 0) {
    sens = random_sensitivity(g, std::strtoull(sens_source.c_str() + 7, nullptr, 10));
  } else if (!sens_source.empty()) {
    sens = sensitivity_file(sens_source, method);
  } else {
    SensitivityConfig sc;
    sc.method = method;
    sc.granularity = granularity;
    sc.weight_bits = sc.activation_bits = kCandidateBits;
    const int64_t images = args.get_int64("images", 256);
    const Dataset calib =
        model.data.train.random_subset(images, static_cast<uint64_t>(args.get_int64("seed", 1)));
    out.text("Measuring sensitivity (" + std::to_string(images) + " calibration images)...\n");
    sens = measure_sensitivity(model.module, calib, model.normalization, sc);
  }
  std::map<std::tuple<std::string, std::string, int>, double> loss;
  for (const auto& e : sens.entries)
    loss[{e.layer, e.operand, e.bits}] = std::max(0.0, e.loss_increase);

  // Each layer's cost at each (w, a): a uniform plan prices every layer at once.
  std::map<std::pair<int, int>, ModelCost> priced;
  auto layer_cost = [&](size_t i, int w, int a) {
    auto it = priced.find({w, a});
    if (it == priced.end()) {
      QuantPlan p = make_plan(g, method, "w8a8", EdgePolicy::EdgePolicyQuantized);
      for (LayerPlan& lp : p.layers) lp.w_bits = w, lp.a_bits = a;
      it = priced.emplace(std::make_pair(w, a), cost(g, p)).first;
    }
    const LayerCost& c = it->second.layers[i];
    return budget.kind == "bops" ? c.bops : static_cast<double>(c.weight_bits);
  };
  QuantPlan all = make_plan(g, method, "w8a8", EdgePolicy::EdgePolicyQuantized);
  std::map<std::string, int> group;
  const auto sites = activation_sites(g, all);
  for (size_t s = 0; s < sites.size(); ++s)
    for (int reader : sites[s].readers) group[g.node(reader).name] = static_cast<int>(s);

  std::vector<AllocLayer> layers;
  for (size_t i = 0; i < all.layers.size(); ++i) {
    AllocLayer L;
    L.name = all.layers[i].layer;
    L.group = group.count(L.name) ? group[L.name] : -1 - static_cast<int>(i);
    const auto lock = locked.find(L.name);
    for (int b : kCandidateBits) {
      if (b >= info.min_weight_bits) L.w_choices.push_back(b);
      if (b >= info.min_activation_bits) L.a_choices.push_back(b);
    }
    if (lock != locked.end())
      L.w_choices = {lock->second.first}, L.a_choices = {lock->second.second};
    auto sensitivity = [&](const std::string& operand, int bits) {
      if (lock != locked.end()) return 0.0;  // not the allocator's to choose
      const auto it = loss.find({L.name, operand, bits});
      if (it == loss.end())
        throw Error("no sensitivity for layer '" + L.name + "' at " + operand +
                    std::to_string(bits) + " (measure weights and activations at 2,3,4,6,8)");
      return it->second;
    };
    for (int w : L.w_choices) {
      std::vector<double> row;
      for (int a : L.a_choices) row.push_back(layer_cost(i, w, a));
      L.cost.push_back(row);
      L.w_sensitivity.push_back(sensitivity("w", w));
    }
    for (int a : L.a_choices) L.a_sensitivity.push_back(sensitivity("a", a));
    layers.push_back(L);
  }

  const Allocation r = allocate(layers, budget.value);
  if (!r.feasible) refuse_budget(budget, cheapest);
  QuantPlan plan = all;
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    plan.layers[i].w_bits = r.w_bits[i], plan.layers[i].a_bits = r.a_bits[i];
    plan.layers[i].granularity = granularity;
  }
  validate(plan, g);
  const ModelCost c = cost(g, plan);
  const double spent = total_of(c, budget.kind);

  char line[256];
  std::snprintf(line, sizeof line, "%-24s %3s %3s\n", "layer", "w", "a");
  out.text(line);
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    std::snprintf(line, sizeof line, "%-24s %3d %3d%s\n", plan.layers[i].layer.c_str(),
                  plan.layers[i].w_bits, plan.layers[i].a_bits,
                  locked.count(plan.layers[i].layer) ? "  (locked)" : "");
    out.text(line);
  }
  std::snprintf(line, sizeof line,
                "%s %.4g of %.4g budgeted (%s); predicted loss increase %.4f (no plan within the "
                "budget below %.4f: gap %.4f)\n",
                budget.kind == "bops" ? "BOPs" : "weight bits", spent, budget.value,
                budget.text.c_str(), r.objective, r.lower_bound, r.gap());
  out.text(line);
  if (spent > budget.value)
    out.text(
        "note: the elementwise products (gates) put the total over the budget; the "
        "allocation prices weight layers only\n");
  nlohmann::json j = {
      {"plan", to_json(plan)},
      {"budget", {{"kind", budget.kind}, {"value", budget.value}, {"text", budget.text}}},
      {"cost", spent},
      {"objective", r.objective},
      {"lower_bound", r.lower_bound},
      {"gap", r.gap()},
      {"method", method}};
  if (args.has("out")) {
    write_file_atomic(args.get("out"), j.dump(2) + "\n");
    out.text("plan: " + args.get("out") + " (bitshift-cli quantize --plan " + args.get("out") +
             ")\n");
  }
  out.emit(j);
  return kExitOk;
}

}  // namespace bitshift::cli
