#pragma once
// UNIQ (Baskin et al., arXiv 1804.10969): a non-uniform k-quantile weight quantizer trained
// with uniform noise in the uniformized (CDF) domain. METHODS.md §2.
//
// Per weight tensor, model w ~ N(μ, σ), μ and σ measured once in init() (σ ≥ 1e-5) [code].
// F(w) = ½(1 + erf((w − μ)/(σ√2))), F⁻¹(u) = μ + σ√2·erfinv(2u − 1) [code]; k = 2^b bins of
// equal Gaussian mass.
//   thresholds t_i = F⁻¹(i/k), i = 1…k−1                                   [code]
//   levels     q_i = F⁻¹((i + ½)/k), i = 0…k−1 (the bins' medians)          [code]
//   quantize:  u_q = (floor(F(w)·k) + ½)/k clipped to [1/(2k), 1 − 1/(2k)],
//              w_q = F⁻¹(u_q), straight-through gradient to w               [code]
//   noisy:     w̃ = F⁻¹(clip(F(w) + e, ε, 1 − ε)), e ~ U(−1/(2k), 1/(2k)), ε = 1e-5, on every
//              element (no Bernoulli mask: that is NICE's), straight-through to w [code]
// quantize() finds the bin by comparing w with the thresholds in the weight domain (the same
// bins as floor(F(w)·k), with w exactly on t_i going to the upper bin as floor does) and reads
// the level from a table computed in double precision: no float CDF round trip in the hard path.
// The quantizer is per tensor whatever the plan's granularity (the released code models each
// parameter tensor as one Gaussian). Activations: the factory pairs UNIQ weights with the
// uniform NiceActivationClamp (METHODS §2.3 recommends uniform activations [inferred]).
#include <vector>

#include "quant/quantizer.h"

namespace bitshift {

class KQuantileQuantizer : public WeightQuantizer {
 public:
  static constexpr double kMinStd = 1e-5;       // σ floor [code]
  static constexpr double kNoiseEpsilon = 1e-5;  // ε of the noisy clip [code]

  KQuantileQuantizer(int bits, Granularity g);
  void init(const torch::Tensor& w) override;
  torch::Tensor quantize(const torch::Tensor& w) override;
  torch::Tensor noisy(const torch::Tensor& w) override;
  TraceValues trace() const override;
  IntegerWeights integer_weights(const torch::Tensor& w) const override;

  int64_t bins() const { return int64_t{1} << bits_; }  // k
  double mean() const { return mean_.item<double>(); }
  double std() const { return std_.item<double>(); }
  // F and F⁻¹ of the fitted Gaussian, elementwise (in x's dtype).
  torch::Tensor cdf(const torch::Tensor& x) const;
  torch::Tensor inverse_cdf(const torch::Tensor& u) const;
  // t_1…t_{k−1} and q_0…q_{k−1} (for tests and the integer lowering).
  std::vector<double> thresholds() const;
  std::vector<double> levels() const;

 private:
  torch::Tensor thresholds_tensor() const;  // double, k−1
  torch::Tensor levels_tensor() const;      // double, k
  torch::Tensor mean_, std_;                // buffers, set by init()
};

}  // namespace bitshift
