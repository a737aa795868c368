#pragma once
// NICE (Baskin, Liss et al.): symmetric weight clamp c_w = |mean ± 3.45·std| with 2^(b−1)−1
// levels a side, training noise U(−Δ/2, Δ/2) on a Bernoulli(0.05) mask of the weights; learned
// activation clamp c_a (clamped ReLU) initialised to mean + 5·std of the pre-activation.
#include "quant/quantizer.h"

namespace bitshift {

class NiceWeightQuantizer : public WeightQuantizer {
 public:
  static constexpr double kStdCutoff = 3.45;   // k_w of the released code
  static constexpr double kNoiseProbability = 0.05;

  NiceWeightQuantizer(int bits, Granularity g);
  void init(const torch::Tensor& w) override;
  torch::Tensor quantize(const torch::Tensor& w) override;
  torch::Tensor noisy(const torch::Tensor& w) override;
  TraceValues trace() const override;
  IntegerWeights integer_weights(const torch::Tensor& w) const override;

  double clamp() const { return clamp_.item<double>(); }
  double step() const { return clamp() / levels(); }
  // Δ_w as a tensor: [1], or [C_out] for a per-channel clamp.
  torch::Tensor step_tensor() const { return (clamp_ / static_cast<double>(levels())).reshape({-1}); }
  int64_t levels() const { return (int64_t{1} << (bits_ - 1)) - 1; }  // M_w

 private:
  torch::Tensor clamp_;  // c_w, a buffer: the released code does not learn it
};

class NiceActivationClamp : public ActivationQuantizer {
 public:
  static constexpr double kStdCutoff = 5.0;  // k_a
  static constexpr double kMomentum = 0.9;   // EMA of the calibration statistics

  NiceActivationClamp(int bits, bool is_signed);
  void observe(const torch::Tensor& pre_activation) override;
  void finish_calibration() override;
  torch::Tensor quantize(const torch::Tensor& x) override;
  torch::Tensor clamp_only(const torch::Tensor& x) override;
  TraceValues trace() const override;
  ActivationGrid grid() const override;

  torch::Tensor clamp_parameter() const { return clamp_; }

 private:
  torch::Tensor clamped(const torch::Tensor& x) const;
  torch::Tensor clamp_;  // c_a, learned
  double mean_ = 0.0, std_ = 0.0;
  bool seen_ = false;
};

// NICE's 16-bit bias [code, METHODS §1.6]: on the accumulator grid Δ_b = Δ_a·Δ_w, clamped to
// ±(2^15 − 1)·Δ_b, half-up rounding, straight-through gradient. `accumulator_step` is [1] or
// [C_out]. The released code takes Δ_a as the largest c_a over all layers; here it is the
// layer's own input step, which is what the integer accumulator of that layer holds exactly
// (a layer reading through an average pool accumulates the pool's sum, a grid k² finer, on
// which this bias is still exact).
constexpr int kNiceBiasBits = 16;
torch::Tensor nice_quantize_bias(const torch::Tensor& b, const torch::Tensor& accumulator_step);

}  // namespace bitshift
