#pragma once
// Min/max post-training quantization: weight scales from max|w| (per tensor or channel),
// activation ranges from the min/max seen over the calibration batches; no training.
#include "quant/quantizer.h"

namespace bitshift {

class MinMaxActivationQuantizer : public ActivationQuantizer {
 public:
  MinMaxActivationQuantizer(int bits, bool is_signed);
  void observe(const torch::Tensor& pre_activation) override;
  torch::Tensor quantize(const torch::Tensor& x) override;
  TraceValues trace() const override { return {{"max", range_.item<double>()}}; }
  ActivationGrid grid() const override;

 private:
  torch::Tensor range_;  // max|x| (signed) or max(relu(x)) seen in calibration
};

}  // namespace bitshift
