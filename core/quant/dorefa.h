#pragma once
// DoReFa (Zhou et al. 2016): quantize_k(r) = R((2^k−1)·r)/(2^k−1); weights
// 2·quantize_k(tanh w / (2·max|tanh w|) + ½) − 1; activations quantize_k(clip(x, 0, 1)).
#include "quant/quantizer.h"

namespace bitshift {

class DorefaWeightQuantizer : public WeightQuantizer {
 public:
  using WeightQuantizer::WeightQuantizer;
  void init(const torch::Tensor& w) override {}
  torch::Tensor quantize(const torch::Tensor& w) override;
  TraceValues trace() const override { return {}; }
  IntegerWeights integer_weights(const torch::Tensor& w) const override;
};

class DorefaActivationQuantizer : public ActivationQuantizer {
 public:
  using ActivationQuantizer::ActivationQuantizer;
  torch::Tensor quantize(const torch::Tensor& x) override;
  TraceValues trace() const override { return {}; }
  ActivationGrid grid() const override;
};

}  // namespace bitshift
