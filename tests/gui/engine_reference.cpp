#include "engine_reference.h"

#include "graph/shape.h"
#include "models/zoo.h"
#include "quant/cost.h"
#include "quant/plan.h"

namespace bitshift::test {

double reference_bops(const std::string& model, const std::vector<std::string>& entries) {
  const Graph g = build_model(model, Shape{1, 28, 28}, 10);
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
  const Graph g = build_model(model, Shape{1, 28, 28}, 10);
  std::vector<std::string> out;
  for (int i : g.weight_layers()) out.push_back(g.node(i).name);
  return out;
}

}  // namespace bitshift::test
