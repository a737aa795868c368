#pragma once
// N2UQ (Liu et al., "Nonuniform-to-Uniform Quantization: Towards Accurate Quantization via
// Generalized Straight-Through Estimation", CVPR 2022): learned non-uniform input thresholds,
// uniform output levels, and the G-STE backward. METHODS.md §4; official code
// github.com/liuzechun/Nonuniform-to-Uniform-Quantization resnet/resnet.py (LTQ, HardQuantizeConv).
//
// Activations, "LTQ", per tensor [code]:
//   n = 2^b − 1 output steps of Δ = 2.0/n; learned start, interval lengths a_1..a_n (init Δ,
//   used as a⁺_i = max(a_i, 1e-3), no gradient when a_i ≤ 1e-3), scale1, scale2.
//   u = scale1·x,  B_i = start + Σ_{j≤i} a⁺_j,  thresholds T_i = B_{i−1} + a⁺_i/2 (midpoints)
//   forward  y = Δ·#{i : u ≥ T_i},  output scale2·y
//   G-STE    f(u) = 0 (u ≤ start), (Δ/a⁺_i)(u − B_{i−1}) + (i−1)Δ on (B_{i−1}, B_i], 2.0 (u > B_n)
//            out = scale2·(y.detach() + f − f.detach()): ∂out/∂u = scale2·Δ/a⁺_i in segment i
//   Ties: the code counts u > T_i; y = Δ·R(f(u)/Δ) with R half up (METHODS §4.2, rounding.h) puts
//   u exactly on T_i on the upper level, so we count u ≥ T_i [inferred; measure-zero change].
//   Signed sites [inferred; the code has none, its LTQ input comes after an RPReLU and start is
//   free to go negative]: the output is shifted back by the learned start rounded to a whole
//   output step, out = scale2·(y + Δ·R(start/Δ)) (with the G-STE term, and a straight-through
//   gradient to start), so the levels scale2·Δ·(k + R(start/Δ)) follow the input's sign and
//   zero is always a level: the codes k + R(start/Δ) are integers with real zero at code 0, so
//   zero padding stays exact in integers. start starts at −1: u ∈ [−1, 1] maps onto the full
//   range. Unsigned sites: out = scale2·y, start 0.
//   Integer form: grid() gives the levels scale2·Δ·v, v = R(start/Δ) + #{i : x ≥ T_i/scale1},
//   whose thresholds the lowering turns into integer thresholds on the accumulator (FINN's
//   MultiThreshold); it needs scale1 > 0 and scale2 > 0.
//   Init [inferred; the code has no calibration, scale1 = scale2 = 1]: if calibration batches
//   are observed, hi (and for signed sites lo) = the mean over batches of the 99.9% (0.1%)
//   quantile of relu(x) (of x); scale1 = 2/(hi − lo) so [lo, hi] maps onto [start, start + 2],
//   start = lo·scale1 (signed), scale2 = 1/scale1 so the quantizer starts as ≈ identity.
//   Without calibration the code's defaults stay.
// Weights, per output channel [code]:
//   S_c = γ_b·mean_c|w| (detached), γ_b = (2^b − 1)/2^(b−1); C = 2.0 (a constant: the code's
//   clip_val parameter receives no gradient)
//   w_q = S_c·[R((clip(w/S_c, −C/2, C/2) + C/2)·(2^b − 1)/C)·C/(2^b − 1) − C/2]
//   levels S_c·(−1 + 2k/(2^b − 1)), k = 0…2^b − 1 (2 bit: ±S/3, ±S; 1 bit: ±S)
//   backward: value w_q, gradient of w/S_c: ∂L/∂w = (∂L/∂w_q)/S_c, no clipping mask
//   Always per output channel, whatever the plan's granularity (the code has no other mode);
//   a 1-D tensor is one channel. R is round half up (rounding.h), not torch.round.
#include "quant/quantizer.h"

namespace bitshift {

class N2uqActivationQuantizer : public ActivationQuantizer {
 public:
  static constexpr double kOutputRange = 2.0;            // "init_range": n·Δ [code]
  static constexpr double kMinInterval = 1e-3;           // floor of a⁺ [code]
  static constexpr double kCalibrationQuantile = 0.999;  // [inferred]

  N2uqActivationQuantizer(int bits, bool is_signed);
  void observe(const torch::Tensor& pre_activation) override;
  void finish_calibration() override;
  torch::Tensor quantize(const torch::Tensor& x) override;
  TraceValues trace() const override;
  ActivationGrid grid() const override;
  // The learned start may move below zero, where relu(x) and x differ: keep the ReLU.
  bool subsumes_relu() const override { return false; }

  int64_t intervals() const { return (int64_t{1} << bits_) - 1; }                         // n
  double output_step() const { return kOutputRange / static_cast<double>(intervals()); }  // Δ
  // R(start/Δ) at signed sites (the code of the lowest level), 0 at unsigned sites.
  int64_t first_level() const;
  torch::Tensor start_parameter() const { return start_; }
  torch::Tensor interval_parameter() const { return a_; }
  torch::Tensor scale1_parameter() const { return scale1_; }
  torch::Tensor scale2_parameter() const { return scale2_; }

 private:
  // a⁺_1..a⁺_n, the boundaries B_0..B_n and the midpoint thresholds T_1..T_n (in units of u).
  struct Intervals {
    torch::Tensor a_pos, bounds, thresholds;
  };
  Intervals intervals_now() const;

  torch::Tensor start_, a_, scale1_, scale2_;
  double lo_sum_ = 0.0, hi_sum_ = 0.0;
  int batches_ = 0;
};

class N2uqWeightQuantizer : public WeightQuantizer {
 public:
  static constexpr double kClip = 2.0;  // C, "clip_val" [code]

  N2uqWeightQuantizer(int bits, Granularity g);
  void init(const torch::Tensor& w) override;  // nothing to learn: records S for trace()
  torch::Tensor quantize(const torch::Tensor& w) override;
  TraceValues trace() const override;
  IntegerWeights integer_weights(const torch::Tensor& w) const override;

  double gamma() const;  // γ_b
  // S_c = γ_b·mean_c|w|, shaped [C_out, 1, …] ([1] for a 1-D tensor), detached.
  torch::Tensor channel_scale(const torch::Tensor& w) const;

 private:
  torch::Tensor last_scale_;  // S_c of the last init()/quantize(), for trace()
};

}  // namespace bitshift
