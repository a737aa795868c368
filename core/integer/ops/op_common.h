#pragma once
// What the integer ops' files share: the contract's requantization, per-channel vectors, window
// geometry, the checks of requantization vectors and weights. Std only (ships in bundles).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "integer/int_op.h"

namespace bitshift {

// The ranges a writer keeps and the no-overflow argument rests on (FORMAT.md, "The arithmetic"):
// int32 inputs and |m| ≤ 2^30 give |acc·m| ≤ 2^61 (an add's two products ≤ 2^62), |offset| ≤ 2^60
// and the rounding term ≤ 2^60, so every sum stays below 2^63.
constexpr int32_t kMaxRequantShift = 61;
constexpr int64_t kMaxRequantMultiplier = int64_t{1} << 30;
constexpr int64_t kMaxRequantOffset = int64_t{1} << 60;
constexpr int64_t kMaxAccumulator = std::numeric_limits<int32_t>::max();

// The contract's requantization of one value: `scaled` = acc·m (+ acc2·m2) + offset, rounded
// half up by an arithmetic shift, then clamped.
inline int32_t requantize(int64_t scaled, int32_t shift, int32_t lo, int32_t hi) {
  const int64_t rounded = (scaled + (shift > 0 ? (int64_t{1} << (shift - 1)) : 0)) >> shift;
  return static_cast<int32_t>(rounded < lo ? lo : (rounded > hi ? hi : rounded));
}

namespace int_ops {

inline void require(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}
inline std::string str(int64_t v) { return std::to_string(v); }

// Entry c of a per-channel vector (size 1: every channel).
template <typename V>
auto per_channel(const V& v, int64_t c) {
  return v.size() == 1 ? v[0] : v[static_cast<size_t>(c)];
}
inline int64_t offset_at(const Requant& r, int64_t c) {
  return r.offset.empty() ? 0 : per_channel(r.offset, c);
}

// A weight layer's accumulator (bias included, proven int32) to its output value.
inline int32_t finish(const IntLayer& L, int64_t c, int64_t acc) {
  if (!L.requant.requantized) return static_cast<int32_t>(acc);
  return requantize(acc * per_channel(L.requant.m, c) + offset_at(L.requant, c),
                    per_channel(L.requant.shift, c), L.requant.lo, L.requant.hi);
}

inline int64_t max_abs(const IntLayer& L) {
  return std::max(std::llabs(L.min_value), std::llabs(L.max_value));
}

// Output size of a window along one axis, as PyTorch and ONNX:
// floor((in + pad_begin + pad_end − dilation·(k − 1) − 1) / stride) + 1; 0 when the window does
// not fit. With `ceil`: ceil instead of floor, less the last window when it would start beyond
// the input and its leading padding (PyTorch's ceil_mode).
inline int64_t window_out(int64_t in, int64_t k, int64_t stride, int64_t pad_begin,
                          int64_t pad_end, int64_t dilation, bool ceil) {
  const int64_t span = in + pad_begin + pad_end - dilation * (k - 1) - 1;
  if (span < 0) return 0;
  int64_t out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

// The layer's window (kernel, stride, dilation >= 1, pads >= 0, each at most 1024) over `in`
// gives the layer's h×w.
void check_window(const IntLayer& L, const IntLayer& in);

// Requantization vectors: `requantized` as the op requires, m (and m2 when `two_inputs`), shift
// and offset with 1 or c entries, and the contract's ranges. Ops that never requantize require
// every array empty.
enum class RequantRule { Never, Optional, Always };
void check_requant(const IntLayer& L, RequantRule rule, bool two_inputs = false);

// Conv/linear weights: `per_out` codes per output channel, the bias, the table and its indices.
void check_weights(const IntLayer& L, int64_t per_out);
// A weight layer's proven range: Σ|w|·max|x| + |bias| per output channel within int32, then
// [lo, hi] when requantized (with m = 1 and shift 0: that bound plus the offsets, clamped),
// else ± that bound.
void bound_weight_layer(IntLayer& L, const IntLayer& in);

// Throws when the layer carries weights, a table or a bias (ops without weights).
void check_no_weights(const IntLayer& L);

}  // namespace int_ops
}  // namespace bitshift

namespace bitshift::int_ops {

// A pool's window: the layer's, or for a global pool (0×0) the whole map, stride 1, no pads.
inline IntWindow pool_window(const IntLayer& L, const IntLayer& in) {
  if (!L.window.global()) return L.window;
  IntWindow w;
  w.kh = in.h, w.kw = in.w;
  return w;
}

// Calls reduce(v, x) over the part of each output's window inside the map (padding takes no
// part) and writes the result; `init` starts every window.
template <typename Reduce>
void reduce_windows(const IntLayer& L, const IntLayer& in, const IntTensor& x, IntTensor& y,
                    int64_t n0, int64_t n1, int64_t init, Reduce reduce) {
  const IntWindow p = pool_window(L, in);
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t c = 0; c < L.c; ++c)
      for (int64_t oy = 0; oy < L.h; ++oy)
        for (int64_t ox = 0; ox < L.w; ++ox) {
          int64_t v = init;
          for (int64_t ky = 0; ky < p.kh; ++ky)
            for (int64_t kx = 0; kx < p.kw; ++kx) {
              const int64_t iy = oy * p.sh - p.pad_top + ky * p.dh;
              const int64_t ix = ox * p.sw - p.pad_left + kx * p.dw;
              if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
              v = reduce(v, x.values[static_cast<size_t>(((n * in.c + c) * in.h + iy) * in.w + ix)]);
            }
          y.values[static_cast<size_t>(((n * L.c + c) * L.h + oy) * L.w + ox)] = static_cast<int32_t>(v);
        }
}

// A pool's structure: same channels, an undilated window (every pad smaller than the kernel, so
// no window lies wholly in padding) or, with `global_allowed` and a 0×0 kernel, the whole map to
// C×1×1; no weights, no requantization.
void check_pool(const IntLayer& L, const IntLayer& in, bool global_allowed);

}  // namespace bitshift::int_ops
