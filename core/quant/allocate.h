#pragma once
// Bit allocation under a budget: per weight layer, the weight and input-activation bits that
// minimise the total predicted sensitivity with the total cost (BOPs, weight bits) within the
// budget. A multiple-choice knapsack, solved by dynamic programming over the cost in `buckets`
// steps, twice: costs rounded up give a plan that surely fits (its objective is an upper bound
// on the optimum), costs rounded down a lower bound on the optimum; the gap between them is
// the price of the discretisation, reported with the plan. Std only, no graph: the caller
// prices the choices (quant/cost.h) and predicts their sensitivity (train/sensitivity.h).
#include <string>
#include <vector>

namespace bitshift {

struct AllocLayer {
  std::string name;
  int group = 0;                          // layers reading one activation site share its bits
  std::vector<int> w_choices;             // candidate weight bits (one entry: locked)
  std::vector<int> a_choices;             // candidate activation bits
  std::vector<std::vector<double>> cost;  // [w choice][a choice], in budget units
  std::vector<double> w_sensitivity;      // per w choice
  std::vector<double> a_sensitivity;      // per a choice; a group counts its first layer's
};

struct Allocation {
  bool feasible = false;
  std::vector<int> w_bits, a_bits;  // per layer, as given
  double objective = 0.0;           // total predicted sensitivity of the plan
  double cost = 0.0;                // its total cost
  double lower_bound = 0.0;         // no plan within the budget does better than this
  double gap() const { return objective - lower_bound; }
};

// Throws Error when a group's layers share no activation bits, or the inputs are inconsistent.
Allocation allocate(const std::vector<AllocLayer>& layers, double budget, int buckets = 4096);

}  // namespace bitshift
