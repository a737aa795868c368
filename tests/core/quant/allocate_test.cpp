// Bit allocation: the dynamic program against brute force on small random problems.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>

#include "../test_util.h"
#include "quant/allocate.h"

using namespace bitshift;

namespace {

// Every combination of choices (a shared per group), the best objective within the budget.
double brute_force(const std::vector<AllocLayer>& layers, double budget) {
  double best = INFINITY;
  std::map<int, int> group_a;  // group -> a bits
  std::function<void(size_t, double, double)> go = [&](size_t i, double cost, double obj) {
    if (cost > budget + 1e-9) return;
    if (i == layers.size()) {
      best = std::min(best, obj);
      return;
    }
    const AllocLayer& L = layers[i];
    const bool first = !group_a.count(L.group);
    for (size_t ai = 0; ai < L.a_choices.size(); ++ai) {
      if (!first && group_a[L.group] != L.a_choices[ai]) continue;
      if (first) group_a[L.group] = L.a_choices[ai];
      for (size_t wi = 0; wi < L.w_choices.size(); ++wi)
        go(i + 1, cost + L.cost[wi][ai],
           obj + L.w_sensitivity[wi] + (first ? L.a_sensitivity[ai] : 0.0));
      if (first) group_a.erase(L.group);
    }
  };
  go(0, 0.0, 0.0);
  return best;
}

std::vector<AllocLayer> random_problem(std::mt19937& rng, bool integer_costs) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<AllocLayer> layers;
  const int n = 5;
  for (int i = 0; i < n; ++i) {
    AllocLayer L;
    L.name = "layer" + std::to_string(i);
    L.group = i < 2 ? 0 : i - 1;  // layers 0 and 1 read the same activations
    L.w_choices = {2, 4, 8};
    L.a_choices = {2, 4, 8};
    const double macs = 1 + std::floor(u(rng) * 9);
    for (int w : L.w_choices) {
      std::vector<double> row;
      for (int a : L.a_choices) row.push_back(integer_costs ? macs * w * a : macs * w * a * u(rng));
      L.cost.push_back(row);
      L.w_sensitivity.push_back(u(rng) * 8.0 / w);  // fewer bits hurt more
    }
    for (int a : L.a_choices) L.a_sensitivity.push_back(u(rng) * 8.0 / a);
    layers.push_back(L);
  }
  return layers;
}

}  // namespace

// With integer costs and one bucket per cost unit the discretisation is exact: the plan is the
// brute-force optimum and the gap is zero.
TEST(Allocate, IntegerCostsGiveTheExactOptimum) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const auto layers = random_problem(rng, true);
    const double budget = 400;
    const Allocation a = allocate(layers, budget, static_cast<int>(budget));
    const double opt = brute_force(layers, budget);
    ASSERT_TRUE(std::isfinite(opt));
    ASSERT_TRUE(a.feasible);
    EXPECT_NEAR(a.objective, opt, 1e-9) << trial;
    EXPECT_NEAR(a.lower_bound, opt, 1e-9) << trial;
    EXPECT_LE(a.cost, budget);
    EXPECT_EQ(a.a_bits[0], a.a_bits[1]) << "layers 0 and 1 share their input";
  }
}

// Real-valued costs: the plan fits, and the optimum lies between the lower bound and the plan.
TEST(Allocate, RealCostsBracketTheOptimumAndFit) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 20; ++trial) {
    const auto layers = random_problem(rng, false);
    const double budget = 150;
    const Allocation a = allocate(layers, budget, 256);
    const double opt = brute_force(layers, budget);
    if (!std::isfinite(opt)) continue;
    ASSERT_TRUE(a.feasible) << trial;
    double cost = 0, objective = 0;
    for (size_t i = 0; i < layers.size(); ++i) {
      const auto& L = layers[i];
      const size_t wi =
          std::find(L.w_choices.begin(), L.w_choices.end(), a.w_bits[i]) - L.w_choices.begin();
      const size_t ai =
          std::find(L.a_choices.begin(), L.a_choices.end(), a.a_bits[i]) - L.a_choices.begin();
      cost += L.cost[wi][ai];
      objective += L.w_sensitivity[wi] + (i == 1 ? 0.0 : L.a_sensitivity[ai]);
    }
    EXPECT_LE(cost, budget + 1e-9) << trial;
    EXPECT_NEAR(objective, a.objective, 1e-9) << trial;
    EXPECT_LE(a.lower_bound, opt + 1e-9) << trial;
    EXPECT_GE(a.objective, opt - 1e-9) << trial;
    EXPECT_LE(a.gap(), 0.25 * opt + 1e-9) << trial << ": 256 steps should cost little";
  }
}

TEST(Allocate, UnreachableBudgetsAndLockedConflictsAreSaid) {
  std::mt19937 rng(13);
  auto layers = random_problem(rng, true);
  EXPECT_FALSE(allocate(layers, 10, 10).feasible);  // below even 2/2 everywhere
  EXPECT_CONTAINS(bitshift::testing::error_of([&] { allocate(layers, -1); }), "positive");
  layers[0].a_choices = {2};
  layers[0].a_sensitivity = {1.0};
  for (auto& row : layers[0].cost) row = {row[0]};
  layers[1].a_choices = {8};
  layers[1].a_sensitivity = {1.0};
  for (auto& row : layers[1].cost) row = {row[2]};
  EXPECT_CONTAINS(bitshift::testing::error_of([&] { allocate(layers, 1000); }),
                  "no activation bits in common");
}
