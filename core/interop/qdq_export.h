#pragma once
// QDQ ONNX export: the fake-quantized network as standard ONNX (opset 13), the form ONNX
// Runtime, TensorRT and OpenVINO read. Weights are their integer codes (int8, or int32 where a
// table's values do not fit) through DequantizeLinear, per channel on axis 0 where the method
// scales per channel; each activation site is QuantizeLinear -> Clip to its b-bit codes (when
// narrower than the 8-bit type, as Brevitas' QCDQ writes it) -> DequantizeLinear. BatchNorm
// stays a float op after the quantized convolution, where the simulation computes it.
#include <string>
#include <vector>

#include "data/dataset.h"
#include "quant/quantized_network.h"

namespace bitshift {

struct QdqExport {
  std::string path;
  int64_t weight_layers = 0;       // weights written as DequantizeLinear of codes
  int64_t float_weights = 0;       // FP32 layers and real-valued levels, written as float
  int64_t activation_sites = 0;    // QuantizeLinear/DequantizeLinear pairs
  std::vector<std::string> notes;  // where the file is not the plain form above, and why
};

// Writes `net` (evaluation mode, every quantizer hard) to `path` atomically, creating its folder
// where missing. The model reads the
// normalized image (mean and std in its metadata). Throws Error naming the layer whose
// quantizer has no QDQ form: activations wider than 8 bits, N2UQ's learned thresholds, UniQ's
// odd input levels, quantizers not yet hard.
QdqExport write_qdq(QuantizedNetwork& net, const Normalization& norm, const std::string& path);

}  // namespace bitshift
