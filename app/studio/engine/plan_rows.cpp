#include "engine/plan_rows.h"

namespace bitshift::studio {

QuantPlan to_plan(const std::vector<EngineLayer>& rows) {
  QuantPlan plan;
  for (const auto& r : rows) {
    LayerPlan lp;
    lp.layer = r.name;
    lp.method = r.method;
    lp.w_bits = r.w_bits;
    lp.a_bits = r.a_bits;
    plan.layers.push_back(lp);
  }
  return plan;
}

std::vector<EngineLayer> to_rows(const Graph& g, const QuantPlan& plan) {
  std::vector<EngineLayer> rows;
  for (int i : g.weight_layers()) {
    const Node& n = g.node(i);
    EngineLayer r;
    r.name = n.name;
    r.type = op_name(n.kind);
    r.shape = n.out_shape.str();
    r.params = g.params(i);
    r.macs = g.macs(i);
    if (const LayerPlan* lp = plan.find(n.name)) {
      r.w_bits = lp->w_bits;
      r.a_bits = lp->a_bits;
      r.method = lp->method;
    }
    rows.push_back(r);
  }
  return rows;
}


}  // namespace bitshift::studio
