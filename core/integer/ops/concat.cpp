// concat: output channel c is one channel of one input (the layer's runs), requantized onto the
// output grid with channel c's multiplier: y = requantize(x·m[c] + offset[c], shift[c]).
// Channels that already sit on the output grid have m = 1, shift 0 (pure data movement). One op
// serves concatenation, channel split and shuffle (runs of one channel), and a BatchNorm or
// rescale of codes (one input, one run). Inputs are requantized values or wide accumulators.
#include "integer/ops/op_common.h"

namespace bitshift {
namespace {

using namespace int_ops;

void check(const IntLayer& L, const IntInputs& in) {
  for (const IntLayer* x : in)
    require(x->h == L.h && x->w == L.w, "concatenates an input of " + str(x->h) + "x" + str(x->w) +
                                            " into " + str(L.h) + "x" + str(L.w));
  int64_t channels = 0;
  for (const ChannelRun& r : L.runs) {
    require(r.input >= 0 && static_cast<size_t>(r.input) < in.size(),
            "run of input " + str(r.input) + ", the layer has " + str(static_cast<int64_t>(in.size())));
    require(r.count >= 1 && r.first >= 0 && r.first + int64_t{r.count} <= in[r.input]->c,
            "run of channels [" + str(r.first) + ", " + str(int64_t{r.first} + r.count) +
                ") of an input with " + str(in[r.input]->c));
    channels += r.count;
  }
  require(channels == L.c, "runs give " + str(channels) + " channels, the layer has " + str(L.c));
  check_no_weights(L);
  check_requant(L, RequantRule::Always);
}

void bound(IntLayer& L, const IntInputs&) { L.min_value = L.requant.lo, L.max_value = L.requant.hi; }

void reference(const IntLayer& L, const IntInputs& in, const IntValues& x, IntTensor& y, int64_t n0,
               int64_t n1) {
  const int64_t plane = L.h * L.w;
  for (int64_t n = n0; n < n1; ++n) {
    int64_t c = 0;
    for (const ChannelRun& r : L.runs)
      for (int32_t k = 0; k < r.count; ++k, ++c) {
        const IntLayer& src = *in[r.input];
        const int32_t* xs = x[r.input]->values.data() + (n * src.c + r.first + k) * plane;
        int32_t* ys = y.values.data() + (n * L.c + c) * plane;
        const int64_t m = per_channel(L.requant.m, c), offset = offset_at(L.requant, c);
        const int32_t shift = per_channel(L.requant.shift, c);
        for (int64_t i = 0; i < plane; ++i)
          ys[i] = requantize(xs[i] * m + offset, shift, L.requant.lo, L.requant.hi);
      }
  }
}

}  // namespace

extern const IntOpDef kIntConcatOp{IntOp::IntConcat, "concat", 1, 1 << 16, check, bound, reference};

}  // namespace bitshift
