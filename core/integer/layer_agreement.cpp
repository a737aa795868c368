#include "integer/layer_agreement.h"

#include <torch/torch.h>

#include <map>

#include "integer/int_op.h"
#include "integer/lowering.h"
#include "util/error.h"

namespace bitshift {

int simulated_node(const Graph& g, int node) {
  for (;;) {
    const std::vector<int> next = g.consumers(node);
    if (next.size() != 1) return node;
    const OpKind k = g.node(next[0]).kind;
    if (k != OpKind::BatchNorm2d && k != OpKind::ReLU && k != OpKind::ReLU6 && k != OpKind::Clip)
      return node;
    node = next[0];
  }
}

std::vector<LayerAgreement> layer_agreement(QuantizedNetwork& net, const IntegerModel& model,
                                            const torch::Tensor& images, bool fed) {
  torch::NoGradGuard no_grad;
  const auto sim = net.model->forward_all(to_channels_last(images));
  const Graph& g = net.model->graph();
  const int64_t n = images.size(0);
  std::vector<IntTensor> values(model.layers.size());
  values[0] = integer_input(net, model, images);
  // A node lowered to several layers (a sum on a fine grid, then its thresholds): the last one
  // carries the node's codes.
  std::map<std::string, size_t> last;
  for (size_t l = 0; l < model.layers.size(); ++l) last[model.layers[l].name] = l;
  std::vector<LayerAgreement> out;
  for (size_t l = 1; l < model.layers.size(); ++l) {
    const IntLayer& L = model.layers[l];
    IntValues in;
    for (int i : L.inputs) in.push_back(&values[static_cast<size_t>(i)]);
    values[l].n = n;
    values[l].values.assign(static_cast<size_t>(n * L.numel()), 0);
    int_op_def(L.op).reference(L, int_inputs(model, L), in, values[l], 0, n);
    const int node = g.find(L.name) < 0 ? -1 : simulated_node(g, g.find(L.name));
    // Layers on one scale whose values are codes of a graph tensor (not wide accumulators).
    if (node < 0 || last[L.name] != l || L.scale.size() != 1 ||
        !(L.requantized_output() || L.op == IntOp::IntSumPool))
      continue;
    const auto expected =
        torch::round(sim[node].contiguous().to(torch::kFloat64) / L.scale[0]).flatten();
    const auto got =
        torch::tensor(std::vector<int64_t>(values[l].values.begin(), values[l].values.end()))
            .to(torch::kFloat64);
    require(got.numel() == expected.numel(),
            "layer '" + L.name + "' holds " + std::to_string(got.numel()) + " values, graph node '" +
                g.node(node).name + "' " + std::to_string(expected.numel()));
    const auto diff = (got - expected).abs();
    out.push_back({L.name, L.op, (diff > 0).to(torch::kFloat64).mean().item<double>(),
                   static_cast<int64_t>(diff.max().item<double>())});
    if (!fed) continue;
    const auto codes = expected.to(torch::kInt32).contiguous();
    values[l].values.assign(codes.data_ptr<int32_t>(), codes.data_ptr<int32_t>() + codes.numel());
  }
  return out;
}

}  // namespace bitshift
