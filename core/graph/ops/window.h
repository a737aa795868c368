#pragma once
// What convolutions and pools share: the window's output size, its JSON, its checks, and the
// explicit padding of asymmetric pads (LibTorch pads both sides of an axis equally).
#include <torch/types.h>
#include <nlohmann/json_fwd.hpp>

#include <string>

#include "graph/node.h"
#include "graph/onnx_emitter.h"

namespace bitshift {

// Output positions along one axis, PyTorch's and ONNX's formula (ceil mode drops a last window
// that would start in the right padding).
int64_t window_output(int64_t size, int64_t kernel, int64_t stride, int64_t pad_begin,
                      int64_t pad_end, int64_t dilation, bool ceil_mode);

// Output H×W of `w` over `in`; throws Error starting with `where` when it does not fit.
Shape window_shape(const Window& w, const Shape& in, int64_t channels, const std::string& where);

// A pool's output shape (channels kept), after the checks pools share: the symmetric part of
// the pads at most half the window (LibTorch's rule), and every pad smaller than the dilated
// window, so no window lies wholly in padding (a max over pads only is -inf; an average over
// nothing divides by zero).
Shape pool_shape(const Window& w, const Shape& in, const std::string& where);

// Whether an average pool's windows divide by different counts: padding left out of the divisor
// (count_include_pad false), or ceil mode adding windows cut short at the far border.
bool average_divides_unevenly(const Window& w, const Shape& in);

// Square windows keep the zoo's keys ("kernel", "stride", "padding" as numbers), so existing
// checkpoints read and write unchanged; others use [h, w] pairs and "pads" [t, l, b, r].
void write_window(const Window& w, nlohmann::json& j);
Window read_window(const nlohmann::json& j, const std::string& where);

// `x` padded explicitly by the asymmetric part of the pads with `value`; `w` then keeps the
// symmetric part, which LibTorch's ops take as (pad_h, pad_w).
torch::Tensor pad_asymmetric(const torch::Tensor& x, Window& w, double value);

// The ONNX attributes of a window: kernel_shape, strides, pads (top, left, bottom, right),
// dilations, and what each use adds (ceil_mode for pools, count_include_pad for averages).
enum class WindowUse { Conv, MaxPool, AveragePool };
std::vector<OnnxAttr> onnx_window_attrs(const Window& w, WindowUse use);

}  // namespace bitshift
