#pragma once
// GraphModule: a Graph executed as a trainable LibTorch module. Parameter names follow the node
// names (so ResNet-18's match torchvision's state_dict keys: "layer1.0.conv1.weight").
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/pimpl.h>

#include <map>
#include <set>
#include <memory>
#include <vector>

#include "dist/replicas.h"
#include "graph/forward_hooks.h"
#include "graph/graph.h"

namespace bitshift {

class GraphModuleImpl : public torch::nn::Module {
 public:
  // Initial weights are drawn from LibTorch's global generator seeded with `init_seed`
  // (LibTorch seeds it randomly per process otherwise), so a model is the same in every run.
  explicit GraphModuleImpl(Graph graph, uint64_t init_seed = 1);

  // Logits [N, num_classes] for a float input [N, C, H, W].
  torch::Tensor forward(const torch::Tensor& x);
  // Every node's output (index = node index), for inspection, calibration and golden vectors.
  std::vector<torch::Tensor> forward_all(const torch::Tensor& x);

  const Graph& graph() const { return graph_; }
  // Also switches the hooks (quantizers) between training and evaluation behaviour.
  void train(bool on = true) override;
  void set_hooks(std::shared_ptr<ForwardHooks> hooks) { hooks_ = std::move(hooks); }
  const std::shared_ptr<ForwardHooks>& hooks() const { return hooks_; }
  // Data-parallel training: BatchNorm then normalises over every replica's rows (null: alone).
  void set_replicas(std::shared_ptr<Replicas> r) { replicas_ = std::move(r); }

  // The FP32 weight / bias parameters of a Conv2d or Linear node (bias undefined if none).
  torch::Tensor weight(int node) const;
  torch::Tensor bias(int node) const;
  // Stores 4-D weights channels-last (NHWC), which LibTorch's CPU convolutions run ~1.4x
  // faster; the constructor does it already. Feed inputs made with to_channels_last().
  void use_channels_last();

  // The BatchNorm module of an OpBatchNorm2d node.
  torch::nn::BatchNorm2d batchnorm(int node) const;

 private:
  void check_input(const torch::Tensor& x) const;
  // Every node's output; without keep_all, outputs are freed after their last consumer.
  std::vector<torch::Tensor> run_graph(const torch::Tensor& x, bool keep_all);
  torch::Tensor run_node(int index, const std::vector<torch::Tensor>& outs);
  // The parameter `name` ("weight", "bias") of a node's module; undefined if it has none.
  torch::Tensor parameter(int node, const char* name) const;
  torch::nn::Module& parent_of(const std::string& dotted_name, std::string* leaf);

  Graph graph_;
  std::shared_ptr<ForwardHooks> hooks_;
  std::shared_ptr<Replicas> replicas_;
  std::vector<std::shared_ptr<torch::nn::Module>> modules_;  // by node (op_of().make_module)
  std::vector<int> last_use_;  // last consumer of each node's output (frees memory early)
  std::map<std::string, std::shared_ptr<torch::nn::Module>> containers_;
  std::set<std::string> leaves_;  // names of the layers registered with weights
};
TORCH_MODULE(GraphModule);

// The same values in channels-last memory order (4-D tensors only; others are returned as is).
torch::Tensor to_channels_last(const torch::Tensor& x);

}  // namespace bitshift
