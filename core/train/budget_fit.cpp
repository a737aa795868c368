#include "train/budget_fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <tuple>

#include "quant/cost.h"
#include "quant/quantized_network.h"
#include "util/error.h"

namespace bitshift {

const std::vector<int>& candidate_bits() {
  static const std::vector<int> bits = {2, 3, 4, 6, 8};
  return bits;
}

namespace {

double total_of(const ModelCost& c, BudgetKind kind) {
  return kind == BudgetKind::Bops ? c.bops : static_cast<double>(c.weight_bits);
}

const char* unit_of(BudgetKind kind) { return kind == BudgetKind::Bops ? "BOPs" : "weight bits"; }

QuantPlan uniform_plan(const Graph& g, const BudgetFitRequest& request, const std::string& preset) {
  QuantPlan p = make_plan(g, request.method, preset, request.edges);
  for (LayerPlan& lp : p.layers) {
    const auto lock = request.locks.find(lp.layer);
    if (lock != request.locks.end()) lp.w_bits = lock->second.first, lp.a_bits = lock->second.second;
  }
  return p;
}

}  // namespace

Budget parse_budget(const std::string& text, const Graph& g, const std::string& method,
                    EdgePolicy edges) {
  const auto eq = text.find('=');
  const std::string kind = text.substr(0, eq);
  if (eq == std::string::npos || (kind != "bops" && kind != "weights"))
    throw Error("budget '" + text + "': expected bops=N, weights=KIB or KIND=PRESET " +
                "(e.g. bops=w3a3, weights=w2a4)");
  Budget b;
  b.text = text;
  b.kind = kind == "bops" ? BudgetKind::Bops : BudgetKind::WeightBits;
  const std::string v = text.substr(eq + 1);
  if (!v.empty() && v[0] == 'w') {
    try {
      const QuantPlan preset = make_plan(g, method, v, edges);
      validate(preset, g);  // a preset the method cannot do (w9a9, NICE's w1) is no budget
      b.value = budget_total(g, preset, b.kind);
    } catch (const Error& e) {
      throw Error("budget '" + text + "': " + e.what());
    }
    return b;
  }
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(x > 0) || !std::isfinite(x))
    throw Error("budget '" + text + "': the value must be a positive number or a preset");
  b.value = b.kind == BudgetKind::WeightBits ? x * 8192.0 : x;  // KiB -> bits
  return b;
}

double budget_total(const Graph& g, const QuantPlan& plan, BudgetKind kind) {
  return total_of(cost(g, plan), kind);
}

Sensitivity random_sensitivity(const Graph& g, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Sensitivity s;
  for (int node : g.weight_layers())
    for (const char* operand : {"w", "a"}) {
      const double importance = u(rng);
      for (int b : candidate_bits())
        s.entries.push_back(
            {g.node(node).name, operand, b, 0.0, 0.0, importance * std::ldexp(1.0, -b), 0.0, true});
    }
  return s;
}

std::map<std::string, std::pair<int, int>> edge_locks(const Graph& g, const std::string& method,
                                                      EdgePolicy edges) {
  std::map<std::string, std::pair<int, int>> locked;
  for (const LayerPlan& lp : make_plan(g, method, "w2a2", edges).layers)
    if (lp.w_bits != 2 || lp.a_bits != 2) locked[lp.layer] = {lp.w_bits, lp.a_bits};
  return locked;
}

double require_reachable(const Graph& g, const BudgetFitRequest& request) {
  const double cheapest = budget_total(g, uniform_plan(g, request, "w2a2"), request.budget.kind);
  if (cheapest > request.budget.value) {
    char text[256];
    std::snprintf(text, sizeof text, "%.4g %s (2 bits everywhere, locked layers as locked)", cheapest,
                  unit_of(request.budget.kind));
    throw Error("budget " + request.budget.text + " is below the cheapest plan this method allows: " +
                text);
  }
  return cheapest;
}

