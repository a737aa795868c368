// The Lowerer's second half (integer/lowerer.h): a node's real value closed onto an activation
// grid — requantized (a conv's multipliers, an add, a concat of pieces), read exactly (a pool's
// input), thresholded (N2UQ) or left wide (the logits).
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "integer/int_op.h"
#include "integer/lowerer.h"
#include "integer/requant_choice.h"
#include "util/error.h"

namespace bitshift::lowering_detail {

namespace {

// Whether `clamp` leaves codes of step `scale` that stay in `range` unchanged.
bool clamp_is_noop(const Clamp& clamp, double scale, std::pair<int64_t, int64_t> range) {
  return scale > 0 && clamp.code_lo(scale, range.first) == range.first &&
         clamp.code_hi(scale, range.second) == range.second;
}

}  // namespace

std::vector<ChannelPiece> Lowerer::pieces_of(int node) {
  const Value& v = values_[node];
  if (!v.pieces.empty()) return v.pieces;
  if (v.terms.size() != 1)
    fail(node, "its channels are laid beside others (concat, split or shuffle) but it is a "
               "sum the plan does not quantize; give its reader activation bits");
  const Shape& sh = g_.node(node).out_shape;
  ChannelPiece p;
  p.layer = v.terms[0].layer;
  p.count = sh.flat ? sh.numel() : sh.c;
  p.clamp = v.clamp;
  for (int64_t c = 0; c < p.count; ++c) {
    p.scale.push_back(at(v.terms[0].scale, c));
    p.offset.push_back(v.offset.empty() ? 0.0 : v.offset[c]);
  }
  return {p};
}

void Lowerer::close_pieces(int node, const ActivationGrid& grid) {
  Value& v = values_[node];
  const std::vector<ChannelPiece> pieces = v.pieces;
  // One clamp on the grid's codes serves every channel: the pieces' clamps must agree there
  // (a ReLU is no clamp on an unsigned grid).
  const int64_t lo = pieces[0].clamp.code_lo(grid.scale, grid.lo);
  const int64_t hi = pieces[0].clamp.code_hi(grid.scale, grid.hi);
  for (const ChannelPiece& p : pieces)
    if (p.clamp.code_lo(grid.scale, grid.lo) != lo || p.clamp.code_hi(grid.scale, grid.hi) != hi)
      fail(node, "its channels come from inputs with different ReLU/clip clamps onto one grid");
  IntLayer L;
  L.op = IntOp::IntConcat;
  std::vector<std::vector<double>> M(1);
  std::vector<double> offset;
  for (const ChannelPiece& p : pieces) {
    if (is_open(p.layer)) close_wide(p.layer, model_.layers[p.layer].scale, {});
    add_run(L, p);
    for (int64_t k = 0; k < p.count; ++k) {
      M[0].push_back(p.scale[k] / grid.scale);
      offset.push_back(p.offset[k]);
    }
  }
  const int idx = add_layer(std::move(L), node);
  IntLayer& C = model_.layers[idx];
  C.requant.requantized = true;
  C.requant.lo = static_cast<int32_t>(lo), C.requant.hi = static_cast<int32_t>(hi);
  requantize_onto(node, C, M, offset, grid);
  C.scale = {grid.scale};
  v = Value{};
  v.terms = {Term{idx, {grid.scale}}};
}

void Lowerer::move_pieces(int node) {
  const std::vector<ChannelPiece>& pieces = values_[node].pieces;
  const double s = pieces[0].scale[0];
  for (const ChannelPiece& p : pieces)
    for (int64_t k = 0; k < p.count; ++k)
      if (p.scale[k] != s || p.offset[k] != 0.0 || is_open(p.layer) ||
          (p.clamp.any() && !clamp_is_noop(p.clamp, s, known_range(p.layer))))
        return;  // not codes on one grid: integer_input names what is missing
  IntLayer L;
  L.op = IntOp::IntConcat;
  int64_t lo = std::numeric_limits<int32_t>::max(), hi = std::numeric_limits<int32_t>::min();
  for (const ChannelPiece& p : pieces) {
    add_run(L, p);
    const auto r = known_range(p.layer);
    lo = std::min(lo, r.first), hi = std::max(hi, r.second);
  }
  L.requant.requantized = true;
  L.requant.m.assign(1, 1), L.requant.shift.assign(1, 0);
  L.requant.lo = static_cast<int32_t>(lo), L.requant.hi = static_cast<int32_t>(hi);
  L.scale = {s};
  const int idx = add_layer(std::move(L), node);
  values_[node] = Value{};
  values_[node].terms = {Term{idx, {s}}};
}

std::pair<int64_t, int64_t> Lowerer::known_range(int layer) const {
  const IntLayer& L = model_.layers[layer];
  if (L.op == IntOp::IntInput) return {L.min_value, L.max_value};
  if (L.op == IntOp::IntMaxPool) return known_range(L.inputs[0]);
  if (L.requant.requantized) return {L.requant.lo, L.requant.hi};
  return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
}

std::vector<double> Lowerer::sum_offsets(const std::vector<double>& a,
                                         const std::vector<double>& b, int64_t C) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  std::vector<double> s(C);
  for (int64_t c = 0; c < C; ++c) s[c] = a[c] + b[c];
  return s;
}

