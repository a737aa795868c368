#pragma once
// Fitting a plan to a budget: the graph side of bit allocation. Prices every weight layer at
// every candidate (w, a) with quant/cost.h, reads each choice's predicted loss from a measured
// Sensitivity, keeps locked layers (the method's first/last-layer policy and the user's) and
// the activation sites layers share, and lets quant/allocate.h choose. What `bitshift-cli
// allocate` and the studio's "Fit to budget" both run.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "quant/allocate.h"
#include "quant/method_info.h"
#include "quant/plan.h"
#include "train/sensitivity.h"

namespace bitshift {

// The bit-widths the allocator chooses among (where the method can represent them).
const std::vector<int>& candidate_bits();

enum class BudgetKind { Bops, WeightBits };

struct Budget {
  BudgetKind kind = BudgetKind::Bops;
  double value = 0.0;  // BOPs, or weight bits
  std::string text;    // as the user wrote it, for messages
};

// "bops=1.2e9", "weights=96" (KiB), or "bops=w3a3" / "weights=w2a4": the cost of that uniform
// plan of `method` on `g`. Throws Error naming the text and what was expected.
Budget parse_budget(const std::string& text, const Graph& g, const std::string& method,
                    EdgePolicy edges);

// A budget's measure of a plan's cost: its BOPs or its weight bits.
double budget_total(const Graph& g, const QuantPlan& plan, BudgetKind kind);

// A random importance per layer and operand, each halving per extra bit: plans that spend the
// budget as fully as informed ones on randomly chosen layers (the baseline an allocation must
// beat).
Sensitivity random_sensitivity(const Graph& g, uint64_t seed);

struct BudgetFitRequest {
  std::string method = "lsq";
  EdgePolicy edges = EdgePolicy::EdgePolicyEightBit;
  Granularity granularity = Granularity::GranularityPerTensor;
  std::map<std::string, std::pair<int, int>> locks;  // layer -> (w, a), kept as they are
  Budget budget;
  std::string sensitivity_origin;  // "sensitivity file '...'": named when it lacks an entry
};

struct BudgetFit {
  QuantPlan plan;
  Allocation allocation;   // objective, lower bound and gap of the choice
  double spent = 0.0;      // the plan's total in budget units (gates included, see below)
  double cheapest = 0.0;   // 2 bits everywhere, locks kept
  std::map<std::string, std::pair<int, int>> locked;  // the request's and the method's
};

// The layers the method's edge policy fixes (first/last layer FP32 or 8 bit), with their bits.
std::map<std::string, std::pair<int, int>> edge_locks(const Graph& g, const std::string& method,
                                                      EdgePolicy edges);

// Cost of the cheapest plan the request allows (2 bits everywhere, locks and edges kept);
// throws Error naming the budget and that cost when the budget is below it.
double require_reachable(const Graph& g, const BudgetFitRequest& request);

// Chooses the bits. Throws Error when the budget is below the cheapest plan (naming both),
// or when `sensitivity` lacks an entry the choice needs (naming layer, operand and bits).
// `spent` may exceed the budget by the elementwise products (gates), which the allocation
// does not price.
BudgetFit fit_to_budget(const Graph& g, const Sensitivity& sensitivity,
                        const BudgetFitRequest& request);

// The other direction: the cheapest plan, in the units of `request.budget.kind` (its value is
// ignored), whose predicted loss increase stays within `max_loss`. The least predicted loss
// falls as the budget grows, so the budget is bisected between the cheapest plan and 8 bits
// everywhere. Throws Error when even 8 bits everywhere predicts more (naming both numbers).
BudgetFit fit_to_loss(const Graph& g, const Sensitivity& sensitivity, BudgetFitRequest request,
                      double max_loss);

}  // namespace bitshift
