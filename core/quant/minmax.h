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
  TraceValues trace() const override;
  ActivationGrid grid() const override;
  void split_levels_around_zero() override;

 private:
  // Symmetric grid: the codes ±(2^(b−1) − 1) (signed) or 0…2^b − 1 on step range/levels.
  // Split: all 2^b codes −k…2^b − 1 − k, the lowest on the smallest value seen.
  struct Levels {
    double step;
    int64_t lo, hi;
  };
  Levels levels() const;

  // [1]: max|x| (signed) or max(relu(x)) seen in calibration; [2] (levels split around zero):
  // min(x) and max(x). Checkpoints hold it at the shape it had when saved.
  torch::Tensor range_;
};

}  // namespace bitshift
