#include "quant/allocate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "util/error.h"

namespace bitshift {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Solved {
  double objective = kInf;
  std::vector<int> w, a;  // choice indices per layer
};

// One DP over costs in whole buckets of `unit`, up to `buckets` of them: rounded up, every plan
// found fits; rounded down, the optimum bounds the true one from below.
Solved solve(const std::vector<AllocLayer>& layers, const std::map<int, std::vector<int>>& groups,
             double unit, int64_t buckets, bool round_up) {
  auto units = [&](double c) {
    const double u = c / unit;
    return static_cast<int64_t>(round_up ? std::ceil(u - 1e-9) : std::floor(u + 1e-9));
  };
  const size_t B = static_cast<size_t>(buckets) + 1;
  std::vector<double> dp(B, kInf);
  dp[0] = 0.0;
  // Back pointers: per group, its chosen a per bucket and, per layer, the w choice and the
  // bucket before it.
  struct Step {
    size_t layer;
    std::vector<int> w;
    std::vector<int64_t> from;
  };
  struct GroupChoice {
    std::vector<int> a;                    // per final bucket
    std::vector<std::vector<Step>> steps;  // per a choice
  };
  std::vector<std::pair<int, GroupChoice>> trail;
  for (const auto& [group, members] : groups) {
    const AllocLayer& first = layers[static_cast<size_t>(members[0])];
    GroupChoice gc;
    gc.a.assign(B, -1);
    std::vector<double> best(B, kInf);
    for (size_t ai = 0; ai < first.a_choices.size(); ++ai) {
      const int a = first.a_choices[ai];
      std::vector<double> cur = dp;
      for (double& v : cur)
        if (v < kInf) v += first.a_sensitivity[ai];
      std::vector<Step> steps;
      for (int li : members) {
        const AllocLayer& L = layers[static_cast<size_t>(li)];
        const auto aj = std::find(L.a_choices.begin(), L.a_choices.end(), a) - L.a_choices.begin();
        Step st{static_cast<size_t>(li), std::vector<int>(B, -1), std::vector<int64_t>(B, -1)};
        std::vector<double> next(B, kInf);
        for (size_t wi = 0; wi < L.w_choices.size(); ++wi) {
          const int64_t c = units(L.cost[wi][static_cast<size_t>(aj)]);
          for (size_t b = 0; b < B; ++b) {
            if (cur[b] == kInf || static_cast<int64_t>(b) + c >= static_cast<int64_t>(B)) continue;
            const size_t to = b + static_cast<size_t>(std::max<int64_t>(c, 0));
            const double v = cur[b] + L.w_sensitivity[wi];
            if (v < next[to]) next[to] = v, st.w[to] = static_cast<int>(wi), st.from[to] = b;
          }
        }
        cur.swap(next);
        steps.push_back(std::move(st));
      }
      for (size_t b = 0; b < B; ++b)
        if (cur[b] < best[b]) best[b] = cur[b], gc.a[b] = static_cast<int>(ai);
      gc.steps.push_back(std::move(steps));
    }
    dp.swap(best);
    trail.emplace_back(group, std::move(gc));
  }
  Solved s;
  size_t at = 0;
  for (size_t b = 0; b < B; ++b)
    if (dp[b] < s.objective) s.objective = dp[b], at = b;
  if (s.objective == kInf) return s;
  s.w.assign(layers.size(), 0);
  s.a.assign(layers.size(), 0);
  for (auto it = trail.rbegin(); it != trail.rend(); ++it) {
    const GroupChoice& gc = it->second;
    const int ai = gc.a[at];
    const auto& steps = gc.steps[static_cast<size_t>(ai)];
    const int a = layers[steps.front().layer].a_choices[static_cast<size_t>(ai)];
    for (auto st = steps.rbegin(); st != steps.rend(); ++st) {
      const AllocLayer& L = layers[st->layer];
      s.w[st->layer] = st->w[at];
      s.a[st->layer] = static_cast<int>(std::find(L.a_choices.begin(), L.a_choices.end(), a) -
                                        L.a_choices.begin());
      at = static_cast<size_t>(st->from[at]);
    }
  }
  return s;
}

}  // namespace

