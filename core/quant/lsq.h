#pragma once
// LSQ (Esser et al. 2020): v̂ = s·R(clip(v/s, −Q_N, Q_P)) with a learned step s, gradient
// scaled by g = 1/sqrt(N·Q_P), initialised s = 2·mean|v|/sqrt(Q_P).
#include "quant/quantizer.h"

namespace bitshift {

class LsqWeightQuantizer : public WeightQuantizer {
 public:
  LsqWeightQuantizer(int bits, Granularity g);
  void init(const torch::Tensor& w) override;
  torch::Tensor quantize(const torch::Tensor& w) override;
  TraceValues trace() const override;
  IntegerWeights integer_weights(const torch::Tensor& w) const override;
  torch::Tensor step_parameter() const { return step_; }
  int64_t qn() const { return int64_t{1} << (bits_ - 1); }
  int64_t qp() const { return (int64_t{1} << (bits_ - 1)) - 1; }

 private:
  torch::Tensor step_;
};

class LsqActivationQuantizer : public ActivationQuantizer {
 public:
  LsqActivationQuantizer(int bits, bool is_signed);
  void observe(const torch::Tensor& pre_activation) override;
  void finish_calibration() override;
  torch::Tensor quantize(const torch::Tensor& x) override;
  TraceValues trace() const override;
  ActivationGrid grid() const override;
  torch::Tensor step_parameter() const { return step_; }
  int64_t qn() const { return signed_ ? int64_t{1} << (bits_ - 1) : 0; }
  int64_t qp() const { return signed_ ? (int64_t{1} << (bits_ - 1)) - 1 : (int64_t{1} << bits_) - 1; }

 private:
  torch::Tensor step_;
  double abs_mean_sum_ = 0.0;
  int batches_ = 0;
};

// s·R(clip(v/s, −qn, qp)) with s's gradient scaled by g: the LSQ forward shared by both.
torch::Tensor lsq_quantize(const torch::Tensor& v, const torch::Tensor& s, double g, int64_t qn,
                           int64_t qp);

}  // namespace bitshift
