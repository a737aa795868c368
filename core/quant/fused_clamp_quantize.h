#pragma once
// One-pass clamped uniform quantization with NICE's gradients, the hot path of NICE/UNIQ
// activation sites. Equal to the autograd reference `clamp_quantize_reference` to float rounding
// (the reference's straight-through x + (q − x) can land one ulp off q; the fused value is q),
// which tests/core/quant/fused_clamp_quantize_test.cpp checks. Not used yet: its scalar loops
// measured slower than the reference (10.5 vs 7.3 ms, 128x16x28x28 forward+backward, 2 threads);
// it becomes NICE's path once vectorised (branch-free backward, float partial sums).
//
//   y = clip(x, lo, c) with lo = 0 (unsigned) or −c (signed);  q = R(y·L/c)·c/L, R half up
//   ∂q/∂x = 1 on (lo, c), else 0;   ∂q/∂c = 1 above c, −1 below −c (signed), (q − y)/c inside.
#include <torch/types.h>

namespace bitshift {

// `clamp` is a 1-element tensor (c > 0); `levels` = L, the number of steps above zero.
torch::Tensor clamp_quantize(const torch::Tensor& x, const torch::Tensor& clamp, double levels,
                             bool is_signed);

// The same with plain LibTorch ops and autograd: the reference of the fused path.
torch::Tensor clamp_quantize_reference(const torch::Tensor& x, const torch::Tensor& clamp,
                                       double levels, bool is_signed);

}  // namespace bitshift
