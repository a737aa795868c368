#include "integer/ops/op_common.h"

namespace bitshift::int_ops {

void check_window(const IntLayer& L, const IntLayer& in) {
  const IntWindow& w = L.window;
  for (int64_t v : {w.kh, w.kw, w.sh, w.sw, w.dh, w.dw})
    require(v >= 1 && v <= 1024, "kernel, stride and dilation must be in 1..1024, got " + str(v));
  for (int64_t v : {w.pad_top, w.pad_left, w.pad_bottom, w.pad_right})
    require(v >= 0 && v <= 1024, "pads must be in 0..1024, got " + str(v));
  require(!w.ceil_mode || L.op == IntOp::IntMaxPool || L.op == IntOp::IntAvgPool,
          "ceil mode on a " + std::string(int_op_name(L.op)));
  const int64_t oh = window_out(in.h, w.kh, w.sh, w.pad_top, w.pad_bottom, w.dh, w.ceil_mode);
  const int64_t ow = window_out(in.w, w.kw, w.sw, w.pad_left, w.pad_right, w.dw, w.ceil_mode);
  require(L.h == oh && L.w == ow, "output " + str(L.h) + "x" + str(L.w) + ", the window gives " +
                                      str(oh) + "x" + str(ow));
}

void check_requant(const IntLayer& L, RequantRule rule, bool two_inputs) {
  const Requant& r = L.requant;
  if (rule == RequantRule::Never || (rule == RequantRule::Optional && !r.requantized)) {
    require(!r.requantized, "'" + std::string(int_op_name(L.op)) + "' is never requantized");
    require(r.m.empty() && r.m2.empty() && r.shift.empty() && r.offset.empty(),
            "requantization arrays on an output that is not requantized");
    return;
  }
  require(r.requantized, "'" + std::string(int_op_name(L.op)) + "' is always requantized");
  const auto channels_ok = [&](size_t n) { return n == 1 || n == static_cast<size_t>(L.c); };
  require(channels_ok(r.m.size()) && channels_ok(r.shift.size()),
          "m and shift need 1 or " + str(L.c) + " entries");
  require(two_inputs ? channels_ok(r.m2.size()) : r.m2.empty(),
          two_inputs ? "m2 needs 1 or " + str(L.c) + " entries" : "m2 on a one-input op");
  require(r.offset.empty() || channels_ok(r.offset.size()),
          "offset needs 0, 1 or " + str(L.c) + " entries");
  for (int32_t s : r.shift)
    require(s >= 0 && s <= kMaxRequantShift,
            "shift " + str(s) + " not in 0.." + str(kMaxRequantShift));
  for (const auto* v : {&r.m, &r.m2})
    for (int32_t m : *v)
      require(std::llabs(m) <= kMaxRequantMultiplier,
              "multiplier " + str(m) + " beyond +-2^30");
  for (int64_t o : r.offset)
    require(o >= -kMaxRequantOffset && o <= kMaxRequantOffset, "offset " + str(o) + " beyond +-2^60");
  require(r.lo <= r.hi, "lo " + str(r.lo) + " > hi " + str(r.hi));
}

void check_weights(const IntLayer& L, int64_t per_out) {
  require(static_cast<int64_t>(L.weights.size()) == L.c * per_out,
          str(static_cast<int64_t>(L.weights.size())) + " weights, expected " + str(L.c * per_out));
  require(L.bias.empty() || L.bias.size() == static_cast<size_t>(L.c),
          str(static_cast<int64_t>(L.bias.size())) + " biases for " + str(L.c) + " channels");
  require(L.w_bits >= 1 && L.w_bits <= 32, "w_bits " + str(L.w_bits) + " not in 1..32");
  require(L.table.size() <= (size_t{1} << std::min(L.w_bits, 30)),
          "a table of " + str(static_cast<int64_t>(L.table.size())) + " entries for " +
              str(L.w_bits) + "-bit codes");
  if (!L.table.empty())
    for (size_t j = 0; j < L.weights.size(); ++j)
      require(L.weights[j] >= 0 && static_cast<size_t>(L.weights[j]) < L.table.size(),
              "weight code " + str(L.weights[j]) + " at index " + str(static_cast<int64_t>(j)) +
                  " is not in the table of " + str(static_cast<int64_t>(L.table.size())));
}

void bound_weight_layer(IntLayer& L, const IntLayer& in) {
  const int64_t per_out = L.c > 0 ? static_cast<int64_t>(L.weights.size()) / L.c : 0;
  int64_t bound = 0;
  for (int64_t o = 0; o < L.c; ++o) {
    int64_t sum_abs = 0;  // stops past int32: then the bound is exceeded whatever the inputs
    for (int64_t j = 0; j < per_out && sum_abs <= kMaxAccumulator; ++j)
      sum_abs += std::llabs(L.weight_value(o * per_out + j));
    require(sum_abs <= kMaxAccumulator || max_abs(in) == 0,
            "the weights of output channel " + str(o) + " sum to more than 2^31 in magnitude");
    const int64_t b = L.bias.empty() ? 0 : std::llabs(L.bias[static_cast<size_t>(o)]);
    bound = std::max(bound, sum_abs * max_abs(in) + b);
  }
  require(bound <= kMaxAccumulator,
          "the int32 accumulator can reach " + str(bound) + " (> 2^31 - 1) with these weights " +
              "and inputs; use fewer activation or weight bits there");
  const Requant& r = L.requant;
  const bool identity = r.requantized && r.m.size() == 1 && r.m[0] == 1 && r.shift.size() == 1 &&
                        r.shift[0] == 0;
  if (identity) {
    // The accumulator plus an integer offset (a network's tail read by a pool): its own bound.
    int64_t lo_off = 0, hi_off = 0;
    for (int64_t o : r.offset) lo_off = std::min(lo_off, o), hi_off = std::max(hi_off, o);
    const auto clamp = [&](int64_t v) { return std::min<int64_t>(r.hi, std::max<int64_t>(r.lo, v)); };
    L.min_value = clamp(-bound + lo_off);
    L.max_value = clamp(bound + hi_off);
  } else if (r.requantized) {
    L.min_value = L.requant.lo, L.max_value = L.requant.hi;
  } else {
    L.min_value = -bound, L.max_value = bound;
  }
}

void check_no_weights(const IntLayer& L) {
  require(L.weights.empty() && L.table.empty() && L.bias.empty(),
          "'" + std::string(int_op_name(L.op)) + "' has no weights, table or bias");
}

}  // namespace bitshift::int_ops

namespace bitshift::int_ops {

void check_pool(const IntLayer& L, const IntLayer& in, bool global_allowed) {
  require(L.c == in.c, str(L.c) + " channels from an input of " + str(in.c));
  check_no_weights(L);
  check_requant(L, RequantRule::Never);
  require(L.groups == 1, "groups " + str(L.groups) + " on a pool");
  const IntWindow& w = L.window;
  if (global_allowed && w.global()) {
    require(w == IntWindow::whole_map() && L.h == 1 && L.w == 1,
            "a global pool (0x0 kernel) has stride 1, no pads or dilation and a Cx1x1 output");
    return;
  }
  check_window(L, in);
  require(w.dh == 1 && w.dw == 1, "dilation " + str(w.dh) + "x" + str(w.dw) + " on a pool");
  require(w.pad_top < w.kh && w.pad_bottom < w.kh && w.pad_left < w.kw && w.pad_right < w.kw,
          "pads must each be smaller than the " + str(w.kh) + "x" + str(w.kw) +
              " window, or a window would see only padding");
}

}  // namespace bitshift::int_ops
