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

// The integer form of quantized weights, for the lowering: quantize(w) equals
// scale[c] · (table.empty() ? codes : table[codes]) up to float rounding. Real-valued levels
// (UNIQ's quantiles) have no exact integer table: they come as `real_levels` (the value of each
// code; `table` and `scale` empty), and the lowering rounds them onto as fine an integer step
// as the layer's int32 accumulator allows.
struct IntegerWeights {
  torch::Tensor codes;         // int64, w's shape (logical NCHW order)
  torch::Tensor scale;         // float64, [1] or [C_out]
  std::vector<int64_t> table;  // non-uniform or offset grids; empty: the codes are the values
  std::vector<double> real_levels;
};

// The grid of an activation quantizer: its outputs are scale·v for integers v in [lo, hi].
// affine: quantize(x) == scale·clamp(R(x/scale), lo, hi), so an integer accumulator can be
// requantized onto it; odd grids (UniQ's symmetric levels ±1, ±3, …) are not affine and can
// only be the network input. `thresholds` (ascending, in units of x, hi − lo of them): the
// level is lo + #{i : x ≥ thresholds[i]} instead (N2UQ's learned thresholds), which lowers to
// an integer multi-threshold on the accumulator.
struct ActivationGrid {
  double scale = 1.0;
  int64_t lo = 0, hi = 0;
  bool affine = true;
  std::vector<double> thresholds;
};

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
  // Integer codes and scales of quantize(w); throws Error for a method that cannot be lowered.
  virtual IntegerWeights integer_weights(const torch::Tensor& w) const;

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
  // The output grid; throws Error for a quantizer without one (N2UQ's learned thresholds).
  virtual ActivationGrid grid() const;
  // The network input's site, before calibration: a signed grid may split its 2^bits levels
  // unevenly around zero (zero stays a level, so zero padding stays exact) to put the smallest
  // input value, an image's background, on its lowest level. Methods that can, do (min/max).
  virtual void split_levels_around_zero() {}

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

// A scale tensor ([1] or [C_out, 1, …]) as float64 [1] or [C_out].
torch::Tensor scale_vector(const torch::Tensor& s);
// Integer weights of a grid scale·(2k − levels), k = 0…levels (DoReFa, UniQ, N2UQ): the b-bit
// code is k, the table holds the odd values 2k − levels, `scale` is the real step of one unit.
IntegerWeights offset_grid_weights(const torch::Tensor& k, const torch::Tensor& scale,
                                   int64_t levels);

}  // namespace bitshift
