#pragma once
// The QONNX custom ops (domain qonnx.custom_op.general) as ONNX schemas, so that ONNX's shape
// inference runs through them (their outputs have their first input's shape and type) and
// fills value_info for every tensor, as qonnx's executor wants.
#include <onnx/onnx_pb.h>

namespace bitshift {

inline constexpr const char* kQonnxDomain = "qonnx.custom_op.general";

// Fills `model`'s value_info with every intermediate tensor's type and shape.
void infer_qonnx_shapes(onnx::ModelProto& model);

}  // namespace bitshift
