// mul: the product of two integer tensors, requantized once:
// y = requantize(a·b·m[c] + offset[c], shift[c]); b is either a's shape or C×1×1 (one value a
// channel, broadcast over the plane: a squeeze-excitation gate). The product is an int32 like
// an accumulator, proven from the inputs' ranges.
#include "integer/ops/op_common.h"

namespace bitshift {
namespace {

using namespace int_ops;

void check(const IntLayer& L, const IntInputs& in) {
  const IntLayer &a = *in[0], &b = *in[1];
  require(a.c == L.c && a.h == L.h && a.w == L.w,
          "its first input is " + str(a.c) + "x" + str(a.h) + "x" + str(a.w) + ", the layer " +
              str(L.c) + "x" + str(L.h) + "x" + str(L.w));
  require(b.c == L.c && ((b.h == L.h && b.w == L.w) || (b.h == 1 && b.w == 1)),
          "its second input is " + str(b.c) + "x" + str(b.h) + "x" + str(b.w) + ", expected " +
              str(L.c) + "x" + str(L.h) + "x" + str(L.w) + " or " + str(L.c) + "x1x1");
  check_no_weights(L);
  check_requant(L, RequantRule::Always);
}

void bound(IntLayer& L, const IntInputs& in) {
  const int64_t product = max_abs(*in[0]) * max_abs(*in[1]);
  require(product <= kMaxAccumulator,
          "the product can reach " + str(product) + " (> 2^31 - 1); use fewer bits on its inputs");
  L.min_value = L.requant.lo, L.max_value = L.requant.hi;
}

void reference(const IntLayer& L, const IntInputs& in, const IntValues& x, IntTensor& y,
               int64_t n0, int64_t n1) {
  const int64_t plane = L.h * L.w;
  const bool bc = mul_broadcasts(L, *in[1]);
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t c = 0; c < L.c; ++c) {
      const int64_t m = per_channel(L.requant.m, c), offset = offset_at(L.requant, c);
      const int32_t shift = per_channel(L.requant.shift, c);
      const int32_t* a = x[0]->values.data() + (n * L.c + c) * plane;
      const int32_t* b = x[1]->values.data() + (n * L.c + c) * (bc ? 1 : plane);
      int32_t* ys = y.values.data() + (n * L.c + c) * plane;
      for (int64_t i = 0; i < plane; ++i)
        ys[i] = requantize(int64_t{a[i]} * b[bc ? 0 : i] * m + offset, shift, L.requant.lo,
                           L.requant.hi);
    }
}

}  // namespace

extern const IntOpDef kIntMulOp{IntOp::IntMul, "mul", 2, 2, check, bound, reference};

}  // namespace bitshift
