// JSON form of the graph: what checkpoints, run records and export bundles store.
#include <nlohmann/json.hpp>

#include "graph/graph.h"
#include "graph/op.h"
#include "util/error.h"
#include "util/json_file.h"

namespace bitshift {

using nlohmann::json;

json Graph::to_json() const {
  json nodes = json::array();
  for (size_t i = 1; i < nodes_.size(); ++i) {  // node 0 is implied by "input"
    const Node& n = nodes_[i];
    json j = {{"name", n.name}, {"op", op_name(n.kind)}};
    json inputs = json::array();
    for (int in : n.inputs) inputs.push_back(nodes_[in].name);
    j["inputs"] = inputs;
    op_of(n).write_attrs(n, j);
    j["shape"] = n.out_shape.str();  // informative only; recomputed on load
    nodes.push_back(j);
  }
  const Shape in = input_shape();
  return {{"name", name_},
          {"input", {in.c, in.h, in.w}},
          {"num_classes", num_classes_},
          {"nodes", nodes}};
}

Graph Graph::from_json(const json& j) {
  try {
    const auto& in = j.at("input");
    Graph g(j.at("name").get<std::string>(), Shape{in.at(0), in.at(1), in.at(2), false},
            j.at("num_classes").get<int>());
    for (const auto& jn : j.at("nodes")) {
      Node n;
      n.name = jn.at("name").get<std::string>();
      n.kind = op_from_name(jn.at("op").get<std::string>());
      for (const auto& input_name : jn.at("inputs")) {
        const int idx = g.find(input_name.get<std::string>());
        require(idx >= 0, "layer '" + n.name + "': input '" + input_name.get<std::string>() +
                              "' is not an earlier node");
        n.inputs.push_back(idx);
      }
      op_of(n).read_attrs(jn, n);
      g.add(std::move(n));
    }
    return g;
  } catch (const json::exception& e) {
    throw Error("graph JSON is malformed: " + json_error_text(e));
  }
}

}  // namespace bitshift