BudgetFit fit_to_budget(const Graph& g, const Sensitivity& sensitivity,
                        const BudgetFitRequest& request) {
  const MethodInfo& info = method_info(request.method);
  const BudgetKind kind = request.budget.kind;
  BudgetFit fit;
  fit.locked = edge_locks(g, request.method, request.edges);
  for (const auto& [layer, bits] : request.locks) fit.locked[layer] = bits;
  fit.cheapest = require_reachable(g, request);

  std::map<std::tuple<std::string, std::string, int>, double> loss;
  for (const auto& e : sensitivity.entries)
    loss[{e.layer, e.operand, e.bits}] = std::max(0.0, e.loss_increase);

  // Each layer's cost at each (w, a): one uniform plan prices every layer at once.
  std::map<std::pair<int, int>, ModelCost> priced;
  auto layer_cost = [&](size_t i, int w, int a) {
    auto it = priced.find({w, a});
    if (it == priced.end()) {
      QuantPlan p = make_plan(g, request.method, "w8a8", EdgePolicy::EdgePolicyQuantized);
      for (LayerPlan& lp : p.layers) lp.w_bits = w, lp.a_bits = a;
      it = priced.emplace(std::make_pair(w, a), cost(g, p)).first;
    }
    const LayerCost& c = it->second.layers[i];
    return kind == BudgetKind::Bops ? c.bops : static_cast<double>(c.weight_bits);
  };
  QuantPlan all = make_plan(g, request.method, "w8a8", EdgePolicy::EdgePolicyQuantized);
  std::map<std::string, int> group;
  const auto sites = activation_sites(g, all);
  for (size_t s = 0; s < sites.size(); ++s)
    for (int reader : sites[s].readers) group[g.node(reader).name] = static_cast<int>(s);

  std::vector<AllocLayer> layers;
  for (size_t i = 0; i < all.layers.size(); ++i) {
    AllocLayer L;
    L.name = all.layers[i].layer;
    L.group = group.count(L.name) ? group[L.name] : -1 - static_cast<int>(i);
    const auto lock = fit.locked.find(L.name);
    for (int b : candidate_bits()) {
      if (b >= info.min_weight_bits) L.w_choices.push_back(b);
      if (b >= info.min_activation_bits) L.a_choices.push_back(b);
    }
    if (lock != fit.locked.end()) L.w_choices = {lock->second.first}, L.a_choices = {lock->second.second};
    auto predicted = [&](const std::string& operand, int bits) {
      if (lock != fit.locked.end()) return 0.0;  // not the allocator's to choose
      const auto it = loss.find({L.name, operand, bits});
      if (it == loss.end())
        throw Error((request.sensitivity_origin.empty() ? "" : request.sensitivity_origin + ": ") +
                    "no sensitivity for layer '" + L.name + "' at " + operand + std::to_string(bits) +
                    " (measure weights and activations at 2,3,4,6,8)");
      return it->second;
    };
    for (int w : L.w_choices) {
      std::vector<double> row;
      for (int a : L.a_choices) row.push_back(layer_cost(i, w, a));
      L.cost.push_back(row);
      L.w_sensitivity.push_back(predicted("w", w));
    }
    for (int a : L.a_choices) L.a_sensitivity.push_back(predicted("a", a));
    layers.push_back(L);
  }

  fit.allocation = allocate(layers, request.budget.value);
  if (!fit.allocation.feasible) {  // reachable, yet no choice fits: the shared sites cost more
    char text[128];
    std::snprintf(text, sizeof text, "%.4g %s", request.budget.value, unit_of(kind));
    throw Error("budget " + request.budget.text + " (" + text +
                "): no choice of the candidate bits fits it with the locks and shared activations kept");
  }
  fit.plan = all;
  for (size_t i = 0; i < fit.plan.layers.size(); ++i) {
    LayerPlan& lp = fit.plan.layers[i];
    lp.w_bits = fit.allocation.w_bits[i], lp.a_bits = fit.allocation.a_bits[i];
    lp.granularity = request.granularity;
  }
  validate(fit.plan, g);
  fit.spent = budget_total(g, fit.plan, kind);
  return fit;
}

BudgetFit fit_to_loss(const Graph& g, const Sensitivity& sensitivity, BudgetFitRequest request,
                      double max_loss) {
  if (!(max_loss >= 0) || !std::isfinite(max_loss))
    throw Error("predicted loss limit " + std::to_string(max_loss) + ": expected a number >= 0");
  // Twice the cost of 8 bits everywhere: room for the allocator's rounding of costs upwards.
  request.budget.value = 2 * budget_total(g, uniform_plan(g, request, "w8a8"), request.budget.kind);
  request.budget.text = "8 bits everywhere";
  BudgetFit best = fit_to_budget(g, sensitivity, request);
  if (best.allocation.objective > max_loss) {
    char text[160];
    std::snprintf(text, sizeof text, "%.4g, above the limit %.4g", best.allocation.objective, max_loss);
    throw Error("no plan of the candidate bits keeps the predicted loss increase within the limit: "
                "8 bits everywhere (locks kept) predicts " + std::string(text));
  }
  constexpr int kSteps = 40;  // the budget interval shrinks by 2^-40: far below one layer's step
  double lo = best.cheapest, hi = request.budget.value;
  for (int i = 0; i < kSteps && hi - lo > 1e-9 * hi; ++i) {
    request.budget.value = 0.5 * (lo + hi);
    try {
      BudgetFit fit = fit_to_budget(g, sensitivity, request);
      if (fit.allocation.objective <= max_loss) {
        hi = request.budget.value;
        best = std::move(fit);
        continue;
      }
    } catch (const Error&) {  // below what the discretised costs allow
    }
    lo = request.budget.value;
  }
  return best;
}

}  // namespace bitshift
