#pragma once
// A quantized network written for other tools, in the two forms they read:
// - QDQ ONNX (opset 13), what ONNX Runtime runs: weights are their integer codes (int8, or
//   int32 where a table's values do not fit) through DequantizeLinear, per channel on axis 0
//   where the method scales per channel; each activation site is QuantizeLinear -> Clip to its
//   b-bit codes (when narrower than the 8-bit type, as Brevitas' QCDQ writes it) ->
//   DequantizeLinear.
// - QONNX (opset 11 plus the domain qonnx.custom_op.general), what FINN and hls4ml read: Quant
//   nodes (scale, zero point, bit width; signed, narrow, rounding mode) on weights and
//   activations, BipolarQuant for binary weights, MultiThreshold for N2UQ's learned thresholds,
//   value_info for every tensor.
// In both, BatchNorm stays a float op after the quantized convolution, where the simulation
// computes it; full-precision layers stay float; the model reads the normalized image (mean
// and std in its metadata). Written atomically, creating the file's folder where missing.
#include <string>
#include <vector>

#include "data/dataset.h"
#include "quant/quantized_network.h"

namespace bitshift {

struct QuantizedExport {
  std::string format;  // "qdq" or "qonnx"
  std::string path;
  int64_t weight_layers = 0;       // weights written as integer codes
  int64_t float_weights = 0;       // FP32 layers and real-valued levels, written as float
  int64_t activation_sites = 0;    // quantized activations
  std::vector<std::string> notes;  // where the file departs from the plain form, per layer
  // QONNX: what a FINN flow would refuse, per layer, and why (its import constraints).
  std::vector<std::string> finn_rejects;
};

// Throws Error naming the layer whose quantizer has no QDQ form: activations wider than 8 bits,
// N2UQ's learned thresholds, quantizers not yet hard.
QuantizedExport write_qdq(QuantizedNetwork& net, const Normalization& norm,
                          const std::string& path);

// Throws Error naming the layer whose quantizer has no QONNX form (levels that are no b-bit
// range) or is not yet hard.
QuantizedExport write_qonnx(QuantizedNetwork& net, const Normalization& norm,
                            const std::string& path);

// A quantized checkpoint file (bitshift-cli quantize --out) written as `format` ("qdq" or
// "qonnx") to `path`, its input fitted as `data` is (the CLI's and the studio's export). Throws
// Error naming the file when it is an FP32 checkpoint.
QuantizedExport export_checkpoint(const std::string& checkpoint, const std::string& data,
                                  const std::string& format, const std::string& path);

}  // namespace bitshift
