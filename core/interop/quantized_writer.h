#pragma once
// What the QDQ and QONNX writers share (private to core/interop): the simulation's quantizers
// read as integer codes, the walk over weights, biases and activation sites, and the file's
// metadata. Each format says how codes become nodes.
#include <onnx/onnx_pb.h>

#include <functional>
#include <string>

#include "interop/onnx_writer.h"
#include "interop/quantized_export.h"

namespace bitshift::interop_detail {

// A weight layer's quantized weights: value·scale[c], value an integer (a table's entry where the
// method has one); `real`: no integer grid (UNIQ's quantiles), `dequantized` holds the weights.
struct WeightCodes {
  torch::Tensor values;  // int64, the weight's shape
  torch::Tensor scale;   // float32 [1] or [C_out]
  int64_t lo = 0, hi = 0;
  bool table = false;  // the codes index a table (non-uniform or offset levels)
  bool real = false;
  torch::Tensor dequantized;
};

// An activation site's levels as a range of integer codes: value = code·step − shift, code in
// [lo, hi]. Odd grids (UniQ's and DoReFa's signed inputs: levels lo, lo + 2, ..., hi) become
// codes of twice the step shifted by half the range.
struct SiteCodes {
  double step = 1.0, shift = 0.0;
  int64_t lo = 0, hi = 0;
};

class QuantizedWriter : public OnnxWriter {
 public:
  // `batch`: the model's fixed batch size, or 0 for any.
  QuantizedWriter(QuantizedNetwork& net, int64_t opset, std::string format, int64_t batch = 0);

  // Writes the model to `path` (metadata: normalization, methods) and returns what it wrote.
  QuantizedExport write_file(const Normalization& norm, const std::string& path,
                             const std::string& doc);

 protected:
  // The format's nodes: weights from their codes (returns the tensor the layer reads), an
  // activation site `x` onto its codes (returns the quantized value), learned thresholds.
  virtual std::string weight_nodes(int layer, const WeightCodes& codes, int bits) = 0;
  virtual std::string site_nodes(int layer, const std::string& x, const SiteCodes& codes,
                                 int bits) = 0;
  virtual std::string threshold_nodes(int layer, const std::string& x,
                                      const ActivationGrid& grid) = 0;
  // Called once the model is written: the format's own additions (value_info, ...).
  virtual void finish(onnx::ModelProto& model) {}
  // A quantized layer whose weights had to be written in float (real-valued levels).
  virtual void float_weights_written(int layer, const std::string& why) {}

  std::string write_weight(int layer, const torch::Tensor& w) override;
  std::string write_bias(int layer, const torch::Tensor& b) override;
  std::string after_output(int layer, const std::string& out) override;

  QuantizedNetwork& net_;
  QuantizedExport result_;
  int64_t batch_;

 private:
  void require_hard(int layer, QuantState s, const char* what) const;
};

// Scalars and vectors as initializer tensors.
inline torch::Tensor scalar(double v) { return torch::tensor(static_cast<float>(v)); }

}  // namespace bitshift::interop_detail
