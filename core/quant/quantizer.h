#pragma once
// The one small interface every quantization method implements, for one layer's weights and
// for one activation site. A method = a WeightQuantizer + an ActivationQuantizer (method.h).
#include <torch/nn/module.h>

#include <string>
#include <utility>
#include <vector>

#include "quant/plan.h"

namespace bitshift {

// Where a quantizer is in a gradual schedule.
enum class QuantState {
  QuantStateOff,        // pass-through (FP32)
  QuantStateNoisy,      // weights: training-time noise (NICE, UNIQ); activations: clamp only
  QuantStateQuantized,  // hard fake-quantization with straight-through gradients
};

// Named scalar values a quantizer exposes for the convergence plots ("clamp", "step", ...).
using TraceValues = std::vector<std::pair<std::string, double>>;

class WeightQuantizer : public torch::nn::Module {
 public:
  WeightQuantizer(int bits, Granularity granularity) : bits_(bits), granularity_(granularity) {}
  // Sets clamps/steps from the FP32 weights (before training).
  virtual void init(const torch::Tensor& w) = 0;
  // Hard fake-quantization: values on the grid, gradients by the method's rule.
  virtual torch::Tensor quantize(const torch::Tensor& w) = 0;
  // Training-time noise; methods without noise quantize.
  virtual torch::Tensor noisy(const torch::Tensor& w) { return quantize(w); }
  virtual TraceValues trace() const = 0;

  torch::Tensor forward(const torch::Tensor& w);
  void set_state(QuantState s) { state_ = s; }
  QuantState state() const { return state_; }
  int bits() const { return bits_; }
  Granularity granularity() const { return granularity_; }

 protected:
  int bits_;
  Granularity granularity_;
  QuantState state_ = QuantState::QuantStateQuantized;
};

class ActivationQuantizer : public torch::nn::Module {
 public:
  // `is_signed`: the site can be negative (the network input, a BN output without ReLU).
  ActivationQuantizer(int bits, bool is_signed) : bits_(bits), signed_(is_signed) {}
  // Calibration: sees the pre-activation tensor (for ReLU sites, the ReLU's input) of a batch.
  virtual void observe(const torch::Tensor& pre_activation) {}
  virtual void finish_calibration() {}
  virtual torch::Tensor quantize(const torch::Tensor& x) = 0;
  // Clamped but not quantized (NICE's blocks not yet reached by the gradual schedule).
  virtual torch::Tensor clamp_only(const torch::Tensor& x) { return x; }
  virtual TraceValues trace() const = 0;
  // Whether quantize(x) == quantize(relu(x)) with the same gradients, so the quantizer can
  // stand in for a preceding ReLU: true for every unsigned quantizer that clips at zero.
  virtual bool subsumes_relu() const { return !signed_; }

  torch::Tensor forward(const torch::Tensor& x);
  void set_state(QuantState s) { state_ = s; }
  QuantState state() const { return state_; }
  int bits() const { return bits_; }
  bool is_signed() const { return signed_; }

 protected:
  int bits_;
  bool signed_;
  QuantState state_ = QuantState::QuantStateQuantized;
};

}  // namespace bitshift
