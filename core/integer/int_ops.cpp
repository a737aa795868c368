// The one list of integer ops (integer/int_op.h); each op's entry is in integer/ops/<op>.cpp.
#include "integer/int_op.h"

#include <stdexcept>

namespace bitshift {

extern const IntOpDef kIntInputOp, kIntConvOp, kIntLinearOp, kIntMaxPoolOp, kIntSumPoolOp,
    kIntAddOp;

const std::vector<const IntOpDef*>& int_op_table() {
  static const std::vector<const IntOpDef*> ops = {&kIntInputOp,   &kIntConvOp,    &kIntLinearOp,
                                                   &kIntMaxPoolOp, &kIntSumPoolOp, &kIntAddOp};
  return ops;
}

const IntOpDef& int_op_def(IntOp op) {
  for (const IntOpDef* d : int_op_table())
    if (d->op == op) return *d;
  throw std::logic_error("integer op " + std::to_string(static_cast<int>(op)) + " has no entry");
}

const IntOpDef* find_int_op(const std::string& name) {
  for (const IntOpDef* d : int_op_table())
    if (name == d->name) return d;
  return nullptr;
}

}  // namespace bitshift
