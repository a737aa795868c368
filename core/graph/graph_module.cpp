#include "graph/graph_module.h"

#include <torch/torch.h>

#include "graph/op.h"
#include "util/error.h"

namespace bitshift {

GraphModuleImpl::GraphModuleImpl(Graph graph, uint64_t init_seed)
    : graph_(std::move(graph)), modules_(graph_.size()), last_use_(graph_.size(), -1) {
  torch::manual_seed(init_seed);
  for (int i = 0; i < graph_.size(); ++i) {
    const Node& n = graph_.node(i);
    for (int in : n.inputs) last_use_[in] = std::max(last_use_[in], i);
    modules_[i] = op_of(n).make_module(n);
    if (!modules_[i]) continue;
    // A layer with weights holds no other layers: "conv2" and "conv2.x" cannot both be modules.
    require(!containers_.count(n.name), "layer '" + n.name + "' has weights, and other layers are named inside it");
    std::string leaf;
    torch::nn::Module& parent = parent_of(n.name, &leaf);
    leaves_.insert(n.name);
    parent.register_module(leaf, modules_[i]);
  }
  // One memory layout everywhere (training, evaluation, loaded checkpoints), so the same
  // weights give the same floating-point results wherever they run.
  use_channels_last();
}

torch::nn::Module& GraphModuleImpl::parent_of(const std::string& dotted, std::string* leaf) {
  require(!dotted.empty() && dotted.front() != '.' && dotted.back() != '.' &&
              dotted.find("..") == std::string::npos,
          "layer '" + dotted + "': its name has an empty part between dots (expected a module path "
          "such as 'layer1.0.conv1')");
  torch::nn::Module* parent = this;
  std::string path;
  size_t start = 0;
  for (size_t dot = dotted.find('.'); dot != std::string::npos; dot = dotted.find('.', start)) {
    const std::string part = dotted.substr(start, dot - start);
    path += (path.empty() ? "" : ".") + part;
    auto it = containers_.find(path);
    require(!leaves_.count(path), "layer '" + dotted + "' is named inside layer '" + path + "', which has weights");
    if (it == containers_.end()) {
      auto child = std::make_shared<torch::nn::Module>();
      parent->register_module(part, child);
      it = containers_.emplace(path, child).first;
    }
    parent = it->second.get();
    start = dot + 1;
  }
  *leaf = dotted.substr(start);
  return *parent;
}

void GraphModuleImpl::train(bool on) {
  torch::nn::Module::train(on);
  if (auto m = std::dynamic_pointer_cast<torch::nn::Module>(hooks_)) m->train(on);
}

torch::Tensor to_channels_last(const torch::Tensor& x) {
  return x.dim() == 4 ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x;
}

void GraphModuleImpl::use_channels_last() {
  torch::NoGradGuard no_grad;
  for (auto& p : parameters())
    if (p.dim() == 4) p.set_data(to_channels_last(p.data()));
}

torch::Tensor GraphModuleImpl::parameter(int node, const char* name) const {
  const auto& m = modules_.at(node);
  if (!m) return {};
  // named_parameters() returns a new dictionary: keep it alive while `p` points into it.
  const auto params = m->named_parameters(/*recurse=*/false);
  const auto* p = params.find(name);
  return p ? *p : torch::Tensor();
}

torch::Tensor GraphModuleImpl::weight(int node) const {
  require(graph_.node(node).has_weights(), "layer '" + graph_.node(node).name + "' has no weights");
  return parameter(node, "weight");
}

torch::Tensor GraphModuleImpl::bias(int node) const {
  require(graph_.node(node).has_weights(), "layer '" + graph_.node(node).name + "' has no weights");
  return parameter(node, "bias");
}

torch::nn::BatchNorm2d GraphModuleImpl::batchnorm(int node) const {
  auto bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(modules_.at(node));
  require(bn != nullptr, "layer '" + graph_.node(node).name + "' is not a BatchNorm2d");
  return torch::nn::BatchNorm2d(bn);
}

torch::Tensor GraphModuleImpl::run_node(int i, const std::vector<torch::Tensor>& outs) {
  const Node& n = graph_.node(i);
  std::vector<torch::Tensor> inputs;
  inputs.reserve(n.inputs.size());
  for (int in : n.inputs) inputs.push_back(outs[in]);
  OpRun run;
  run.index = i;
  run.module = modules_[i].get();
  run.hooks = hooks_.get();
  run.replicas = replicas_.get();
  run.training = is_training();
  return op_of(n).forward(n, inputs, run);
}

void GraphModuleImpl::check_input(const torch::Tensor& x) const {
  const Shape in = graph_.input_shape();
  if (x.dim() == 4 && x.size(1) == in.c && x.size(2) == in.h && x.size(3) == in.w) return;
  throw Error("model '" + graph_.name() + "' expects input [N, " + std::to_string(in.c) + ", " +
              std::to_string(in.h) + ", " + std::to_string(in.w) + "], got " +
              c10::str(x.sizes()));
}

std::vector<torch::Tensor> GraphModuleImpl::run_graph(const torch::Tensor& x, bool keep_all) {
  check_input(x);
  std::vector<torch::Tensor> outs(graph_.size());
  outs[0] = hooks_ ? hooks_->output(0, x) : x;
  for (int i = 1; i < graph_.size(); ++i) {
    if (hooks_ && hooks_->replaces(i)) {
      outs[i] = hooks_->replacement(i, outs[graph_.node(i).inputs[0]]);
    } else {
      outs[i] = run_node(i, outs);
      if (hooks_) outs[i] = hooks_->output(i, outs[i]);
    }
    if (keep_all) continue;
    for (int in_idx : graph_.node(i).inputs)
      if (last_use_[in_idx] == i) outs[in_idx] = torch::Tensor();  // free early
  }
  return outs;
}

std::vector<torch::Tensor> GraphModuleImpl::forward_all(const torch::Tensor& x) {
  return run_graph(x, /*keep_all=*/true);
}

torch::Tensor GraphModuleImpl::forward(const torch::Tensor& x) {
  return run_graph(x, /*keep_all=*/false).back();
}

}  // namespace bitshift
