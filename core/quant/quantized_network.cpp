#include "quant/quantized_network.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "graph/op.h"
#include "quant/method.h"
#include "quant/nice.h"
#include "util/error.h"

namespace bitshift {

namespace {

// Ops a site is looked for behind keep quantized values on their grid (ops/<name>.cpp says
// which): max-pool, reshapes and dropout; an average pool that divides every window by kh·kw
// only sums them (its 1/(kh·kw) joins the reader's scale), so the integer model can sum
// integers instead of requantizing a mean (integer/lowering.h).
bool passes_quantized_values(const Node& n) { return op_of(n).quant_role(n) == QuantRole::PassesCodes; }

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

// The values of `node` that change what reads it: when every reader is a table op, the union of
// their live inputs; else all.
ValueRange live_values(const Graph& g, int node) {
  const std::vector<int> readers = g.consumers(node);
  if (readers.empty()) return {};
  ValueRange r{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
  for (int c : readers) {
    const Op& op = op_of(g.node(c));
    if (op.quant_role(g.node(c)) != QuantRole::LooksUp) return {};
    const ValueRange live = op.live_inputs(g.node(c));
    r.lo = std::min(r.lo, live.lo);
    r.hi = std::max(r.hi, live.hi);
  }
  return r;
}

// Module names may not contain '.', node names do ("layer1.0.conv1").
std::string module_key(const std::string& node_name, const char* suffix) {
  std::string k = node_name;
  for (char& c : k)
    if (c == '.') c = '_';
  return k + suffix;
}

}  // namespace

int grid_source(const Graph& g, int node) {
  while (node != 0 && passes_quantized_values(g.node(node))) node = g.node(node).inputs[0];
  return node;
}

std::vector<ActivationSite> activation_sites(const Graph& g, const QuantPlan& plan) {
  std::map<int, ActivationSite> by_node;
  // need[i]: node i's output flows, wide or on a grid, into the quantized network (bits, method).
  std::vector<int> need_bits(g.size(), 0);
  std::vector<std::string> need_method(g.size());
  auto need = [&](int node, int bits, const std::string& method) {
    if (need_method[node].empty()) need_method[node] = method;
    need_bits[node] = std::max(need_bits[node], bits);
  };
  // Puts a grid on `src` (the node behind pools and reshapes) for a reader (-1: none).
  auto site = [&](int node, int bits, const std::string& method, int reader) {
    const int src = grid_source(g, node);
    ActivationSite& s = by_node[src];
    if (s.method.empty()) {
      s.node = src;
      const OpKind k = g.node(src).kind;
      s.observed = (k == OpKind::ReLU || k == OpKind::ReLU6) ? g.node(src).inputs[0] : src;
      s.is_signed = can_be_negative(g, src);
      s.method = method;
      s.bits = bits;
    }
    s.bits = std::max(s.bits, bits);
    if (reader >= 0) {
      s.readers.push_back(reader);
      s.method = method;  // walking backwards: the first weight layer reading it has the last word
    }
    need(src, bits, method);
  };
  // Consumers come after their inputs, so walking backwards sees every reader of a node first.
  for (int i = g.size() - 1; i >= 0; --i) {
    const Node& n = g.node(i);
    if (op_of(n).has_weights()) {
      const LayerPlan* lp = plan.find(n.name);
      if (lp && lp->a_bits < kFullPrecisionBits) site(n.inputs[0], lp->a_bits, lp->method, i);
      continue;  // what a weight layer reads is its own plan's business
    }
    if (need_bits[i] == 0) continue;
    const QuantRole role = op_of(n).quant_role(n);
    if (role == QuantRole::LooksUp || role == QuantRole::Multiplies || role == QuantRole::Averages) {
      // A table, a product or an uneven mean has integer form only between grids: on its
      // output and inputs.
      site(i, need_bits[i], need_method[i], -1);
      for (int in : n.inputs) site(in, need_bits[i], need_method[i], -1);
    } else {
      for (int in : n.inputs) need(in, need_bits[i], need_method[i]);
    }
  }
  std::vector<ActivationSite> out;
  for (auto& [node, s] : by_node) {
    std::reverse(s.readers.begin(), s.readers.end());  // graph order
    s.live = live_values(g, node);
    out.push_back(s);
  }
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
    if (s.node == 0) activations_[s.node]->split_levels_around_zero();
    register_module(module_key(g.node(s.node).name, "_a"), activations_[s.node]);
    observed_to_sites_[s.observed].push_back(s.node);
    live_[s.node] = s.live;
    for (int reader : s.readers) input_site_[reader] = s.node;
    if (g.node(s.node).kind == OpKind::ReLU) relu_sites_.insert(s.node);
  }
}

torch::Tensor QuantHooks::weight(int node, const torch::Tensor& w) {
  auto it = weights_.find(node);
  if (it == weights_.end() || calibrating_) return w;
  if (auto f = frozen_.find(node); f != frozen_.end()) return f->second.to(w.dtype());
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
    auto obs = observed_to_sites_.find(node);
    if (obs != observed_to_sites_.end())
      for (int site : obs->second) {
        const ValueRange& live = live_.at(site);
        const bool whole = std::isinf(live.lo) && std::isinf(live.hi);
        auto seen = whole ? y.detach() : y.detach().clamp(live.lo, live.hi);
        if (replicas_ != nullptr && replicas_->size() > 1)
          seen = replicas_->all_gather(seen.contiguous(), "calibration all-gather");
        activations_.at(site)->observe(seen);
      }
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
