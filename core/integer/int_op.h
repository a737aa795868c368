#pragma once
// The integer ops, one entry each (ncnn's layer registry, for the integer side): how many inputs
// an op reads, the structure checks of its layer, its proven output range (the int32
// accumulator bound) and its reference arithmetic. Every op's entry lives in its own file under
// integer/ops/; int_ops.cpp lists them. The reference executor, the bound proof, the bundle
// reader, the OpenCL runtime and the estimator look ops up here instead of switching over IntOp.
// Std only: export bundles ship it (and integer/ops/) in their standalone host program.
#include <cstdint>
#include <string>
#include <vector>

#include "integer/integer_model.h"

namespace bitshift {

// A layer's inputs in the order of IntLayer::inputs.
using IntInputs = std::vector<const IntLayer*>;
using IntValues = std::vector<const IntTensor*>;

struct IntOpDef {
  IntOp op;
  const char* name;            // network.json's "op"
  int min_inputs, max_inputs;  // input layers it reads
  // Throws std::runtime_error (the message does not name the layer; callers add it) when the
  // layer's fields do not fit its inputs: output shape, window, array lengths, weight codes,
  // requantization vectors and the contract's ranges.
  void (*check)(const IntLayer& L, const IntInputs& in);
  // Sets L.min_value/max_value from the inputs' proven ranges and the layer's own data; throws
  // std::runtime_error when an int32 accumulator or sum could overflow.
  void (*bound)(IntLayer& L, const IntInputs& in);
  // Computes samples [n0, n1) of y ([n][c][h][w], already sized) from the inputs' values.
  void (*reference)(const IntLayer& L, const IntInputs& in, const IntValues& x, IntTensor& y,
                    int64_t n0, int64_t n1);
};

// The op's entry; every IntOp has one.
const IntOpDef& int_op_def(IntOp op);
// The op named `name` in network.json, or nullptr.
const IntOpDef* find_int_op(const std::string& name);
// Every op, in IntOp order.
const std::vector<const IntOpDef*>& int_op_table();

inline const char* int_op_name(IntOp op) { return int_op_def(op).name; }

// Layer i's structure: its input count for its op, inputs that are earlier layers, only layer 0
// an input layer, then the op's own check. Throws std::runtime_error without the layer's name.
void check_int_layer(const IntegerModel& model, size_t i);

// Every layer's proven output range (min_value, max_value) from the input layer's range, each
// op's bound and the actual weights; throws std::runtime_error "layer 'x': ..." when an int32
// accumulator or sum could overflow. Executors rely on these ranges (the pair conv path).
void prove_int_ranges(IntegerModel& model);

// A mul whose second input `b` is one value a channel, broadcast over the layer's plane.
inline bool mul_broadcasts(const IntLayer& mul, const IntLayer& b) {
  return b.h * b.w == 1 && mul.h * mul.w > 1;
}

// The layer's inputs as pointers into the model (indices already checked to be earlier layers).
inline IntInputs int_inputs(const IntegerModel& model, const IntLayer& L) {
  IntInputs in;
  for (int i : L.inputs) in.push_back(&model.layers.at(static_cast<size_t>(i)));
  return in;
}

}  // namespace bitshift
