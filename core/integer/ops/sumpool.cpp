// sumpool: the sum of each window (an average pool whose 1/(kh·kw) joins the reader's
// multiplier); a 0×0 kernel sums the whole map (global average pool) into C×1×1. Padding adds nothing.
#include "integer/ops/op_common.h"

namespace bitshift {
namespace {

using namespace int_ops;

void check(const IntLayer& L, const IntInputs& in) { check_pool(L, *in[0], true); }

void bound(IntLayer& L, const IntInputs& in) {
  const int64_t window = pool_window(L, *in[0]).taps();
  require(max_abs(*in[0]) * window <= kMaxAccumulator,
          "the sum pool can reach " + str(max_abs(*in[0]) * window) + " (> 2^31 - 1)");
  L.min_value = std::min<int64_t>(0, in[0]->min_value * window);
  L.max_value = std::max<int64_t>(0, in[0]->max_value * window);
}

void reference(const IntLayer& L, const IntInputs& in, const IntValues& x, IntTensor& y,
               int64_t n0, int64_t n1) {
  reduce_windows(L, *in[0], *x[0], y, n0, n1, 0, [](int64_t v, int32_t xv) { return v + xv; });
}

}  // namespace

extern const IntOpDef kIntSumPoolOp{IntOp::IntSumPool, "sumpool", 1, 1, check, bound, reference};

}  // namespace bitshift
