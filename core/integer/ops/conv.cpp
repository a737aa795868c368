// conv: Conv2d over integer values: a kh×kw window (stride, zero pads: the zero point is 0,
// dilation) and groups;
// int32 accumulator, then requantized or left wide (the input of an add, the logits).
#include "integer/ops/op_common.h"

namespace bitshift {
namespace {

using namespace int_ops;

void check(const IntLayer& L, const IntInputs& in) {
  const IntLayer& x = *in[0];
  require(L.groups >= 1 && x.c % L.groups == 0 && L.c % L.groups == 0,
          str(L.groups) + " groups do not divide " + str(x.c) + " -> " + str(L.c) + " channels");
  check_window(L, x);
  check_weights(L, x.c / L.groups * L.window.taps());
  check_requant(L, RequantRule::Optional);
}

void bound(IntLayer& L, const IntInputs& in) { bound_weight_layer(L, *in[0]); }

// Output-stationary over one plane: for each weight, a row of products added to a row of
// accumulators, so the innermost loop runs over contiguous x and vectorises.
void reference(const IntLayer& L, const IntInputs& inputs, const IntValues& xs_all, IntTensor& y,
               int64_t n0, int64_t n1) {
  const IntLayer& in = *inputs[0];
  const IntTensor& x = *xs_all[0];
  const IntWindow& win = L.window;
  const int64_t cin_g = in.c / L.groups, cout_g = L.c / L.groups;
  std::vector<int32_t> wv(L.weights.size());
  for (size_t i = 0; i < wv.size(); ++i) wv[i] = L.weight_value(static_cast<int64_t>(i));
  std::vector<int64_t> acc(static_cast<size_t>(L.h * L.w));
  for (int64_t n = n0; n < n1; ++n) {
    const int32_t* xs = x.values.data() + n * in.numel();
    int32_t* ys = y.values.data() + n * L.numel();
    for (int64_t oc = 0; oc < L.c; ++oc) {
      const int64_t g = oc / cout_g;
      std::fill(acc.begin(), acc.end(), L.bias.empty() ? 0 : L.bias[static_cast<size_t>(oc)]);
      for (int64_t ic = 0; ic < cin_g; ++ic) {
        const int32_t* plane = xs + (g * cin_g + ic) * in.h * in.w;
        for (int64_t ky = 0; ky < win.kh; ++ky)
          for (int64_t kx = 0; kx < win.kw; ++kx) {
            const int64_t w = wv[static_cast<size_t>(((oc * cin_g + ic) * win.kh + ky) * win.kw + kx)];
            if (w == 0) continue;
            // Output columns whose input column ox·sw − pad_left + kx·dw lies inside the map.
            const int64_t col = kx * win.dw - win.pad_left;
            int64_t ox0 = 0, ox1 = L.w;
            while (ox0 < ox1 && ox0 * win.sw + col < 0) ++ox0;
            while (ox1 > ox0 && (ox1 - 1) * win.sw + col >= in.w) --ox1;
            for (int64_t oy = 0; oy < L.h; ++oy) {
              const int64_t iy = oy * win.sh - win.pad_top + ky * win.dh;
              if (iy < 0 || iy >= in.h) continue;
              const int32_t* row = plane + iy * in.w + col;
              int64_t* a = acc.data() + oy * L.w;
              if (win.sw == 1) {
                for (int64_t ox = ox0; ox < ox1; ++ox) a[ox] += w * row[ox];
              } else {
                for (int64_t ox = ox0; ox < ox1; ++ox) a[ox] += w * row[ox * win.sw];
              }
            }
          }
      }
      int32_t* out = ys + oc * L.h * L.w;
      for (int64_t i = 0; i < L.h * L.w; ++i) out[i] = finish(L, oc, acc[static_cast<size_t>(i)]);
    }
  }
}

}  // namespace

extern const IntOpDef kIntConvOp{IntOp::IntConv, "conv", 1, 1, check, bound, reference};

}  // namespace bitshift
