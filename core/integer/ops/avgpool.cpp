// avgpool: an average pool whose windows divide by the number of their positions inside the
// map (count_include_pad=False; ceil-mode windows cut short), requantized per count:
// y = requantize(sum·table[n − 1] + offset[c], shift[c], lo, hi), n = positions of the window
// inside the map (1…kh·kw), table[n − 1] ≈ 2^shift·(input scale)/(n·output scale). The
// requantization's m is empty: the table holds a multiplier per count.
#include "integer/ops/op_common.h"

namespace bitshift {
namespace {

using namespace int_ops;

void check(const IntLayer& L, const IntInputs& in) {
  IntLayer pool = L;  // the pool's structure, as a sum pool's
  pool.table.clear(), pool.requant = Requant{};
  check_pool(pool, *in[0], false);
  require(L.requant.m.empty(), "an avgpool's multipliers are its table (one a count); m is empty");
  IntLayer r = L;  // the requantization's vectors and ranges, with m standing for the table
  r.requant.m = {1};
  check_requant(r, RequantRule::Always);
  require(static_cast<int64_t>(L.table.size()) == L.window.taps(),
          "a table of " + str(static_cast<int64_t>(L.table.size())) + " multipliers for a " +
              str(L.window.kh) + "x" + str(L.window.kw) + " window (one a count, 1.." +
              str(L.window.taps()) + ")");
  for (int32_t m : L.table)
    require(std::llabs(m) <= kMaxRequantMultiplier, "multiplier " + str(m) + " beyond +-2^30");
}

void bound(IntLayer& L, const IntInputs& in) {
  const int64_t sum = max_abs(*in[0]) * L.window.taps();
  require(sum <= kMaxAccumulator, "the window sum can reach " + str(sum) + " (> 2^31 - 1)");
  L.min_value = L.requant.lo, L.max_value = L.requant.hi;
}

void reference(const IntLayer& L, const IntInputs& in, const IntValues& x, IntTensor& y,
               int64_t n0, int64_t n1) {
  const IntLayer& src = *in[0];
  const IntWindow& w = L.window;
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t c = 0; c < L.c; ++c) {
      const int32_t* plane = x[0]->values.data() + (n * src.c + c) * src.h * src.w;
      for (int64_t oy = 0; oy < L.h; ++oy)
        for (int64_t ox = 0; ox < L.w; ++ox) {
          int64_t sum = 0, count = 0;
          for (int64_t ky = 0; ky < w.kh; ++ky)
            for (int64_t kx = 0; kx < w.kw; ++kx) {
              const int64_t iy = oy * w.sh - w.pad_top + ky, ix = ox * w.sw - w.pad_left + kx;
              if (iy < 0 || iy >= src.h || ix < 0 || ix >= src.w) continue;
              sum += plane[iy * src.w + ix];
              ++count;
            }
          y.values[static_cast<size_t>(((n * L.c + c) * L.h + oy) * L.w + ox)] =
              requantize(sum * L.table[static_cast<size_t>(count - 1)] + offset_at(L.requant, c),
                         per_channel(L.requant.shift, c), L.requant.lo, L.requant.hi);
        }
    }
}

}  // namespace

extern const IntOpDef kIntAvgPoolOp{IntOp::IntAvgPool, "avgpool", 1, 1, check, bound, reference};

}  // namespace bitshift
