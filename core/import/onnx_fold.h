#pragma once
// Constant folding of ONNX nodes whose inputs are all known: Constant, and the shape arithmetic
// exporters write around x.view(x.size(0), -1) (Shape -> Gather -> Unsqueeze -> Concat). The
// batch size is unknown at import; it travels through the folded values as kBatchDim.
#include <onnx/onnx_pb.h>
#include <torch/types.h>

#include <string>
#include <vector>

namespace bitshift {

constexpr int64_t kBatchDim = -987654321;  // stands for the batch size in folded shapes

// Whether `op_type` can be folded when all its inputs are constants.
bool is_foldable(const std::string& op_type);

// The outputs of `node` for constant inputs (an undefined tensor marks a missing optional
// input). Throws Error starting with `where` on bad values.
std::vector<torch::Tensor> fold_onnx_node(const onnx::NodeProto& node, int64_t opset,
                                          const std::vector<torch::Tensor>& inputs,
                                          const std::string& model_dir, const std::string& where);

}  // namespace bitshift
