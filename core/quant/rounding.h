#pragma once
// Rounding and straight-through estimators shared by every quantizer.
// Rounding is half up (floor(x + 0.5)) everywhere, as the integer backend rounds; PyTorch's
// round() is half-to-even and would make simulated and exported results drift.
#include <torch/torch.h>

namespace bitshift {

inline torch::Tensor round_half_up(const torch::Tensor& x) { return torch::floor(x + 0.5); }

// Forward value q, gradient of x (the STE): x + (q - x).detach().
inline torch::Tensor ste(const torch::Tensor& x, const torch::Tensor& q) {
  return x + (q - x).detach();
}

// Round half up with an identity gradient.
inline torch::Tensor round_ste(const torch::Tensor& x) { return ste(x, round_half_up(x)); }

// Value s, gradient scaled by g (LSQ's gradient scaling): s*g + (s - s*g).detach().
inline torch::Tensor grad_scale(const torch::Tensor& s, double g) {
  return s * g + (s - s * g).detach();
}

}  // namespace bitshift