Allocation allocate(const std::vector<AllocLayer>& layers, double budget, int buckets) {
  require(budget > 0 && std::isfinite(budget), "the budget must be a positive number");
  require(buckets >= 1, "allocate needs at least one cost step");
  std::map<int, std::vector<int>> groups;
  for (size_t i = 0; i < layers.size(); ++i) {
    const AllocLayer& L = layers[i];
    require(!L.w_choices.empty() && !L.a_choices.empty() && L.cost.size() == L.w_choices.size() &&
                L.w_sensitivity.size() == L.w_choices.size() &&
                L.a_sensitivity.size() == L.a_choices.size(),
            "layer '" + L.name + "': inconsistent choices");
    groups[L.group].push_back(static_cast<int>(i));
  }
  // Activation bits every layer of a group can take: the first layer's list, filtered.
  std::vector<AllocLayer> shared = layers;
  for (auto& [g, members] : groups) {
    AllocLayer& first = shared[static_cast<size_t>(members[0])];
    std::vector<int> keep;
    for (size_t ai = 0; ai < first.a_choices.size(); ++ai) {
      const int a = first.a_choices[ai];
      bool all = true;
      for (int li : members) {
        const auto& c = layers[static_cast<size_t>(li)].a_choices;
        all = all && std::find(c.begin(), c.end(), a) != c.end();
      }
      if (all) keep.push_back(static_cast<int>(ai));
    }
    require(!keep.empty(), "layers reading the same activations as '" + first.name +
                               "' have no activation bits in common (locked differently?)");
    std::vector<int> a;
    std::vector<double> s;
    for (int k : keep)
      a.push_back(first.a_choices[static_cast<size_t>(k)]),
          s.push_back(first.a_sensitivity[static_cast<size_t>(k)]);
    // The first layer's cost table follows its kept a choices.
    std::vector<std::vector<double>> cost;
    for (const auto& row : first.cost) {
      std::vector<double> r;
      for (int k : keep) r.push_back(row[static_cast<size_t>(k)]);
      cost.push_back(r);
    }
    first.a_choices = a, first.a_sensitivity = s, first.cost = cost;
  }
  // Costs above each layer's cheapest choice: the cheapest plan costs nothing, so rounding up
  // never makes a budget that fits it look too small, and the buckets span only what is chosen.
  double floor_cost = 0.0;
  for (AllocLayer& L : shared) {
    double least = std::numeric_limits<double>::infinity();
    for (const auto& row : L.cost)
      for (double c : row) least = std::min(least, c);
    for (auto& row : L.cost)
      for (double& c : row) c -= least;
    floor_cost += least;
  }
  Allocation r;
  if (budget < floor_cost * (1 - 1e-12)) return r;  // not even every layer's cheapest choice fits
  const double slack = std::max(budget - floor_cost, 0.0);
  // Whole-number costs that fit in the buckets one unit each are solved exactly.
  bool integral = slack <= buckets;
  for (const AllocLayer& L : shared)
    for (const auto& row : L.cost)
      for (double c : row) integral = integral && c == std::floor(c);
  const double unit = integral ? 1.0 : std::max(slack, budget * 1e-12) / buckets;
  const int64_t steps = integral ? static_cast<int64_t>(std::floor(slack)) : buckets;
  const Solved up = solve(shared, groups, unit, steps, true);
  const Solved down = solve(shared, groups, unit, steps, false);
  r.lower_bound = down.objective;
  if (up.objective == std::numeric_limits<double>::infinity()) return r;
  r.feasible = true;
  r.objective = up.objective;
  for (size_t i = 0; i < shared.size(); ++i) {
    const AllocLayer& L = shared[i];
    const size_t wi = static_cast<size_t>(up.w[i]), ai = static_cast<size_t>(up.a[i]);
    r.w_bits.push_back(L.w_choices[wi]);
    r.a_bits.push_back(L.a_choices[ai]);
    r.cost += L.cost[wi][ai];
  }
  r.cost += floor_cost;
  return r;
}

}  // namespace bitshift
