#pragma once
// OnnxWriter: a graph written as an ONNX model, one op at a time (each op spells itself through
// Op::write_onnx and graph/onnx_emitter.h). The plain writer gives FP32 weights; the quantized
// formats (interop/quantized_export.h) override what a weight is and what follows an output.
#include <onnx/onnx_pb.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph_module.h"
#include "graph/onnx_emitter.h"

namespace bitshift {

class OnnxWriter : public OnnxEmitter {
 public:
  OnnxWriter(GraphModule model, int64_t opset);

  // Every node of the graph in order; input "input" [N, C, H, W], output "logits" [N, classes]
  // (N a symbolic batch, or `batch` when positive: FINN's tools want a fixed one). Throws Error
  // naming the node an op or subclass refuses.
  onnx::ModelProto write(int64_t batch = 0);

  // OnnxEmitter, for the node being written.
  int64_t opset() const override { return opset_; }
  std::string input(size_t i) const override;
  std::string output() const override;
  std::string weight() override;
  std::string bias() override;
  torch::Tensor parameter(const std::string& name) const override;
  std::string constant(const std::string& suffix, const torch::Tensor& t) override;
  std::string intermediate(const std::string& suffix) override;
  void node(const std::string& op_type, std::vector<std::string> inputs,
            std::vector<std::string> outputs, std::vector<OnnxAttr> attrs = {}) override;

 protected:
  // A Conv2d/Linear node's weight and bias as initializers (subclasses: quantized forms).
  virtual std::string write_weight(int node, const torch::Tensor& w);
  virtual std::string write_bias(int node, const torch::Tensor& b);
  // After node `node` wrote its output `out`: what its readers read instead (a quantizer's
  // output), or `out` itself.
  virtual std::string after_output(int node, const std::string& out) { return out; }
  // Domains beside the default one ({"qonnx.custom_op.general", 1}).
  virtual std::vector<std::pair<std::string, int64_t>> extra_domains() const { return {}; }

  // The node written last (to set what the emitter does not: a custom op's domain).
  onnx::NodeProto* last_node() { return graph_->mutable_node(graph_->node_size() - 1); }
  // An initializer named `name` (made unique) holding `t`.
  std::string initializer(const std::string& name, const torch::Tensor& t);
  [[noreturn]] void fail(int node, const std::string& why) const;
  const Graph& graph() const { return model_->graph(); }
  GraphModule model_;
  int current_ = 0;  // the node being written

 private:
  std::string unique(const std::string& name);

  int64_t opset_;
  onnx::GraphProto* graph_ = nullptr;
  onnx::ModelProto proto_;
  std::vector<std::string> names_;  // by node: the tensor its readers read
  std::set<std::string> used_;      // every tensor name given so far
};

// The ONNX element type of a tensor's dtype (float32, float64, int8, uint8, int32, int64).
int32_t onnx_element_type(const torch::Tensor& t);
// `t` as a TensorProto named `name` (raw little-endian data, its shape).
onnx::TensorProto tensor_proto(const std::string& name, const torch::Tensor& t);

// Serializes `model` to `path` atomically (never half-written); throws Error naming the path.
void save_onnx(const onnx::ModelProto& model, const std::string& path);

}  // namespace bitshift
