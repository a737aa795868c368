#pragma once
// Hutchinson's estimate of the trace of the loss Hessian with respect to each weight layer's
// weights (HAWQ-V2): tr(H) = E[vᵀHv] for Rademacher vectors v, each Hv one double
// backpropagation. Second-order sensitivity: a layer whose weights move by ΔW raises the loss by
// about ½·(tr(H)/n)·‖ΔW‖² (n weights), so no quantized evaluation is needed per bit-width.
#include <cstdint>
#include <map>

#include "data/dataset.h"
#include "graph/graph_module.h"

namespace bitshift {

// tr(H) of the mean cross-entropy on `data` (in batches), per weight layer node, from `samples`
// Rademacher vectors drawn with `seed`. The model must run without quantizers (FP32).
std::map<int, double> hessian_traces(GraphModule model, const Dataset& data,
                                     const Normalization& norm, int samples, uint64_t seed);

}  // namespace bitshift
