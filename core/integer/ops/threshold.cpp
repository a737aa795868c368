// threshold: a multi-threshold (FINN's MultiThreshold): the number of a channel's thresholds its
// input reaches, count = #{i : x ≥ table[c·n + i]}, then the contract's requantization with
// m[c] = ±1 and shift 0: y = clamp(count·m[c] + offset[c], lo, hi). Learned, unevenly spaced
// thresholds onto evenly spaced levels (N2UQ). The input is any layer (a wide accumulator or
// codes); n = table.size() / c thresholds per channel, ascending. m = −1 counts down (a channel
// whose scale is negative: its real value rises as x falls).
#include "integer/ops/op_common.h"

namespace bitshift {
namespace {

using namespace int_ops;

constexpr int64_t kMaxThresholds = int64_t{1} << 16;

int64_t thresholds_per_channel(const IntLayer& L) {
  return L.c > 0 ? static_cast<int64_t>(L.table.size()) / L.c : 0;
}

void check(const IntLayer& L, const IntInputs& in) {
  const IntLayer& x = *in[0];
  require(L.c == x.c && L.h == x.h && L.w == x.w,
          "a threshold keeps its input's shape " + str(x.c) + "x" + str(x.h) + "x" + str(x.w));
  const int64_t n = thresholds_per_channel(L);
  require(n >= 1 && n <= kMaxThresholds && static_cast<int64_t>(L.table.size()) == n * L.c,
          str(static_cast<int64_t>(L.table.size())) + " thresholds for " + str(L.c) +
              " channels; expected 1.." + str(kMaxThresholds) + " per channel");
  for (int64_t c = 0; c < L.c; ++c)
    for (int64_t i = 1; i < n; ++i)
      require(L.table[static_cast<size_t>(c * n + i - 1)] <= L.table[static_cast<size_t>(c * n + i)],
              "the thresholds of channel " + str(c) + " are not ascending at " + str(i));
  require(L.weights.empty() && L.bias.empty(), "a threshold has no weights or bias");
  check_requant(L, RequantRule::Always);
  for (int32_t m : L.requant.m) require(m == 1 || m == -1, "a threshold's m is +1 or -1, got " + str(m));
  for (int32_t s : L.requant.shift) require(s == 0, "a threshold's shift is 0, got " + str(s));
}

void bound(IntLayer& L, const IntInputs&) {
  L.min_value = L.requant.lo, L.max_value = L.requant.hi;
}

void reference(const IntLayer& L, const IntInputs&, const IntValues& x, IntTensor& y, int64_t n0,
               int64_t n1) {
  const int64_t n = thresholds_per_channel(L), plane = L.h * L.w;
  for (int64_t s = n0; s < n1; ++s)
    for (int64_t c = 0; c < L.c; ++c) {
      const int32_t* t = L.table.data() + c * n;
      const int64_t m = per_channel(L.requant.m, c), offset = offset_at(L.requant, c);
      const size_t base = static_cast<size_t>((s * L.c + c) * plane);
      for (int64_t p = 0; p < plane; ++p) {
        const int32_t v = x[0]->values[base + static_cast<size_t>(p)];
        int64_t count = 0;
        for (int64_t i = 0; i < n; ++i) count += v >= t[i];
        y.values[base + static_cast<size_t>(p)] =
            requantize(count * m + offset, 0, L.requant.lo, L.requant.hi);
      }
    }
}

}  // namespace

extern const IntOpDef kIntThresholdOp{IntOp::IntThreshold, "threshold", 1, 1, check, bound,
                                      reference};

}  // namespace bitshift
