// add: a residual add, y = requantize(a·m[c] + b·m2[c] + offset[c]) with one shared shift[c];
// each input on its own scale (requantized values or wide int32 accumulators). `a` is inputs[0].
#include "integer/ops/op_common.h"

namespace bitshift {
namespace {

using namespace int_ops;

void check(const IntLayer& L, const IntInputs& in) {
  for (const IntLayer* x : in)
    require(x->c == L.c && x->h == L.h && x->w == L.w,
            "adds an input of " + str(x->c) + "x" + str(x->h) + "x" + str(x->w) + " to " +
                str(L.c) + "x" + str(L.h) + "x" + str(L.w));
  check_no_weights(L);
  check_requant(L, RequantRule::Always, true);
}

void bound(IntLayer& L, const IntInputs&) { L.min_value = L.requant.lo, L.max_value = L.requant.hi; }

void reference(const IntLayer& L, const IntInputs&, const IntValues& x, IntTensor& y, int64_t n0,
               int64_t n1) {
  const int64_t plane = L.h * L.w;
  const std::vector<int32_t>& a = x[0]->values;
  const std::vector<int32_t>& b = x[1]->values;
  for (int64_t i = n0 * L.numel(); i < n1 * L.numel(); ++i) {
    const int64_t c = (i / plane) % L.c;
    const auto j = static_cast<size_t>(i);
    const int64_t sum = int64_t{a[j]} * per_channel(L.requant.m, c) +
                        int64_t{b[j]} * per_channel(L.requant.m2, c) + offset_at(L.requant, c);
    y.values[j] = requantize(sum, per_channel(L.requant.shift, c), L.requant.lo, L.requant.hi);
  }
}

}  // namespace

extern const IntOpDef kIntAddOp{IntOp::IntAdd, "add", 2, 2, check, bound, reference};

}  // namespace bitshift
