#include "train/rehead.h"

#include <torch/torch.h>

#include "util/error.h"

namespace bitshift {

std::string classifier_layer(const Graph& graph) {
  const auto layers = graph.weight_layers();
  return layers.empty() ? "" : graph.node(layers.back()).name;
}

Checkpoint rehead(const Checkpoint& ck, int num_classes, uint64_t seed) {
  const Graph& g = ck.graph;
  const auto layers = g.weight_layers();
  require(!layers.empty(), "model '" + g.name() + "' has no weight layer to re-head");
  require(num_classes >= 1, "--num-classes must be at least 1, got " + std::to_string(num_classes));
  const int head = layers.back();
  Graph out(g.name(), g.input_shape(), num_classes);
  for (int i = 1; i < g.size(); ++i) {
    Node n = g.node(i);
    if (i == head) n.out_channels = num_classes;
    out.add(n);  // re-infers every shape after the head
  }
  const Shape result = out.node(out.output()).out_shape;
  require(result.c == num_classes && result.h == 1 && result.w == 1,
          "model '" + g.name() + "': giving its last weight layer '" + g.node(head).name + "' " +
              std::to_string(num_classes) + " outputs makes the output " + result.str() + ", not " +
              std::to_string(num_classes) + " class scores");
  Checkpoint c = ck;
  c.graph = out;
  c.optimizer_state.clear();  // it holds moments of the old head's shape
  GraphModule fresh(out, seed);
  auto take_fresh = [&](const std::string& name, const torch::Tensor& t) {
    auto it = c.tensors.find(name);
    if (it == c.tensors.end() || it->second.sizes() != t.sizes())
      c.tensors[name] = t.detach().clone();
  };
  for (const auto& p : fresh->named_parameters()) take_fresh(p.key(), p.value());
  for (const auto& b : fresh->named_buffers()) take_fresh(b.key(), b.value());
  // The old head's weights must not survive even where a shape happens to match (1 -> 1 class).
  for (const auto& p : fresh->named_parameters())
    if (p.key().rfind(g.node(head).name + ".", 0) == 0)
      c.tensors[p.key()] = p.value().detach().clone();
  return c;
}

}  // namespace bitshift
