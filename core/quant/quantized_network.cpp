#include "quant/quantized_network.h"

#include <torch/torch.h>

#include "graph/op.h"
#include "quant/method.h"
#include "quant/nice.h"
#include "util/error.h"

namespace bitshift {

namespace {

// Ops a site is looked for behind keep quantized values on their grid (ops/<name>.cpp says
// which): max-pool, reshapes and dropout; an average pool only sums them (its 1/k² joins the
// reader's scale), so the integer model can sum integers instead of requantizing a mean
// (integer/lowering.h).
bool passes_quantized_values(OpKind k) { return op_of(k).quant_role() == QuantRole::PassesCodes; }

// Whether a node's output can be negative: ReLUs and what only pools/reshapes them cannot.
bool can_be_negative(const Graph& g, int node) {
  const Node& n = g.node(node);
  switch (op_of(n).output_sign(n)) {
    case OutputSign::NonNegative:
      return false;
    case OutputSign::AsInputs:
      for (int in : n.inputs)
        if (can_be_negative(g, in)) return true;
      return false;
    case OutputSign::Signed:
      break;
  }
  return true;
}

// Module names may not contain '.', node names do ("layer1.0.conv1").
std::string module_key(const std::string& node_name, const char* suffix) {
  std::string k = node_name;
  for (char& c : k)
    if (c == '.') c = '_';
  return k + suffix;
}

}  // namespace

std::vector<ActivationSite> activation_sites(const Graph& g, const QuantPlan& plan) {
  std::map<int, ActivationSite> by_node;
  for (int layer : g.weight_layers()) {
    const LayerPlan* lp = plan.find(g.node(layer).name);
    if (!lp || lp->a_bits >= kFullPrecisionBits) continue;
    int src = g.node(layer).inputs[0];
    while (src != 0 && passes_quantized_values(g.node(src).kind)) src = g.node(src).inputs[0];
    ActivationSite& s = by_node[src];
    if (s.readers.empty()) {
      s.node = src;
      const OpKind k = g.node(src).kind;
      s.observed = (k == OpKind::ReLU || k == OpKind::ReLU6) ? g.node(src).inputs[0] : src;
      s.is_signed = can_be_negative(g, src);
      s.method = lp->method;
      s.bits = lp->a_bits;
    }
    s.bits = std::max(s.bits, lp->a_bits);
    s.readers.push_back(layer);
  }
  std::vector<ActivationSite> out;
  for (auto& [node, site] : by_node) out.push_back(site);
  return out;
}

QuantHooks::QuantHooks(const Graph& g, const QuantPlan& plan) {
  for (int layer : g.weight_layers()) {
    const LayerPlan* lp = plan.find(g.node(layer).name);
    if (!lp || lp->w_bits >= kFullPrecisionBits) continue;
    weights_[layer] = make_weight_quantizer(lp->method, lp->w_bits, lp->granularity);
    register_module(module_key(g.node(layer).name, "_w"), weights_[layer]);
  }
  sites_ = activation_sites(g, plan);
  for (const auto& s : sites_) {
    activations_[s.node] = make_activation_quantizer(s.method, s.bits, s.is_signed);
    register_module(module_key(g.node(s.node).name, "_a"), activations_[s.node]);
    observed_to_site_[s.observed] = s.node;
    for (int reader : s.readers) input_site_[reader] = s.node;
    if (g.node(s.node).kind == OpKind::ReLU) relu_sites_.insert(s.node);
  }
}

torch::Tensor QuantHooks::weight(int node, const torch::Tensor& w) {
  auto it = weights_.find(node);
  if (it == weights_.end() || calibrating_) return w;
  return it->second->forward(w);
}

torch::Tensor QuantHooks::bias(int node, const torch::Tensor& b) {
  if (calibrating_) return b;
  const auto w = weights_.find(node);
  const auto site = input_site_.find(node);
  if (w == weights_.end() || site == input_site_.end()) return b;
  const auto nice = std::dynamic_pointer_cast<NiceWeightQuantizer>(w->second);
  const auto& a = activations_.at(site->second);
  if (!nice || nice->state() == QuantState::QuantStateOff ||
      a->state() != QuantState::QuantStateQuantized || !std::dynamic_pointer_cast<NiceActivationClamp>(a))
    return b;
  return nice_quantize_bias(b, nice->step_tensor() * a->grid().scale);
}

torch::Tensor QuantHooks::output(int node, const torch::Tensor& y) {
  if (calibrating_) {
    auto obs = observed_to_site_.find(node);
    if (obs != observed_to_site_.end()) activations_.at(obs->second)->observe(y.detach());
    return y;
  }
  auto it = activations_.find(node);
  if (it == activations_.end()) return y;
  auto q = it->second->forward(y);
  if (recording_) errors_[node] = (q - y).detach();
  return q;
}

bool QuantHooks::replaces(int node) const {
  if (calibrating_ || relu_sites_.count(node) == 0) return false;
  const auto& q = activations_.at(node);
  return q->state() != QuantState::QuantStateOff && q->subsumes_relu();
}

torch::Tensor QuantHooks::replacement(int node, const torch::Tensor& input) {
  auto q = activations_.at(node)->forward(input);
  if (recording_) errors_[node] = (q - torch::relu(input)).detach();
  return q;
}

std::shared_ptr<WeightQuantizer> QuantHooks::weight_quantizer(int node) const {
  auto it = weights_.find(node);
  return it == weights_.end() ? nullptr : it->second;
}

std::shared_ptr<ActivationQuantizer> QuantHooks::activation_quantizer(int site_node) const {
  auto it = activations_.find(site_node);
  return it == activations_.end() ? nullptr : it->second;
}

std::vector<int> QuantHooks::quantized_layers() const {
  std::vector<int> out;
  for (const auto& [node, q] : weights_) out.push_back(node);
  return out;
}

QuantizedNetwork attach_quantizers(GraphModule model, const QuantPlan& plan) {
  validate(plan, model->graph());
  QuantizedNetwork net;
  net.model = model;
  net.plan = plan;
  net.hooks = std::make_shared<QuantHooks>(model->graph(), plan);
  model->set_hooks(net.hooks);
  return net;
}

void calibrate(QuantizedNetwork& net, const std::vector<torch::Tensor>& batches) {
  torch::NoGradGuard no_grad;
  const bool was_training = net.model->is_training();
  net.model->eval();
  net.hooks->set_calibrating(true);
  for (const auto& x : batches) net.model->forward(x);
  net.hooks->set_calibrating(false);
  net.model->train(was_training);
  for (int layer : net.hooks->quantized_layers())
    net.hooks->weight_quantizer(layer)->init(net.model->weight(layer).detach());
  for (const auto& s : net.hooks->sites()) net.hooks->activation_quantizer(s.node)->finish_calibration();
}

}  // namespace bitshift
