#pragma once
// PoT+LUT (Vandersteegen et al., Electronics 10(22):2823, 2021): weights stored as 4-bit codes
// that a per-layer lookup table turns into non-uniform int8 weights, all rescaling by powers of
// two (bit-shifts), 8-bit activations [paper]. The gitlab code and the paper body were not
// available, so the training rule below is METHODS.md §5's reconstruction [inferred]:
//
// Weights (PotLutWeightQuantizer), per layer:
//   table L ∈ R^K, K = 2^b (16 at the nominal 4 bits), learned as reals; each forward uses
//     L̂ = clip(R(L), −128, 127) with a straight-through gradient to L (also outside the clip,
//     so an entry pushed past the int8 range can come back)                           [inferred]
//   scale s_c = 2^{R(t_c)}, t_c learned, per output channel (one t per layer when the plan asks
//     for per-tensor granularity); autograd through exp2 gives the chain factor s·ln 2 [inferred]
//   code(w) = argmin_j |w/s_c − L̂_j|, ties to the larger entry (half up, as R)        [inferred]
//   w_q = s_c·L̂[code]                                                                 [inferred]
//   gradients: ∂w_q/∂w = 1 inside [min L̂, max L̂]·s_c, 0 outside;
//              ∂L/∂L_j = Σ_{w: code = j} ∂L/∂w_q · s_c (autograd through the gather);
//              ∂w_q/∂s = L̂[code] − w/s inside, L̂[code] outside (LSQ's rule with the
//              codebook value in place of R(w/s)), times s·ln 2 for t.             [inferred]
//   No LSQ gradient scale g on t: ∂L/∂t already carries the factor s (≈ 2^-7), and the
//   table absorbs whatever sub-power-of-two range mismatch t cannot follow.          [inferred]
//   init: t_c = ceil(log2(max|w_c| / 127)) (the smallest power of two with max|w_c|/s_c ≤ 127),
//         L_j = R(127·(2j − (K−1))/(K−1)), the uniform int8 grid                      [inferred]
//
// Activations (PotLutActivationQuantizer): LSQ v̂ = s·R(clip(v/s, −Q_N, Q_P)) with a
//   power-of-two step s = 2^{R(t)}, t learned (Q_P = 2^b − 1 unsigned, 2^(b−1) − 1 signed);
//   t initialised to ceil(log2(max / Q_P)) over all calibration batches, max = max relu(x)
//   (unsigned) or max |x| (signed); no LSQ gradient scale (as for weights)           [inferred]
#include <vector>

#include "quant/quantizer.h"

namespace bitshift {

class PotLutWeightQuantizer : public WeightQuantizer {
 public:
  static constexpr int64_t kTableMin = -128, kTableMax = 127;  // int8 LUT entries

  PotLutWeightQuantizer(int bits, Granularity g);
  void init(const torch::Tensor& w) override;
  torch::Tensor quantize(const torch::Tensor& w) override;
  TraceValues trace() const override;
  IntegerWeights integer_weights(const torch::Tensor& w) const override;

  int64_t entries() const { return int64_t{1} << bits_; }  // K
  // For the integer lowering: code of every weight (int64, w's shape, 0…K−1), the integer table
  // L̂, the exponents R(t_c) (s_c = 2^{exponent}, so the requantizing right shift is −exponent),
  // one per output channel (per-channel) or a single one (per-tensor).
  torch::Tensor codes(const torch::Tensor& w) const;
  std::vector<int64_t> table() const;
  std::vector<int64_t> exponents() const;
  torch::Tensor scales() const;  // 2^{R(t)}, shaped to broadcast over the weight
  torch::Tensor table_parameter() const { return table_; }
  torch::Tensor exponent_parameter() const { return exponent_; }

 private:
  torch::Tensor integer_table() const;  // clip(R(L)) with the STE to L
  torch::Tensor table_;                 // L, K reals
  torch::Tensor exponent_;              // t: [1] or [C_out, 1, …]
};

class PotLutActivationQuantizer : public ActivationQuantizer {
 public:
  PotLutActivationQuantizer(int bits, bool is_signed);
  void observe(const torch::Tensor& pre_activation) override;
  void finish_calibration() override;
  torch::Tensor quantize(const torch::Tensor& x) override;
  torch::Tensor clamp_only(const torch::Tensor& x) override;
  TraceValues trace() const override;
  ActivationGrid grid() const override;

  int64_t qn() const { return signed_ ? int64_t{1} << (bits_ - 1) : 0; }
  int64_t qp() const {
    return signed_ ? (int64_t{1} << (bits_ - 1)) - 1 : (int64_t{1} << bits_) - 1;
  }
  int64_t exponent() const;  // R(t): step = 2^{exponent}
  torch::Tensor exponent_parameter() const { return exponent_; }

 private:
  torch::Tensor exponent_;  // t, learned
  double max_ = 0.0;
  int batches_ = 0;
};

}  // namespace bitshift
