#pragma once
// Reading an .onnx file safely: bounded sizes, protobuf parse, ONNX's checker, and tensors
// (inline or in external-data files beside the model) turned into LibTorch tensors.
#include <onnx/onnx_pb.h>
#include <torch/types.h>

#include <string>

namespace bitshift {

// Largest model file and largest single tensor we read (protobuf itself stops at 2 GiB).
constexpr int64_t kMaxOnnxFileBytes = int64_t{2} << 30;
constexpr int64_t kMaxTensorElements = int64_t{1} << 30;

// Parses and checks the model; throws Error naming the file and what is wrong (not ONNX,
// truncated, fails the checker).
onnx::ModelProto read_onnx_model(const std::string& path);

// A TensorProto as a CPU tensor (float32 for floating types, int64 for integer types). External
// data is read from `model_dir`; paths that leave it are refused. Dims are checked before any
// allocation. `where` starts every error message.
torch::Tensor onnx_tensor(const onnx::TensorProto& t, const std::string& model_dir,
                          const std::string& where);

// The opset of the default ("" / "ai.onnx") domain.
int64_t onnx_opset(const onnx::ModelProto& model);

}  // namespace bitshift
