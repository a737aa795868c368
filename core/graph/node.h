#pragma once
// One operation of the model graph (the IR): its kind, its inputs and the attributes of its kind.
// What each kind means (shape, parameters, forward, quantization) lives in ops/<name>.cpp.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/shape.h"

namespace bitshift {

enum class OpKind {
#define BITSHIFT_OP(kind, name) kind,
#include "graph/op_list.h"
#undef BITSHIFT_OP
};

// "conv2d", "linear", ... as used in JSON and summaries.
const char* op_name(OpKind kind);
// Inverse of op_name; throws Error naming the unknown string and listing the known ones.
OpKind op_from_name(const std::string& name);

// The sliding window of a convolution or pool, as ONNX states it: kernel, stride and dilation
// per axis, pads per side (top, left, bottom, right).
struct Window {
  int64_t kh = 1, kw = 1;
  int64_t sh = 1, sw = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t dh = 1, dw = 1;
  bool ceil_mode = false;         // pools: output size rounds up
  bool count_include_pad = true;  // average pools: padded zeros count in the divisor

  // A k×k window, stride s, padding p on every side, no dilation (what the zoo builds).
  static Window square(int64_t k, int64_t s = 1, int64_t p = 0);
  bool symmetric_pads() const { return pad_top == pad_bottom && pad_left == pad_right; }
  bool operator==(const Window& o) const;
};

struct Node {
  std::string name;  // unique dotted path, torchvision style: "layer1.0.conv1"
  OpKind kind = OpKind::Input;
  std::vector<int> inputs;  // indices of the producing nodes (Add has two, Concat several)

  // Attributes; each kind reads only its own (its ops/<name>.cpp writes and reads them).
  int64_t out_channels = 0;    // conv2d out channels, linear out features
  Window window;               // conv2d, maxpool, avgpool
  int64_t groups = 1;          // conv2d, channel_shuffle
  bool bias = false;           // conv2d, linear
  double dropout_p = 0.0;      // dropout
  double eps = 1e-5;           // batchnorm2d
  double alpha = 0.0;          // leaky_relu slope; hardsigmoid y = clamp(alpha·x + beta, 0, 1)
  double beta = 0.0;           // hardsigmoid
  double lo = 0.0, hi = 0.0;   // clip bounds
  int64_t begin = 0, end = 0;  // slice: channels [begin, end)
  bool keepdims = false;       // gap: C×1×1 instead of a flat vector of C

  std::vector<Shape> in_shapes;  // shapes of the inputs (filled by Graph::add)
  Shape in_shape;                // in_shapes[0]
  Shape out_shape;               // filled by Graph::add

  // Whether the op holds a weight tensor that gets quantized (conv2d, linear).
  bool has_weights() const;
};

}  // namespace bitshift
