#pragma once
// One operation of the model graph (the IR): its kind, its inputs and the attributes of its kind.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/shape.h"

namespace bitshift {

enum class OpKind {
  OpInput,
  OpConv2d,
  OpLinear,
  OpBatchNorm2d,
  OpReLU,
  OpReLU6,
  OpMaxPool,
  OpAvgPool,
  OpGlobalAvgPool,
  OpAdd,
  OpFlatten,
  OpDropout,
};

// "conv2d", "linear", ... as used in JSON and summaries.
const char* op_name(OpKind kind);
// Inverse of op_name; throws Error naming the unknown string.
OpKind op_from_name(const std::string& name);

struct Node {
  std::string name;         // unique dotted path, torchvision style: "layer1.0.conv1"
  OpKind kind = OpKind::OpInput;
  std::vector<int> inputs;  // indices of the producing nodes (Add has two)

  // Attributes; each kind reads only its own.
  int64_t out_channels = 0;  // Conv2d out channels, Linear out features
  int64_t kernel = 1;        // Conv2d, pools
  int64_t stride = 1;        // Conv2d, pools
  int64_t padding = 0;       // Conv2d, pools
  int64_t groups = 1;        // Conv2d
  bool bias = false;         // Conv2d, Linear
  double dropout_p = 0.0;    // Dropout

  Shape in_shape;   // shape of inputs[0] (filled by Graph::add)
  Shape out_shape;  // filled by Graph::add

  bool has_weights() const { return kind == OpKind::OpConv2d || kind == OpKind::OpLinear; }
};

}  // namespace bitshift
