// lookup: a function of one value (sigmoid, hard-sigmoid, hard-swish, SiLU, leaky ReLU) as a
// table of output codes with one entry per value the input is proven to take:
// y = table[x − input.min_value]. The lowering fills it by running every input code through the
// simulation's own input quantizer, function and output quantizer.
#include "integer/ops/op_common.h"

namespace bitshift {
namespace {

using namespace int_ops;

constexpr int64_t kMaxEntries = int64_t{1} << 16;

void check(const IntLayer& L, const IntInputs& in) {
  const IntLayer& x = *in[0];
  require(L.c == x.c && L.h == x.h && L.w == x.w,
          "a lookup keeps its input's shape " + str(x.c) + "x" + str(x.h) + "x" + str(x.w));
  const int64_t entries = x.max_value - x.min_value + 1;
  require(entries >= 1 && entries <= kMaxEntries,
          "the input takes " + str(entries) + " values; a table has 1.." + str(kMaxEntries));
  require(static_cast<int64_t>(L.table.size()) == entries,
          "a table of " + str(static_cast<int64_t>(L.table.size())) + " entries for the " +
              str(entries) + " input values [" + str(x.min_value) + ", " + str(x.max_value) + "]");
  require(L.weights.empty() && L.bias.empty(), "a lookup has no weights or bias");
  check_requant(L, RequantRule::Never);
}

void bound(IntLayer& L, const IntInputs&) {
  const auto mm = std::minmax_element(L.table.begin(), L.table.end());
  L.min_value = *mm.first, L.max_value = *mm.second;
}

void reference(const IntLayer& L, const IntInputs& in, const IntValues& x, IntTensor& y,
               int64_t n0, int64_t n1) {
  const int64_t lo = in[0]->min_value;
  for (int64_t i = n0 * L.numel(); i < n1 * L.numel(); ++i) {
    const auto j = static_cast<size_t>(i);
    y.values[j] = L.table[static_cast<size_t>(x[0]->values[j] - lo)];
  }
}

}  // namespace

extern const IntOpDef kIntLookupOp{IntOp::IntLookup, "lookup", 1, 1, check, bound, reference};

}  // namespace bitshift
