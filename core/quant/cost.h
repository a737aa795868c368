#pragma once
// Cost of a quantized network, a pure function of Graph + QuantPlan (no training needed):
// BOPs (UNIQ's formula times output positions), weight memory in bits, MACs.
#include <string>
#include <vector>

#include "graph/graph.h"
#include "quant/plan.h"

namespace bitshift {

struct LayerCost {
  std::string layer;
  int w_bits = 32;      // bits per stored weight
  int mac_w_bits = 32;  // width of the weight operand at the multiplier (8 for LUT layers)
  int a_bits = 32;
  int64_t macs = 0;
  double bops = 0.0;
  int64_t weight_bits = 0;  // weights + bias (+ lookup table) in bits
};

struct ModelCost {
  std::vector<LayerCost> layers;
  double bops = 0.0;
  int64_t weight_bits = 0;
  int64_t macs = 0;
};

// BOPs of one output position of a layer with fan-in n·k² (UNIQ):
// b_a·b_w multiplications' bit-ops plus the accumulator width b_a + b_w + log2(n·k²).
double bops_per_output(int64_t fan_in, int a_bits, int w_bits);

// Per layer and total: the weight layers, then the elementwise Muls of two tensors (one product
// per element at the operands' site bits, the gate's in w_bits; no weights; `macs` 0). Biases count 16 bits on quantized layers (the
// accumulator-scale bias of NICE and of the integer contract) and 32 on FP layers; PoT+LUT layers
// store b-bit codes plus a 2^b-entry int8 table and multiply with 8-bit values.
ModelCost cost(const Graph& graph, const QuantPlan& plan);

// A printable table of the cost, with the FP32 totals for comparison.
std::string cost_table(const ModelCost& cost, const ModelCost& fp32);

}  // namespace bitshift
