#include "graph/graph_module.h"

#include <torch/torch.h>

#include "util/error.h"

namespace bitshift {

GraphModuleImpl::GraphModuleImpl(Graph graph, uint64_t init_seed)
    : graph_(std::move(graph)),
      convs_(graph_.size(), nullptr),
      linears_(graph_.size(), nullptr),
      bns_(graph_.size(), nullptr),
      last_use_(graph_.size(), -1) {
  torch::manual_seed(init_seed);
  for (int i = 0; i < graph_.size(); ++i) {
    const Node& n = graph_.node(i);
    for (int in : n.inputs) last_use_[in] = std::max(last_use_[in], i);
    std::string leaf;
    switch (n.kind) {
      case OpKind::OpConv2d: {
        auto opts = torch::nn::Conv2dOptions(n.in_shape.c, n.out_channels, n.kernel)
                        .stride(n.stride)
                        .padding(n.padding)
                        .groups(n.groups)
                        .bias(n.bias);
        convs_[i] = torch::nn::Conv2d(opts);
        // torchvision's initialisation for convolutions followed by BN + ReLU.
        torch::nn::init::kaiming_normal_(convs_[i]->weight, 0.0, torch::kFanOut, torch::kReLU);
        parent_of(n.name, &leaf).register_module(leaf, convs_[i]);
        break;
      }
      case OpKind::OpLinear:
        linears_[i] = torch::nn::Linear(
            torch::nn::LinearOptions(n.in_shape.c, n.out_channels).bias(n.bias));
        parent_of(n.name, &leaf).register_module(leaf, linears_[i]);
        break;
      case OpKind::OpBatchNorm2d:
        bns_[i] = torch::nn::BatchNorm2d(n.in_shape.c);
        parent_of(n.name, &leaf).register_module(leaf, bns_[i]);
        break;
      default:
        break;
    }
  }
  // One memory layout everywhere (training, evaluation, loaded checkpoints), so the same
  // weights give the same floating-point results wherever they run.
  use_channels_last();
}

torch::nn::Module& GraphModuleImpl::parent_of(const std::string& dotted, std::string* leaf) {
  torch::nn::Module* parent = this;
  std::string path;
  size_t start = 0;
  for (size_t dot = dotted.find('.'); dot != std::string::npos; dot = dotted.find('.', start)) {
    const std::string part = dotted.substr(start, dot - start);
    path += (path.empty() ? "" : ".") + part;
    auto it = containers_.find(path);
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

torch::Tensor GraphModuleImpl::weight(int node) const {
  if (convs_.at(node)) return convs_[node]->weight;
  require(static_cast<bool>(linears_.at(node)),
          "layer '" + graph_.node(node).name + "' has no weights");
  return linears_[node]->weight;
}

torch::Tensor GraphModuleImpl::bias(int node) const {
  if (convs_.at(node)) return convs_[node]->bias;
  require(static_cast<bool>(linears_.at(node)),
          "layer '" + graph_.node(node).name + "' has no weights");
  return linears_[node]->bias;
}

torch::nn::BatchNorm2d GraphModuleImpl::batchnorm(int node) const {
  require(static_cast<bool>(bns_.at(node)),
          "layer '" + graph_.node(node).name + "' is not a BatchNorm2d");
  return bns_[node];
}

torch::Tensor GraphModuleImpl::run_node(int i, const std::vector<torch::Tensor>& outs) {
  const Node& n = graph_.node(i);
  const torch::Tensor& x = outs[n.inputs[0]];
  switch (n.kind) {
    case OpKind::OpConv2d:
    case OpKind::OpLinear: {
      torch::Tensor w = weight(i), b = bias(i);
      if (hooks_) {
        w = hooks_->weight(i, w);
        if (b.defined()) b = hooks_->bias(i, b);
      }
      if (n.kind == OpKind::OpLinear) return torch::linear(x, w, b);
      return torch::conv2d(x, w, b, n.stride, n.padding, 1, n.groups);
    }
    case OpKind::OpBatchNorm2d:
      return bns_[i]->forward(x);
    case OpKind::OpReLU:
      return torch::relu(x);
    case OpKind::OpReLU6:
      return torch::hardtanh(x, 0.0, 6.0);
    case OpKind::OpMaxPool:
      return torch::max_pool2d(x, n.kernel, n.stride, n.padding);
    case OpKind::OpAvgPool:
      return torch::avg_pool2d(x, n.kernel, n.stride, n.padding);
    case OpKind::OpGlobalAvgPool:
      return x.mean({2, 3});
    case OpKind::OpAdd:
      return x + outs[n.inputs[1]];
    case OpKind::OpFlatten:
      return x.flatten(1);
    case OpKind::OpDropout:
      return torch::dropout(x, n.dropout_p, is_training());
    case OpKind::OpInput:
      break;
  }
  throw Error("layer '" + n.name + "': cannot execute op " + op_name(n.kind));
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
