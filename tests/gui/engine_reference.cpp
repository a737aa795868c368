#include "engine_reference.h"

#include "graph/shape.h"
#include "import/import.h"
#include "models/zoo.h"
#include "quant/cost.h"
#include "quant/plan.h"

namespace bitshift::test {

namespace {

// A zoo model built for Fashion-MNIST, or an imported .onnx/.pt file read at its shape.
Graph graph_of(const std::string& model) {
  const Shape fashion_mnist{1, 28, 28};
  if (is_importable_model(model)) return import_model(model, fashion_mnist).graph;
  return build_model(model, fashion_mnist, 10);
}

}  // namespace

double reference_bops(const std::string& model, const std::vector<std::string>& entries) {
  const Graph g = graph_of(model);
  QuantPlan plan;
  for (const auto& e : entries) {  // "conv1=nice:4/8"
    const auto eq = e.find('='), colon = e.find(':'), slash = e.find('/');
    LayerPlan lp;
    lp.layer = e.substr(0, eq);
    lp.method = e.substr(eq + 1, colon - eq - 1);
    lp.w_bits = std::stoi(e.substr(colon + 1, slash - colon - 1));
    lp.a_bits = std::stoi(e.substr(slash + 1));
    plan.layers.push_back(lp);
  }
  return cost(g, plan).bops;
}

std::vector<std::string> reference_layers(const std::string& model) {
  const Graph g = graph_of(model);
  std::vector<std::string> out;
  for (int i : g.weight_layers()) out.push_back(g.node(i).name);
  return out;
}

}  // namespace bitshift::test
