#pragma once
// Quantized checkpoints: an FP32 checkpoint (the shadow weights) plus every quantizer's learned
// tensors under "quant.<module>.<name>" and the plan in meta["plan"]; loading rebuilds the
// QuantizedNetwork exactly (same plan, same clamps/steps/tables, every quantizer hard).
#include <string>

#include "quant/quantized_network.h"
#include "train/checkpoint.h"

namespace bitshift {

// Adds the quantizers' tensors and the plan to a checkpoint of `net.model`.
void add_quantizers(Checkpoint& checkpoint, const QuantizedNetwork& net);

Checkpoint make_quantized_checkpoint(const QuantizedNetwork& net, const Normalization& norm,
                                     const std::string& dataset,
                                     nlohmann::json meta = nlohmann::json::object());

// Whether a checkpoint holds a quantized network (it has a plan).
bool is_quantized(const Checkpoint& checkpoint);

// Throws Error naming `origin` and the missing or mismatched tensor.
QuantizedNetwork load_quantized(const Checkpoint& checkpoint, const std::string& origin);

// The checkpoint's quantizer tensors into `net`'s quantizers (states untouched); throws Error
// naming `origin` when its plan is not net's or a tensor is missing.
void restore_quantizers(QuantizedNetwork& net, const Checkpoint& checkpoint, const std::string& origin);

}  // namespace bitshift