void Lowerer::close_wide(int layer, const std::vector<double>& scale,
                         const std::vector<double>& offset) {
  IntLayer& L = model_.layers[layer];
  if (L.op == IntOp::IntMul) {
    if (!offset.empty()) throw Error("cannot lower '" + L.name + "': a product with an offset");
    L.scale = scale;
    closed_.insert(layer);
    return;
  }
  L.bias.assign(static_cast<size_t>(L.c), 0);
  if (!offset.empty())
    for (int64_t c = 0; c < L.c; ++c) {
      const double s = at(scale, c);
      const double b = s == 0.0 ? 0.0 : std::floor(offset[c] / s + 0.5);
      if (std::abs(b) > 2147483647.0)
        throw Error("cannot lower '" + L.name + "': bias of channel " + std::to_string(c) +
                    " is " + std::to_string(b) + " accumulator units (> int32)");
      L.bias[c] = static_cast<int32_t>(b);
    }
  L.scale = scale;
  closed_.insert(layer);
}

void Lowerer::close_on_grid(int node, const ActivationGrid& grid) {
  if (node == 0) return;
  Value& v = values_[node];
  if (!grid.thresholds.empty()) return close_thresholds(node, grid);
  if (!grid.affine)
    fail(node, "its quantizer's levels (odd multiples of a half step) cannot be reached by "
               "requantizing integers; only the network input may use them");
  if (v.terms.size() == 1 && !is_open(v.terms[0].layer) && v.offset.empty() &&
      v.terms[0].scale.size() == 1 && v.terms[0].scale[0] == grid.scale &&
      (model_.layers[v.terms[0].layer].op == IntOp::IntLookup ||
       model_.layers[v.terms[0].layer].op == IntOp::IntAvgPool) &&
      !v.clamp.any())
    return;  // a table's (an uneven average's) codes are already on its output grid
  if (v.terms.size() == 1 && !is_open(v.terms[0].layer)) v.pieces = pieces_of(node);
  if (!v.pieces.empty()) return close_pieces(node, grid);
  const int64_t lo = v.clamp.code_lo(grid.scale, grid.lo), hi = v.clamp.code_hi(grid.scale, grid.hi);
  const int64_t C = g_.node(node).out_shape.flat ? g_.node(node).out_shape.numel()
                                                 : g_.node(node).out_shape.c;
  std::vector<std::vector<double>> M;
  for (const Term& t : v.terms) {
    std::vector<double> m(C);
    for (int64_t c = 0; c < C; ++c) m[c] = at(t.scale, c) / grid.scale;
    M.push_back(m);
  }
  int target = -1;
  if (v.terms.size() == 1) {
    target = v.terms[0].layer;
    if (!is_open(target))
      fail(node, "a second quantizer on an already quantized tensor is not supported");
    close_wide(target, v.terms[0].scale, {});
  } else {
    // A residual add: open convs stay wide (no bias); the offset joins the add's requant.
    for (const Term& t : v.terms)
      if (is_open(t.layer)) close_wide(t.layer, t.scale, {});
    IntLayer A;
    A.op = IntOp::IntAdd;
    A.inputs = {v.terms[0].layer, v.terms[1].layer};
    target = add_layer(std::move(A), node);
  }
  IntLayer& L = model_.layers[target];
  L.requant.requantized = true;
  L.requant.lo = static_cast<int32_t>(lo);
  L.requant.hi = static_cast<int32_t>(hi);
  requantize_onto(node, L, M, v.offset, grid);
  L.scale = {grid.scale};
  v = Value{};
  v.terms = {Term{target, {grid.scale}}};
}

