#pragma once
// UniQ (Pham, Abraham, Chung, "Training Multi-bit Quantized and Binarized Networks with a
// Learnable Symmetric Quantizer", IEEE Access 9:47194, 2021): a learned-step symmetric quantizer
// without a zero level, so that b = 1 is binarization. METHODS.md §3; official code
// github.com/phuocphn/uniq quantizer/uniq.py.
//
// Weights, N = 2^b − 1 [code]:
//   w_q = s·R(clip(w/s + N/2, 0, N)) − s·N/2     levels ±s/2, ±3s/2, …, ±N·s/2 (b = 1: ±s/2)
//   (the clip is applied before rounding as in the code; METHODS writes clip(R(·)), which gives
//   the same values and the step gradient of §3.2 only with the clip first)
//   ∂w_q/∂s = (w_q − w)/s inside |w| ≤ N·s/2, −N/2 below, +N/2 above, times
//   g = 1/sqrt(numel·max(2^(b−1) − 1, 1)), numel/C_out per channel [code]
//   init s = std(w)·δ_b (unbiased std, per output channel in per-channel mode) [code]
// Activations (unsigned sites) [code]:
//   x_q = s·R(clip(x/s, 0, 2^b − 1)),   g = 1/sqrt(numel(x)·(2^b − 1)), numel includes the batch
//   init s = max over calibration batches of sqrt(2·mean(relu(x)²))·δ⁺_b; observe() gets the
//   pre-ReLU tensor of ReLU sites, so the ReLU is applied there (the code measures the
//   quantizer's post-ReLU input).
// Signed activation sites (the network input, BN outputs without ReLU) use the weight-style
// symmetric quantizer at the same bits, per tensor, as the code does for the first layer's
// input [code]; its g uses numel(x) with the batch. Init: s = max over calibration batches of
// std(x)·δ_b [inferred: the code copies the last batch's value; max matches the unsigned rule].
// R is round half up everywhere (rounding.h), not the code's half-to-even torch.round.
#include "quant/quantizer.h"

namespace bitshift {

// δ_b of METHODS §3.3: the MSE-optimal uniform step for N(0, 1) with 2^b levels (Max's table),
// and δ⁺_b the same for the half-Gaussian [code, b = 1…9]. For b > 9 (activations up to 16 bit)
// δ_b = δ_9·2^(9−b), i.e. the 9-bit clip range is kept [inferred].
double uniq_gaussian_step(int bits);
double uniq_half_gaussian_step(int bits);

class UniqWeightQuantizer : public WeightQuantizer {
 public:
  UniqWeightQuantizer(int bits, Granularity g);
  void init(const torch::Tensor& w) override;
  torch::Tensor quantize(const torch::Tensor& w) override;
  TraceValues trace() const override;
  IntegerWeights integer_weights(const torch::Tensor& w) const override;
  torch::Tensor step_parameter() const { return step_; }
  int64_t levels() const { return (int64_t{1} << bits_) - 1; }  // N

 private:
  torch::Tensor step_;  // [1], or [C_out, 1, …] per channel after init()
};

class UniqActivationQuantizer : public ActivationQuantizer {
 public:
  UniqActivationQuantizer(int bits, bool is_signed);
  void observe(const torch::Tensor& pre_activation) override;
  void finish_calibration() override;
  torch::Tensor quantize(const torch::Tensor& x) override;
  TraceValues trace() const override;
  ActivationGrid grid() const override;
  torch::Tensor step_parameter() const { return step_; }
  int64_t levels() const { return (int64_t{1} << bits_) - 1; }  // 2^b − 1 (unsigned top, or N)

 private:
  torch::Tensor step_;
  double max_init_ = 0.0;  // running max over calibration batches of the per-batch step
  int batches_ = 0;
};

// s·R(clip(v/s + N/2, 0, N)) − s·N/2 with s's gradient scaled by g: the symmetric forward shared
// by the weight quantizer and signed activation sites. s broadcasts against v.
torch::Tensor uniq_symmetric_quantize(const torch::Tensor& v, const torch::Tensor& s, double g,
                                      int64_t levels);

}  // namespace bitshift
