// The one list of integer ops (integer/int_op.h); each op's entry is in integer/ops/<op>.cpp.
#include "integer/int_op.h"

#include <stdexcept>

namespace bitshift {

extern const IntOpDef kIntInputOp, kIntConvOp, kIntLinearOp, kIntMaxPoolOp, kIntSumPoolOp,
    kIntAddOp, kIntConcatOp, kIntLookupOp, kIntMulOp, kIntThresholdOp, kIntAvgPoolOp;

const std::vector<const IntOpDef*>& int_op_table() {
  static const std::vector<const IntOpDef*> ops = {&kIntInputOp,   &kIntConvOp,    &kIntLinearOp,
                                                   &kIntMaxPoolOp, &kIntSumPoolOp, &kIntAddOp,
                                                   &kIntConcatOp,  &kIntLookupOp,  &kIntMulOp,
                                                   &kIntThresholdOp, &kIntAvgPoolOp};
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

void prove_int_ranges(IntegerModel& model) {
  for (size_t i = 1; i < model.layers.size(); ++i) {
    IntLayer& L = model.layers[i];
    try {
      int_op_def(L.op).bound(L, int_inputs(model, L));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("layer '" + L.name + "': " + e.what());
    }
  }
}

void check_int_layer(const IntegerModel& model, size_t i) {
  const IntLayer& L = model.layers.at(i);
  const IntOpDef& def = int_op_def(L.op);
  const auto n = static_cast<int>(L.inputs.size());
  const auto count = [](int k) { return std::to_string(k); };
  if (n < def.min_inputs || n > def.max_inputs)
    throw std::runtime_error(count(n) + " inputs, a " + def.name + " has " + count(def.min_inputs) +
                             (def.max_inputs > def.min_inputs ? ".." + count(def.max_inputs) : ""));
  if ((i == 0) != (L.op == IntOp::IntInput))
    throw std::runtime_error("only layers[0] is the input layer");
  for (int in : L.inputs)
    if (in < 0 || static_cast<size_t>(in) >= i)
      throw std::runtime_error("input " + std::to_string(in) + " is not an earlier layer");
  if (L.op != IntOp::IntConcat && !L.runs.empty())
    throw std::runtime_error(std::string("channel runs on a ") + def.name);
  def.check(L, int_inputs(model, L));
}

}  // namespace bitshift
