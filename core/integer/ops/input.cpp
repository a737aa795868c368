// input: the network's integer input values, written by the host (from pixels through the
// bundle's input_pixels table, or from golden vectors). Layer 0 and only layer 0.
#include "integer/ops/op_common.h"

namespace bitshift {
namespace {

using namespace int_ops;

void check(const IntLayer& L, const IntInputs&) {
  check_no_weights(L);
  check_requant(L, RequantRule::Never);
  require(L.min_value <= L.max_value && L.min_value >= -kMaxAccumulator &&
              L.max_value <= kMaxAccumulator,
          "input range [" + str(L.min_value) + ", " + str(L.max_value) +
              "] is empty or beyond int32");
}

void bound(IntLayer&, const IntInputs&) {}  // the input's range is given, not derived

void reference(const IntLayer& L, const IntInputs&, const IntValues&, IntTensor&, int64_t, int64_t) {
  throw std::runtime_error("layer '" + L.name + "': a second input layer");
}

}  // namespace

extern const IntOpDef kIntInputOp{IntOp::IntInput, "input", 0, 0, check, bound, reference};

}  // namespace bitshift