void Lowerer::close_thresholds(int node, const ActivationGrid& grid) {
  Value& v = values_[node];
  if (v.terms.size() != 1 || !v.pieces.empty()) close_on_fine_grid(node);
  const Term t = v.terms[0];
  if (is_open(t.layer)) close_wide(t.layer, t.scale, {});
  // Thresholds every x reaches or none does, as int32 sentinels (run() checks that the input
  // is proven to stay below the largest int32).
  const int64_t always = std::numeric_limits<int32_t>::min();
  const int64_t never = std::numeric_limits<int32_t>::max();
  IntLayer L;
  L.op = IntOp::IntThreshold;
  L.inputs = {t.layer};
  const int64_t n = static_cast<int64_t>(grid.thresholds.size());
  const int64_t C = model_.layers[t.layer].c;
  Requant& r = L.requant;
  r.requantized = true;
  r.lo = static_cast<int32_t>(grid.lo), r.hi = static_cast<int32_t>(grid.hi);
  r.shift = {0};
  for (int64_t c = 0; c < C; ++c) {
    const double s = at(t.scale, c), o = v.offset.empty() ? 0.0 : v.offset[c];
    std::vector<int64_t> row;
    for (double th : grid.thresholds) {
      // After a clamp the quantizer sees min(max(value, lo), hi).
      bool reached_always = th <= v.clamp.lo, reached_never = th > v.clamp.hi;
      int64_t x_at = 0;
      if (!reached_always && !reached_never) {
        if (s == 0.0) {
          (o >= th ? reached_always : reached_never) = true;
        } else {
          const double q = (th - o) / s;
          const double b = s > 0 ? std::ceil(q) : std::floor(q) + 1;  // s < 0: x ≥ b not reached
          x_at = static_cast<int64_t>(std::clamp(b, double(always), double(never)));
        }
      }
      // Counted up (s ≥ 0): the value reaches th when x ≥ entry. Counted down (s < 0): the
      // value reaches th unless x ≥ entry.
      const bool up = s >= 0.0;
      if (reached_always) row.push_back(up ? always : never);
      else if (reached_never) row.push_back(up ? never : always);
      else row.push_back(x_at);
    }
    std::sort(row.begin(), row.end());
    for (int64_t e : row) L.table.push_back(static_cast<int32_t>(e));
    const bool up = s >= 0.0;
    r.m.push_back(up ? 1 : -1);
    r.offset.push_back(up ? grid.lo : grid.lo + n);
  }
  L.scale = {grid.scale};
  const int idx = add_layer(std::move(L), node);
  v = Value{};
  v.terms = {Term{idx, {grid.scale}}};
}

