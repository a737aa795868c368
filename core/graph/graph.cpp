#include "graph/graph.h"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "graph/op.h"
#include "util/error.h"
#include "util/table_text.h"

namespace bitshift {

Graph::Graph(std::string name, Shape input, int num_classes)
    : name_(std::move(name)), num_classes_(num_classes) {
  require(input.c > 0 && input.h > 0 && input.w > 0,
          "graph '" + name_ + "': input shape " + input.str() + " must be positive");
  require(num_classes > 0, "graph '" + name_ + "': num_classes must be positive, got " +
                               std::to_string(num_classes));
  Node in;
  in.name = "input";
  in.kind = OpKind::Input;
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

int Graph::add(Node n) {
  require(!nodes_.empty(), "graph has no input node; construct it with an input shape");
  require(!n.name.empty(), "graph '" + name_ + "': a node needs a name");
  require(find(n.name) < 0, "graph '" + name_ + "': duplicate node name '" + n.name + "'");
  const Op& op = op_of(n);
  const std::string where = "layer '" + n.name + "' (" + op.name() + ")";
  const int got = static_cast<int>(n.inputs.size());
  const bool variadic = op.max_inputs() < 0;
  require(got >= op.min_inputs() && (variadic || got <= op.max_inputs()),
          where + ": expected " + std::to_string(op.min_inputs()) +
              (variadic                            ? " or more"
               : op.max_inputs() > op.min_inputs() ? "-" + std::to_string(op.max_inputs())
                                                   : "") +
              " input(s), got " + std::to_string(got));
  n.in_shapes.clear();
  for (int in : n.inputs) {
    require(in >= 0 && in < size(),
            where + ": input index " + std::to_string(in) + " is not an earlier node");
    n.in_shapes.push_back(nodes_[in].out_shape);
  }
  n.in_shape = n.in_shapes.empty() ? Shape{} : n.in_shapes[0];
  n.out_shape = op.infer_shape(n, where);
  nodes_.push_back(std::move(n));
  return size() - 1;
}

int64_t Graph::params(int index) const { return op_of(node(index)).params(node(index)); }

int64_t Graph::macs(int index) const { return op_of(node(index)).macs(node(index)); }

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
  std::vector<std::string> names;
  for (int i = 0; i < g.size(); ++i) names.push_back(g.node(i).name);
  const size_t width = name_column_width(names);
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, " %-12s %-14s %12s %14s\n", "op", "output", "params", "MACs");
  out += padded("layer", width) + line;
  for (int i = 0; i < g.size(); ++i) {
    const Node& n = g.node(i);
    std::snprintf(line, sizeof line, " %-12s %-14s %12lld %14lld\n", op_name(n.kind),
                  n.out_shape.str().c_str(), (long long)g.params(i), (long long)g.macs(i));
    out += padded(n.name, width) + line;
  }
  std::snprintf(line, sizeof line, " %-12s %-14s %12lld %14lld\n", "", "",
                (long long)g.total_params(), (long long)g.total_macs());
  out += padded("total", width) + line;
  return out;
}

}  // namespace bitshift
