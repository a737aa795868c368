#pragma once
// PACT (Choi et al. 2018): activations clipped to [0, α] with a learned α (init 10, gradient 1
// where x ≥ α), quantized uniformly; weights with a per-tensor max-abs symmetric scale.
#include "quant/quantizer.h"

namespace bitshift {

class MaxAbsWeightQuantizer : public WeightQuantizer {
 public:
  MaxAbsWeightQuantizer(int bits, Granularity g) : WeightQuantizer(bits, g) {}
  void init(const torch::Tensor& w) override {}
  torch::Tensor quantize(const torch::Tensor& w) override;
  TraceValues trace() const override { return {{"max", last_max_}}; }
  IntegerWeights integer_weights(const torch::Tensor& w) const override;

 private:
  double last_max_ = 0.0;
};

class PactActivationQuantizer : public ActivationQuantizer {
 public:
  static constexpr double kInitialAlpha = 10.0;
  PactActivationQuantizer(int bits, bool is_signed);
  torch::Tensor quantize(const torch::Tensor& x) override;
  TraceValues trace() const override { return {{"alpha", alpha_.item<double>()}}; }
  ActivationGrid grid() const override;
  torch::Tensor alpha_parameter() const { return alpha_; }

 private:
  torch::Tensor alpha_;
};

}  // namespace bitshift
