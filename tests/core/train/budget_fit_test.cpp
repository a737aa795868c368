// Fitting a plan to a budget: the budget is kept, locks hold, bad budgets are named.
#include <gtest/gtest.h>

#include <algorithm>

#include "models/zoo.h"
#include "quant/cost.h"
#include "train/budget_fit.h"
#include "util/error.h"
#include "../test_util.h"

using namespace bitshift;
using bitshift::testing::error_of;

namespace {

Graph lenet() { return lenet5(Shape{1, 28, 28}, 10); }

// A plan the allocator chose with random sensitivities still spends most of its budget: at
// w3a3's BOPs it can only come in under by what one step of bits on the cheapest layer costs.
constexpr double kMinSpentShare = 0.9;

BudgetFitRequest lsq_request(const Graph& g, const std::string& budget) {
  BudgetFitRequest r;
  r.method = "lsq";
  r.edges = EdgePolicy::EdgePolicyEightBit;
  r.budget = parse_budget(budget, g, r.method, r.edges);
  return r;
}

}  // namespace

TEST(BudgetFit, PresetBudgetsAreTheCostOfThatUniformPlanAndKibAreBits) {
  const Graph g = lenet();
  const Budget b = parse_budget("bops=w3a3", g, "lsq", EdgePolicy::EdgePolicyEightBit);
  EXPECT_EQ(b.kind, BudgetKind::Bops);
  EXPECT_DOUBLE_EQ(b.value, cost(g, make_plan(g, "lsq", "w3a3", EdgePolicy::EdgePolicyEightBit)).bops);
  const Budget w = parse_budget("weights=12", g, "lsq", EdgePolicy::EdgePolicyEightBit);
  EXPECT_EQ(w.kind, BudgetKind::WeightBits);
  EXPECT_DOUBLE_EQ(w.value, 12 * 1024 * 8);
}

TEST(BudgetFit, TheFittedPlanSpendsTheBudgetWithoutExceedingIt) {
  const Graph g = lenet();
  const BudgetFitRequest r = lsq_request(g, "bops=w3a3");
  const BudgetFit fit = fit_to_budget(g, random_sensitivity(g, 3), r);
  EXPECT_LE(fit.spent, r.budget.value);
  EXPECT_GT(fit.spent, kMinSpentShare * r.budget.value);
  // LSQ keeps its first and last layers at 8 bits: locked, whatever the budget.
  EXPECT_EQ(fit.plan.find("conv1")->w_bits, 8);
  EXPECT_EQ(fit.plan.find("fc3")->w_bits, 8);
  EXPECT_TRUE(fit.locked.count("conv1"));
}

TEST(BudgetFit, ALockedLayerKeepsItsBitsAndTheRestShareWhatIsLeft) {
  const Graph g = lenet();
  BudgetFitRequest r = lsq_request(g, "bops=w4a4");
  r.locks["conv2"] = {2, 6};
  const BudgetFit fit = fit_to_budget(g, random_sensitivity(g, 3), r);
  EXPECT_EQ(fit.plan.find("conv2")->w_bits, 2);
  EXPECT_EQ(fit.plan.find("conv2")->a_bits, 6);
  EXPECT_LE(fit.spent, r.budget.value);
}

TEST(BudgetFit, BadAndUnreachableBudgetsAreNamed) {
  const Graph g = lenet();
  EXPECT_CONTAINS(error_of([&] { parse_budget("flops=3", g, "lsq", EdgePolicy::EdgePolicyEightBit); }),
                  "budget 'flops=3': expected bops=N, weights=KIB");
  EXPECT_CONTAINS(error_of([&] { parse_budget("bops=-5", g, "lsq", EdgePolicy::EdgePolicyEightBit); }),
                  "budget 'bops=-5': the value must be a positive number");
  EXPECT_CONTAINS(error_of([&] { parse_budget("bops=w9a9", g, "lsq", EdgePolicy::EdgePolicyEightBit); }),
                  "budget 'bops=w9a9': ");
  const BudgetFitRequest low = lsq_request(g, "bops=1000");
  EXPECT_CONTAINS(error_of([&] { fit_to_budget(g, random_sensitivity(g, 3), low); }),
                  "budget bops=1000 is below the cheapest plan this method allows");
}

TEST(BudgetFit, AMissingSensitivityEntryIsNamed) {
  const Graph g = lenet();
  Sensitivity s = random_sensitivity(g, 3);
  s.entries.erase(std::remove_if(s.entries.begin(), s.entries.end(),
                                 [](const SensitivityEntry& e) { return e.layer == "conv2" && e.operand == "a"; }),
                  s.entries.end());
  BudgetFitRequest r = lsq_request(g, "bops=w3a3");
  r.sensitivity_origin = "sensitivity file 'conv2-without-a.json'";
  EXPECT_CONTAINS(error_of([&] { fit_to_budget(g, s, r); }),
                  "sensitivity file 'conv2-without-a.json': no sensitivity for layer 'conv2' at a");
}

TEST(BudgetFit, TheCheapestPlanWithinAPredictedLossIsAsCheapAsTheBudgetThatReachesIt) {
  const Graph g = lenet();
  const Sensitivity s = random_sensitivity(g, 3);
  // The predicted loss of the plan fitted to w3a3's BOPs, as a limit: the cheapest plan within
  // it costs no more than that plan, and predicts no more.
  const BudgetFit at_budget = fit_to_budget(g, s, lsq_request(g, "bops=w3a3"));
  const BudgetFit within = fit_to_loss(g, s, lsq_request(g, "bops=w3a3"), at_budget.allocation.objective);
  EXPECT_LE(within.allocation.objective, at_budget.allocation.objective);
  EXPECT_LE(within.spent, at_budget.spent);
  // A looser limit never costs more; an impossible one is said with both numbers.
  const BudgetFit looser = fit_to_loss(g, s, lsq_request(g, "bops=w3a3"), 4 * at_budget.allocation.objective);
  EXPECT_LE(looser.spent, within.spent);
  EXPECT_CONTAINS(error_of([&] { fit_to_loss(g, s, lsq_request(g, "bops=w3a3"), -1); }),
                  "expected a number >= 0");
  EXPECT_CONTAINS(error_of([&] { fit_to_loss(g, s, lsq_request(g, "bops=w3a3"), 0); }),
                  "8 bits everywhere (locks kept) predicts");
}
