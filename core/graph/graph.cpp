#include "graph/graph.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <set>

#include "util/error.h"

namespace bitshift {

Graph::Graph(std::string name, Shape input, int num_classes)
    : name_(std::move(name)), num_classes_(num_classes) {
  require(input.c > 0 && input.h > 0 && input.w > 0,
          "graph '" + name_ + "': input shape " + input.str() + " must be positive");
  require(num_classes > 0, "graph '" + name_ + "': num_classes must be positive, got " +
                               std::to_string(num_classes));
  Node in;
  in.name = "input";
  in.kind = OpKind::OpInput;
  in.in_shape = in.out_shape = input;
  nodes_.push_back(in);
}

int Graph::find(const std::string& name) const {
  for (int i = 0; i < size(); ++i)
    if (nodes_[i].name == name) return i;
  return -1;
}

std::vector<int> Graph::consumers(int index) const {
  std::vector<int> out;
  for (int i = 0; i < size(); ++i)
    for (int in : nodes_[i].inputs)
      if (in == index) out.push_back(i);
  return out;
}

std::vector<int> Graph::weight_layers() const {
  std::vector<int> out;
  for (int i = 0; i < size(); ++i)
    if (nodes_[i].has_weights()) out.push_back(i);
  return out;
}

static int64_t pooled(int64_t size, int64_t k, int64_t s, int64_t p) {
  return (size + 2 * p - k) / s + 1;
}

Shape Graph::infer_shape(const Node& n) const {
  const std::string where = "layer '" + n.name + "' (" + op_name(n.kind) + ")";
  const Shape in = n.in_shape;
  switch (n.kind) {
    case OpKind::OpInput:
      throw Error(where + ": only the graph has an input node");
    case OpKind::OpConv2d: {
      require(!in.flat, where + ": needs a CxHxW input, got a flat vector of " + in.str());
      require(n.groups >= 1 && in.c % n.groups == 0 && n.out_channels % n.groups == 0,
              where + ": groups=" + std::to_string(n.groups) + " must divide in channels " +
                  std::to_string(in.c) + " and out channels " + std::to_string(n.out_channels));
      require(n.kernel >= 1 && n.stride >= 1 && n.padding >= 0, where + ": bad kernel/stride/padding");
      Shape out{n.out_channels, pooled(in.h, n.kernel, n.stride, n.padding),
                pooled(in.w, n.kernel, n.stride, n.padding), false};
      require(out.h >= 1 && out.w >= 1,
              where + ": kernel " + std::to_string(n.kernel) + " does not fit input " + in.str());
      return out;
    }
    case OpKind::OpLinear:
      require(in.flat, where + ": needs a flat input (add flatten or global pooling), got " +
                           in.str());
      return Shape{n.out_channels, 1, 1, true};
    case OpKind::OpMaxPool:
    case OpKind::OpAvgPool: {
      require(!in.flat, where + ": needs a CxHxW input");
      Shape out{in.c, pooled(in.h, n.kernel, n.stride, n.padding),
                pooled(in.w, n.kernel, n.stride, n.padding), false};
      require(out.h >= 1 && out.w >= 1,
              where + ": window " + std::to_string(n.kernel) + " does not fit input " + in.str());
      return out;
    }
    case OpKind::OpGlobalAvgPool:
      require(!in.flat, where + ": needs a CxHxW input");
      return Shape{in.c, 1, 1, true};
    case OpKind::OpFlatten:
      return Shape{in.numel(), 1, 1, true};
    case OpKind::OpBatchNorm2d:
      require(!in.flat, where + ": needs a CxHxW input");
      return in;
    case OpKind::OpAdd: {
      const Shape other = nodes_[n.inputs[1]].out_shape;
      require(in == other, where + ": inputs differ in shape, " + in.str() + " vs " + other.str());
      return in;
    }
    case OpKind::OpReLU:
    case OpKind::OpReLU6:
    case OpKind::OpDropout:
      return in;
  }
  throw Error(where + ": unhandled op");
}

int Graph::add(Node n) {
  require(!nodes_.empty(), "graph has no input node; construct it with an input shape");
  require(!n.name.empty(), "graph '" + name_ + "': a node needs a name");
  require(find(n.name) < 0, "graph '" + name_ + "': duplicate node name '" + n.name + "'");
  const size_t arity = n.kind == OpKind::OpAdd ? 2 : 1;
  require(n.inputs.size() == arity, "layer '" + n.name + "': expected " + std::to_string(arity) +
                                        " input(s), got " + std::to_string(n.inputs.size()));
  for (int in : n.inputs)
    require(in >= 0 && in < size(), "layer '" + n.name + "': input index " + std::to_string(in) +
                                        " is not an earlier node");
  n.in_shape = nodes_[n.inputs[0]].out_shape;
  n.out_shape = infer_shape(n);
  nodes_.push_back(std::move(n));
  return size() - 1;
}

int64_t Graph::params(int index) const {
  const Node& n = node(index);
  switch (n.kind) {
    case OpKind::OpConv2d:
      return n.out_channels * (n.in_shape.c / n.groups) * n.kernel * n.kernel +
             (n.bias ? n.out_channels : 0);
    case OpKind::OpLinear:
      return n.out_channels * n.in_shape.c + (n.bias ? n.out_channels : 0);
    case OpKind::OpBatchNorm2d:
      return 2 * n.in_shape.c;  // gamma and beta; running statistics are buffers
    default:
      return 0;
  }
}

int64_t Graph::macs(int index) const {
  const Node& n = node(index);
  switch (n.kind) {
    case OpKind::OpConv2d:
      return n.out_shape.numel() * (n.in_shape.c / n.groups) * n.kernel * n.kernel;
    case OpKind::OpLinear:
      return n.out_channels * n.in_shape.c;
    default:
      return 0;  // MACs count multiply-accumulates of weight layers only (the usual convention)
  }
}

int64_t Graph::total_params() const {
  int64_t s = 0;
  for (int i = 0; i < size(); ++i) s += params(i);
  return s;
}

int64_t Graph::total_macs() const {
  int64_t s = 0;
  for (int i = 0; i < size(); ++i) s += macs(i);
  return s;
}

std::string summary_table(const Graph& g) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-28s %-12s %-14s %12s %14s\n", "layer", "op", "output",
                "params", "MACs");
  out += line;
  for (int i = 0; i < g.size(); ++i) {
    const Node& n = g.node(i);
    std::snprintf(line, sizeof line, "%-28s %-12s %-14s %12lld %14lld\n", n.name.c_str(),
                  op_name(n.kind), n.out_shape.str().c_str(), (long long)g.params(i),
                  (long long)g.macs(i));
    out += line;
  }
  std::snprintf(line, sizeof line, "%-28s %-12s %-14s %12lld %14lld\n", "total", "", "",
                (long long)g.total_params(), (long long)g.total_macs());
  out += line;
  return out;
}

}  // namespace bitshift
