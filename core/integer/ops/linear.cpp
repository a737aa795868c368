// linear: fully connected over the input's flattened C·H·W values; int32 accumulator, then
// requantized or left wide (the logits).
#include "integer/ops/op_common.h"

namespace bitshift {
namespace {

using namespace int_ops;

void check(const IntLayer& L, const IntInputs& in) {
  require(L.h == 1 && L.w == 1, "a linear layer's output is Cx1x1");
  check_weights(L, in[0]->numel());
  check_requant(L, RequantRule::Optional);
}

void bound(IntLayer& L, const IntInputs& in) { bound_weight_layer(L, *in[0]); }

void reference(const IntLayer& L, const IntInputs& in, const IntValues& x, IntTensor& y,
               int64_t n0, int64_t n1) {
  const int64_t fan_in = in[0]->numel();
  std::vector<int32_t> wv(L.weights.size());
  for (size_t i = 0; i < wv.size(); ++i) wv[i] = L.weight_value(static_cast<int64_t>(i));
  for (int64_t n = n0; n < n1; ++n) {
    const int32_t* xs = x[0]->values.data() + n * fan_in;
    for (int64_t o = 0; o < L.c; ++o) {
      const int32_t* w = wv.data() + o * fan_in;
      int64_t acc = L.bias.empty() ? 0 : L.bias[static_cast<size_t>(o)];
      for (int64_t i = 0; i < fan_in; ++i) acc += int64_t{w[i]} * xs[i];
      y.values[static_cast<size_t>(n * L.c + o)] = finish(L, o, acc);
    }
  }
}

}  // namespace

extern const IntOpDef kIntLinearOp{IntOp::IntLinear, "linear", 1, 1, check, bound, reference};

}  // namespace bitshift
