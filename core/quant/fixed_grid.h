#pragma once
// Fixed grids (method "fixed"): the scales and levels of a model quantized elsewhere, read from
// its file (QDQ or QONNX, import/quantized_import.h), frozen. Nothing is learned or calibrated:
// a fixed grid only ever comes from a file, and init() says so.
// Scales are float32, the precision every file format and the integer contract hold them in.
#include <vector>

#include "quant/quantizer.h"

namespace bitshift {

// Weights: scale[c]·v, v an integer in [lo, hi], or table[k] when the file's values are fewer
// levels than their range (offset or non-uniform grids, binary ±1).
class FixedWeightQuantizer : public WeightQuantizer {
 public:
  FixedWeightQuantizer(int bits, Granularity g);
  // `scale`: [1] or [C_out]; `table`: ascending values the codes index, empty for plain codes.
  void set_grid(const torch::Tensor& scale, int64_t lo, int64_t hi, std::vector<int64_t> table);
  void init(const torch::Tensor& w) override;
  torch::Tensor quantize(const torch::Tensor& w) override;
  TraceValues trace() const override;
  IntegerWeights integer_weights(const torch::Tensor& w) const override;

 private:
  torch::Tensor broadcast_scale(const torch::Tensor& w) const;
  torch::Tensor scale_;  // float32 [1] or [C_out]
  torch::Tensor range_;  // int64 {lo, hi}: of the values, or of the table's indices
  torch::Tensor table_;  // int64 [n] ascending, or [0]
};

// Activations: scale·clamp(R(x/scale), lo, hi), rounding half up like every Bitshift grid; with
// stride 2 the odd levels lo, lo + 2, ..., hi (UniQ's and DoReFa's signed inputs, not affine);
// with thresholds (ascending, hi − lo of them) the level lo + #{t <= x} (N2UQ's MultiThreshold).
class FixedActivationQuantizer : public ActivationQuantizer {
 public:
  FixedActivationQuantizer(int bits, bool is_signed);
  void set_grid(double scale, int64_t lo, int64_t hi, int64_t stride = 1,
                std::vector<double> thresholds = {});
  void finish_calibration() override;
  torch::Tensor quantize(const torch::Tensor& x) override;
  TraceValues trace() const override;
  ActivationGrid grid() const override;
  bool subsumes_relu() const override;

 private:
  torch::Tensor scale_;       // float32 [1]; 0 until set
  torch::Tensor range_;       // int64 {lo, hi, stride}
  torch::Tensor thresholds_;  // float32 [hi − lo], or [0]
};

}  // namespace bitshift
