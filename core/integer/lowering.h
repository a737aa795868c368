#pragma once
// Lowering: a quantized network (graph + plan + trained quantizers, in evaluation mode) to an
// IntegerModel obeying the arithmetic contract (DESIGN.md). BatchNorm and float biases fold into
// per-channel requantization multipliers and integer biases; ReLU folds into the clamp; average
// pools become sums whose 1/k² joins the reader's multiplier; a residual add requantizes each
// input with its own multiplier; learned thresholds (N2UQ) become multi-threshold layers.
// Weight codes and tables come from the quantizers themselves.
#include <torch/types.h>

#include "data/dataset.h"
#include "integer/integer_model.h"
#include "quant/quantized_network.h"

namespace bitshift {

// Throws Error naming the layer and what is expected when the network cannot be lowered
// exactly: a full-precision layer, an activation without an integer form, a tensor the plan
// leaves in floating point between integer layers, or an int32 accumulator bound exceeded.
IntegerModel lower(const QuantizedNetwork& net);

// The integer input values of a batch of (normalised) float images [N, C, H, W]: exactly the
// codes the simulation's input quantizer produces.
IntTensor integer_input(const QuantizedNetwork& net, const IntegerModel& model,
                        const torch::Tensor& images);

// The input code of every 8-bit pixel value per channel, through `norm` and the network's input
// quantizer: the table a deployer feeding raw pixels looks codes up in.
PixelCodes pixel_codes(const QuantizedNetwork& net, const IntegerModel& model,
                       const Normalization& norm);

}  // namespace bitshift
