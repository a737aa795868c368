#include "engine/plan_rows.h"

#include "graph/op.h"

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

namespace {

bool is_activation(OpKind kind) {
  switch (kind) {
    case OpKind::ReLU:
    case OpKind::ReLU6:
    case OpKind::Sigmoid:
    case OpKind::HardSigmoid:
    case OpKind::HardSwish:
    case OpKind::SiLU:
    case OpKind::LeakyReLU:
    case OpKind::Clip:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string row_type(const Graph& g, int index) {
  const std::string op = op_name(g.node(index).kind);
  int at = index;
  for (;;) {
    const std::vector<int> next = g.consumers(at);
    if (next.size() != 1) return op;
    const OpKind kind = g.node(next.front()).kind;
    if (kind == OpKind::BatchNorm2d) {
      at = next.front();
    } else {
      return is_activation(kind) ? op + " \u2192 " + op_name(kind) : op;
    }
  }
}

std::vector<EngineLayer> to_rows(const Graph& g, const QuantPlan& plan) {
  std::vector<EngineLayer> rows;
  for (int i : g.weight_layers()) {
    const Node& n = g.node(i);
    EngineLayer r;
    r.name = n.name;
    r.type = row_type(g, i);
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
std::string site_label(const Graph& g, int node) {
  const Node& n = g.node(node);
  return op_of(n).has_weights() ? n.name + " (output)" : n.name;
}

}  // namespace bitshift::studio
