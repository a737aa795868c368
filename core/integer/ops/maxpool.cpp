// maxpool: the largest value in each window (exact on quantized values: rounding is monotone).
// The part of a window in the padding takes no part.
#include "integer/ops/op_common.h"

namespace bitshift {
namespace {

using namespace int_ops;

void check(const IntLayer& L, const IntInputs& in) { check_pool(L, *in[0], false); }

void bound(IntLayer& L, const IntInputs& in) {
  L.min_value = in[0]->min_value, L.max_value = in[0]->max_value;
}

void reference(const IntLayer& L, const IntInputs& in, const IntValues& x, IntTensor& y,
               int64_t n0, int64_t n1) {
  reduce_windows(L, *in[0], *x[0], y, n0, n1, std::numeric_limits<int64_t>::min(),
                 [](int64_t v, int32_t xv) { return std::max<int64_t>(v, xv); });
}

}  // namespace

extern const IntOpDef kIntMaxPoolOp{IntOp::IntMaxPool, "maxpool", 1, 1, check, bound, reference};

}  // namespace bitshift