void Lowerer::close_on_fine_grid(int node) {
  Value& v = values_[node];
  for (const Term& t : v.terms)
    if (is_open(t.layer)) close_wide(t.layer, t.scale, {});
  for (const ChannelPiece& p : v.pieces)
    if (is_open(p.layer)) close_wide(p.layer, model_.layers[p.layer].scale, {});
  try {
    prove_int_ranges(model_);  // the ranges of the layers so far
  } catch (const std::runtime_error& e) {
    fail(node, e.what());
  }
  const auto max_abs = [&](int layer) {
    const IntLayer& L = model_.layers[layer];
    return static_cast<double>(std::max(std::llabs(L.min_value), std::llabs(L.max_value)));
  };
  double largest = 0.0;
  const int64_t C = g_.node(node).out_shape.flat ? g_.node(node).out_shape.numel()
                                                 : g_.node(node).out_shape.c;
  if (v.pieces.empty()) {
    for (int64_t c = 0; c < C; ++c) {
      double r = v.offset.empty() ? 0.0 : std::abs(v.offset[c]);
      for (const Term& t : v.terms) r += max_abs(t.layer) * std::abs(at(t.scale, c));
      largest = std::max(largest, r);
    }
  } else {
    for (const ChannelPiece& p : v.pieces)
      for (int64_t k = 0; k < p.count; ++k)
        largest = std::max(largest,
                           max_abs(p.layer) * std::abs(p.scale[k]) + std::abs(p.offset[k]));
  }
  ActivationGrid fine;
  fine.scale = largest > 0.0 ? std::ldexp(largest, -30) : 1.0;
  fine.lo = -(int64_t{1} << 30) - 1;
  fine.hi = (int64_t{1} << 30) + 1;
  close_on_grid(node, fine);
}

void Lowerer::close_exact(int node) {
  Value& v = values_[node];
  const Term t = v.terms[0];
  IntLayer& L = model_.layers[t.layer];
  // One clamp serves every channel: exact only when the clamp's bounds sit at the same
  // accumulator value in every channel (a ReLU's 0 does for any positive scales).
  const int64_t int_min = std::numeric_limits<int32_t>::min(), int_max = std::numeric_limits<int32_t>::max();
  bool same = true;
  for (int64_t c = 0; c < L.c; ++c) {
    const double s = at(t.scale, c);
    same &= s > 0 && v.clamp.code_lo(s, int_min) == v.clamp.code_lo(at(t.scale, 0), int_min) &&
            v.clamp.code_hi(s, int_max) == v.clamp.code_hi(at(t.scale, 0), int_max);
  }
  if (v.clamp.any() && !same)
    fail(node, "a ReLU or clip before a pool over a value the plan does not quantize, with "
               "per-channel scales that put its bounds on different accumulator values; "
               "quantize the pool's input (give its reader activation bits)");
  Requant& r = L.requant;
  r.requantized = true;
  r.m = {1}, r.shift = {0};
  r.lo = static_cast<int32_t>(v.clamp.code_lo(at(t.scale, 0), int_min));
  r.hi = static_cast<int32_t>(v.clamp.code_hi(at(t.scale, 0), int_max));
  if (!v.offset.empty()) {
    r.offset.assign(static_cast<size_t>(L.c), 0);
    for (int64_t c = 0; c < L.c; ++c) {
      const double b = std::floor(v.offset[c] / at(t.scale, c) + 0.5);
      if (std::abs(b) > 2147483647.0)
        fail(node, "bias of channel " + std::to_string(c) + " is beyond int32");
      r.offset[c] = static_cast<int64_t>(b);
    }
  }
  L.scale = t.scale;
  closed_.insert(t.layer);
  v = Value{};
  v.terms = {t};
}

std::vector<double> Lowerer::steps_of(const std::vector<double>& offset,
                                      const ActivationGrid& grid) {
  std::vector<double> steps;
  for (double o : offset) steps.push_back(o / grid.scale);
  return steps;
}

void Lowerer::requantize_onto(int node, IntLayer& L, const std::vector<std::vector<double>>& M,
                              const std::vector<double>& offset, const ActivationGrid& grid) {
  const std::vector<double> steps = steps_of(offset, grid);
  choose_multipliers(L, M, steps, model_.notes);
  if (steps.empty()) return;
  try {
    set_offsets(L, steps);
  } catch (const Error& e) {
    fail(node, e.what());
  }
}

void Lowerer::close_output() {
  const int out = g_.output();
  Value& v = values_[out];
  if (v.terms.size() != 1 || v.clamp.any()) fail(out, "the network output must be a layer's logits");
  if (is_open(v.terms[0].layer)) close_wide(v.terms[0].layer, v.terms[0].scale, v.offset);
  if (v.terms[0].layer != static_cast<int>(model_.layers.size()) - 1)
    fail(out, "the logits must come from the last integer layer");
  model_.layers.back().scale = v.terms[0].scale;
}

}  // namespace bitshift::lowering_detail
